// Every remote command over real sockets, with the right and a wrong password, and the
// answers HJ 212 requires: 9011 QnRtn, the data, 9012 ExeRtn (or 9013 for a notice).
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildSegment, encodeFrame } from "../../../agent/uplink/hj212/codec.js";
import { MN, waitFor } from "../../helpers/station.js";
import { harness, PW } from "./harness.js";

const rtn = (cps: string[], key: string) => cps.map((c) => /(?:^|;)(\w+)=(\d+)/.exec(c)).filter((m) => m && m[1] === key).map((m) => Number(m![2]));
const only9011 = (cns: string[]) => cns.includes("9011");

// [CN, CP, expected answer CNs in order, expected ExeRtn (null: none)]
const CASES: [string, string, string[], number | null][] = [
  ["1000", "OverTime=5;ReCount=2", ["9011", "9012"], 1],
  ["1000", "OverTime=5;ReCount=0", ["9011", "9012"], 3], // N2, 0 < n ≤ 99
  ["1000", "OverTime=100;ReCount=2", ["9011", "9012"], 3],
  ["2011", "", ["9011", "9012"], 1], // C.10
  ["2021", "", ["9011", "9012"], 1], // C.12
  ["1011", "", ["9011", "1011", "9012"], 1],
  ["1061", "", ["9011", "1061", "9012"], 1],
  ["1062", "RtdInterval=60", ["9011", "9012"], 1],
  ["1063", "", ["9011", "1063", "9012"], 1],
  ["1064", "MinInterval=5", ["9011", "9012"], 1],
  ["3019", "PolId=a05024", ["9011", "3019", "9012"], 1],
  ["3020", "PolId=a05024;InfoId=i12001", ["9011", "3020", "9012"], 1],
  ["3021", "PolId=a05024;i13004=1", ["9011", "9012"], 2],
  ["3011", "PolId=a05024", ["9011", "9012"], 2],
];

test("every command: right password → executed and answered; wrong → QnRtn=3 and nothing done", async () => {
  // Answers to wrong passwords are rate-limited (downlink-guard.ts): a clock 7 s on at each look
  // earns one answer each time, so every wrong-password request here is answered.
  let t = Date.now();
  const h = await harness({ deps: { fieldInfo: (pol, info) => [[info ?? "i12001", "0"]], now: () => (t += 7000) } });
  try {
    for (const [cn, cp, cns, exe] of CASES) {
      const bad = await h.ask(cn, cp, { pw: "wrong", until: only9011 });
      assert.deepEqual(bad.cns, ["9011"], `CN=${cn} wrong PW`);
      assert.deepEqual(rtn(bad.cps, "QnRtn"), [3], `CN=${cn} wrong PW`);
      const ok = await h.ask(cn, cp);
      assert.deepEqual(ok.cns, cns, `CN=${cn}`);
      assert.deepEqual(rtn(ok.cps, "QnRtn"), [1], `CN=${cn}`);
      assert.deepEqual(rtn(ok.cps, "ExeRtn"), exe === null ? [] : [exe], `CN=${cn}`);
    }
    const cfg = h.session.cfg;
    assert.equal(cfg.ack_timeout_s, 5);
    assert.equal(cfg.retries, 2);
    assert.equal(cfg.realtime_interval_s, 60);
    assert.equal(cfg.minute_interval_min, 5);
    assert.deepEqual(h.overrides.values("city"), { ack_timeout_s: 5, retries: 2, realtime_interval_s: 60, minute_interval_min: 5 });
    const sn = h.receiver.received.find((p) => p.frame.header.cn === "3019")!;
    assert.equal(sn.frame.cp, "PolId=a05024;a05024-SN=T400-1234", "C.38: PolId;code-SN, no DataTime");
    assert.ok(h.session.runtime.realtime && h.session.runtime.status, "2011/2021 started the uploads");
    assert.ok(h.audit.some((e) => e.action === "platform.set_rtd_interval" && e.actor === "platform:city"));
  } finally {
    await h.close();
  }
});

