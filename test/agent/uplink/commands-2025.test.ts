// HJ 212-2025 commands over real sockets: MN from the platform (1002), hardware ids (1001), the new
// CNs a station meets, heartbeats per heartbeat_ack, and QnRtn=8 for what is not implemented.
import { test } from "node:test";
import assert from "node:assert/strict";
import { hardwareIdsCp } from "../../../agent/uplink/hardware-ids.js";
import { Hj2025Station } from "../../../agent/uplink/hj2025.js";
import { MN, waitFor } from "../../helpers/station.js";
import { linkHarness, PW } from "./link-harness.js";

const IDS = { loggerId: "DL-0001", cpuId: "10000000abcdef01", mac1: "B8:27:EB:00:00:01", mac2: "" };
const rtn = (cps: string[], key: string) => cps.flatMap((c) => [...c.matchAll(new RegExp(`${key}=(\\d+)`, "g"))].map((m) => Number(m[1])));
const NEW_MN = "010000A8900016F000169DC9";

test("1002 for our data logger: the new MN is stored per platform, audited, answered, used from the next packet", async () => {
  const h = await linkHarness({ deps: { hardwareIds: () => IDS } });
  try {
    await h.connect();
    const other = await h.ask("1002", "i23005-Info=DL-9999", { mn: NEW_MN, until: (c) => c.includes("9011") });
    assert.deepEqual(rtn(other.cps, "QnRtn"), [2], "another data logger's MN is refused");
    assert.equal(h.session.mn, MN);
    const r = await h.ask("1002", "i23005-Info=DL-0001", { mn: NEW_MN });
    assert.deepEqual(rtn(r.cps, "QnRtn"), [1]);
    assert.deepEqual(rtn(r.cps, "ExeRtn"), [1]);
    assert.ok(h.receiver.answersTo(r.qn).every((p) => p.frame.header.mn === MN), "answered under the old MN");
    assert.equal(h.session.mn, NEW_MN);
    assert.deepEqual(h.overrides.values("city"), { mn: NEW_MN }, "stored durably");
    assert.ok(h.audit.some((e) => e.action === "platform.set_mn" && e.details?.to === NEW_MN && e.details?.from === MN));
    h.outbox.enqueue([{ platform: "city", cn: "2051", dataTime: 0, cp: "DataTime=20260101080000;a05024-Avg=1,a05024-Flag=N", ackRequired: true }]);
    h.session.kick();
    await waitFor(() => h.outbox.backlog("city").pending === 0, 5000, "packet under the new MN acknowledged");
    assert.equal(h.receiver.received.find((p) => p.frame.header.cn === "2051")!.frame.header.mn, NEW_MN);
    // Requests under the old MN are now for someone else.
    assert.deepEqual(rtn((await h.ask("1011", "", { mn: MN, until: (c) => c.includes("9011") })).cps, "QnRtn"), [4]);
  } finally {
    await h.close();
  }
});

test("1001: hardware ids when the station connects to a 2025 platform", async () => {
  const h = await linkHarness();
  const station = new Hj2025Station({ sessions: () => [h.session], events: h.events, outbox: h.outbox, log: { debug() {}, info() {}, warn() {}, error() {}, child() { return this; } }, tz: "Asia/Shanghai", hardwareIds: () => IDS });
  try {
    station.start();
    await h.connect();
    await waitFor(() => h.receiver.received.some((p) => p.frame.header.cn === "1001"), 3000, "1001 received");
    const p = h.receiver.received.find((x) => x.frame.header.cn === "1001")!;
    assert.equal(p.frame.cp, hardwareIdsCp(IDS));
    assert.equal(p.fields["i23005-Info"], "DL-0001");
    assert.equal(p.frame.header.flag, 9, "asks for the platform's 9013");
  } finally {
    station.stop();
    await h.close();
  }
});