test("wrong MN → QnRtn=4, unknown CN → QnRtn=8, bad CRC → QnRtn=9, answers from the platform are not answered", async () => {
  const h = await harness();
  try {
    assert.deepEqual(rtn((await h.ask("1011", "", { mn: "010000A8900016F000169DC9", until: only9011 })).cps, "QnRtn"), [4]);
    assert.deepEqual(rtn((await h.ask("4567", "", { until: only9011 })).cps, "QnRtn"), [8]);
    const qn = "20260101080000123";
    const frame = encodeFrame(buildSegment({ qn, st: "22", cn: "1011", pw: PW, mn: MN, flag: 5 }, ""));
    h.receiver.sendRaw(frame.slice(0, -6) + (frame.slice(-6, -2) === "0000" ? "1111" : "0000") + "\r\n");
    await waitFor(() => h.receiver.answersTo(qn).length > 0, 3000, "answer to a bad CRC");
    assert.deepEqual(rtn(h.receiver.answersTo(qn).map((p) => p.frame.cp), "QnRtn"), [9]);
    const before = h.receiver.received.length;
    h.receiver.request({ cn: "9013", cp: "", pw: PW, mn: MN });
    h.receiver.request({ cn: "9011", cp: "QnRtn=1", pw: PW, mn: MN });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(h.receiver.received.length, before, "no answer to answers");
  } finally {
    await h.close();
  }
});

test("1072 sets a new password: persisted, masked in the audit, used from the next packet", async () => {
  const h = await harness();
  try {
    const r = await h.ask("1072", "NewPW=654321");
    assert.deepEqual(rtn(r.cps, "ExeRtn"), [1]);
    assert.equal(h.receiver.answersTo(r.qn).at(-1)!.frame.header.pw, PW, "9012 still under the old password");
    assert.equal(h.session.cfg.pw, "654321");
    assert.deepEqual(h.overrides.values("city"), { pw: "654321" });
    assert.ok(!JSON.stringify(h.audit).includes("654321"), "the password is not in the audit");
    const next = await h.ask("1061", "");
    assert.equal(h.receiver.answersTo(next.qn)[0].frame.header.pw, "654321");
    assert.deepEqual(rtn((await h.ask("1061", "", { pw: PW, until: only9011 })).cps, "QnRtn"), [3], "the old one no longer works");
  } finally {
    await h.close();
  }
});

test("1012: refused unless allowed; when allowed the clock setter runs and the result is audited", async () => {
  const refused = await harness();
  try {
    const r = await refused.ask("1012", "SystemTime=20260101120000", { until: only9011 });
    assert.deepEqual(rtn(r.cps, "QnRtn"), [2]);
    assert.ok(refused.audit.some((e) => e.action === "clock.set_refused"));
  } finally {
    await refused.close();
  }
  const noPrivilege = await harness({ platform: { allow_time_set: true } });
  try {
    const r = await noPrivilege.ask("1012", "SystemTime=20260101120000");
    assert.deepEqual(rtn(r.cps, "ExeRtn"), [2], "the default setter refuses: no privilege");
  } finally {
    await noPrivilege.close();
  }
  const set: number[] = [];
  const allowed = await harness({ platform: { allow_time_set: true }, deps: { setClock: (ms) => (set.push(ms), 1) } });
  try {
    const r = await allowed.ask("1012", "SystemTime=20260101120000");
    assert.deepEqual(rtn(r.cps, "ExeRtn"), [1]);
    assert.deepEqual(set, [Date.UTC(2026, 0, 1, 4)]);
    assert.ok(allowed.audit.some((e) => e.action === "clock.set"));
  } finally {
    await allowed.close();
  }
});

test("status in a platform's uploads starts 2021 without the platform asking", async () => {
  const h = await harness({ platform: { uploads: ["minute", "status"] } });
  try {
    assert.equal(h.session.runtime.status, true);
    assert.equal(h.session.runtime.realtime, false);
  } finally {
    await h.close();
  }
});

test("2011/2012 and 2021/2022 switch realtime and status uploads; notices are answered 9013", async () => {
  const h = await harness({ platform: { uploads: ["minute"] } });
  try {
    assert.equal(h.session.runtime.realtime, false);
    await h.ask("2011", "", { until: only9011 });
    await waitFor(() => h.session.runtime.realtime, 2000, "realtime on");
    assert.deepEqual((await h.ask("2012", "")).cns, ["9013"]);
    assert.equal(h.session.runtime.realtime, false);
    await h.ask("2021", "", { until: only9011 });
    await waitFor(() => h.session.runtime.status, 2000, "status on");
    await h.ask("2022", "");
    assert.equal(h.session.runtime.status, false);
  } finally {
    await h.close();
  }
});