test("3022 → ExeRtn=2, 3024 runs the standard check, 2062 answers stored checks, 2013 raw readings", async () => {
  const started: string[] = [];
  const h = await linkHarness({
    deps: {
      standardCheck: (pol) => (started.push(pol), 1),
      standardChecks: () => [{ analyzer: "o3", polId: "a05024", started: Date.UTC(2026, 0, 1, 0, 0), reading: 400.2, reference: 400, pass: true }],
      readingsBetween: () => [
        { ts: Date.UTC(2026, 0, 1, 0, 0, 10), code: "a05024", value: 35.2, unit: "ppb", flag: "N" },
        { ts: Date.UTC(2026, 0, 1, 0, 0, 10), code: "a34004", value: 12, unit: "ug/m3", flag: "N" },
        { ts: Date.UTC(2026, 0, 1, 0, 0, 20), code: "a05024", value: null, unit: "ppb", flag: "B" },
      ],
    },
  });
  try {
    await h.connect();
    assert.deepEqual(rtn((await h.ask("3022", "PolId=w01018")).cps, "ExeRtn"), [2]);
    assert.deepEqual(rtn((await h.ask("3024", "PolId=a05024")).cps, "ExeRtn"), [1]);
    assert.deepEqual(started, ["a05024"]);
    const checks = await h.ask("2062", "BeginTime=20260101000000;EndTime=20260102000000");
    assert.deepEqual(checks.cns, ["9011", "2062", "9012"]);
    assert.equal(checks.cps[1], "DataTime=20260101080000;a05024-SampleRd=400.2;a05024-StandardValue=400;a05024-ResultType=1");
    const raw = await h.ask("2013", "BeginTime=20260101080000;EndTime=20260101080100");
    assert.deepEqual(raw.cns, ["9011", "2013", "9012"], "one answer per time; a reading without a value is left out");
    assert.equal(raw.cps[1], "DataTime=20260101080010;a05024-Avg=35.2,a05024-Flag=N;a34004-Avg=12,a34004-Flag=N");
    assert.deepEqual(rtn((await h.ask("2052", "")).cps, "ExeRtn"), [100], "no sound level among the readings");
    assert.deepEqual(rtn((await h.ask("2013", "BeginTime=20260101080000;EndTime=20260101070000")).cps, "ExeRtn"), [3], "end before begin");
  } finally {
    await h.close();
  }
});

test("9015: answered 9013 when its Flag asks or heartbeat_ack is set, silently taken otherwise; our heartbeat's Flag follows heartbeat_ack", async () => {
  const h = await linkHarness({ platform: { heartbeat_s: 1, heartbeat_ack: false } });
  try {
    await h.connect();
    assert.deepEqual((await h.ask("9015", "", { flag: 9 })).cns, ["9013"]);
    const quiet = h.receiver.request({ cn: "9015", cp: "", pw: PW, mn: MN, flag: 8 });
    await waitFor(() => h.receiver.stats.heartbeats >= 1, 3000, "a heartbeat from the station");
    assert.deepEqual(h.receiver.answersTo(quiet), [], "Flag=8 heartbeat not answered");
    const ours = h.receiver.received.find((p) => p.frame.header.cn === "9015" && p.frame.header.qn !== quiet)!;
    assert.equal(ours.frame.header.flag, 8);
    h.session.cfg.heartbeat_ack = true;
    assert.deepEqual((await h.ask("9015", "", { flag: 8 })).cns, ["9013"]);
    assert.ok(!h.audit.some((e) => e.details?.cn === "9015"), "heartbeats are not audited");
  } finally {
    await h.close();
  }
});

test("an unimplemented CN gets QnRtn=8 each time and one log line", async () => {
  const h = await linkHarness();
  try {
    await h.connect();
    for (let i = 0; i < 3; i++) assert.deepEqual(rtn((await h.ask("2111", "", { until: (c) => c.includes("9011") })).cps, "QnRtn"), [8]);
    assert.deepEqual(rtn((await h.ask("3015", "", { until: (c) => c.includes("9011") })).cps, "QnRtn"), [8]);
    assert.equal(h.logs.filter((l) => /CN=2111 is not implemented/.test(l)).length, 1);
    assert.equal(h.logs.filter((l) => /CN=3015 is not implemented/.test(l)).length, 1);
  } finally {
    await h.close();
  }
});
