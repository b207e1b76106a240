// History requests that cannot hurt the station, over a real socket and SQLite: the answer is cut
// at max_request_packets (ExeRtn=2), a repeated QN is answered again without queueing twice, 2041
// ranges are answered, and request packets left unacknowledged past request_ttl_days are dropped.
import { test } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../../../agent/log.js";
import { formatHj212Time } from "../../../agent/time.js";
import { HistoryRequests } from "../../../agent/uplink/history.js";
import { waitFor } from "../../helpers/station.js";
import { harness, T0 } from "./harness.js";

const exe = (cps: string[]) => cps.flatMap((c) => /ExeRtn=(\d+)/.exec(c)?.[1] ?? []).map(Number);
const RANGE = `BeginTime=${formatHj212Time(T0)};EndTime=${formatHj212Time(T0 + 9 * 60_000)}`;

test("beyond max_request_packets: the first N periods, then ExeRtn=2", async () => {
  const h = await harness({ platform: { max_request_packets: 4 } });
  try {
    const r = await h.ask("2051", RANGE, { timeoutMs: 10_000 });
    assert.deepEqual(r.cns, ["9011", "9012"]);
    assert.deepEqual(exe(r.cps), [2]);
    const data = h.receiver.received.filter((p) => p.frame.header.cn === "2051");
    assert.deepEqual(data.map((p) => p.fields["a05024-Avg"]), ["0.5", "1.5", "2.5", "3.5"], "the oldest four minutes");
  } finally {
    await h.close();
  }
});

test("a request whose QN was answered is answered again (9011/9012) without queueing its data twice", async () => {
  const h = await harness();
  try {
    const qn = "20260101090000123";
    h.receiver.request({ qn, cn: "2051", cp: RANGE, pw: h.session.cfg.pw, mn: h.session.mn });
    await waitFor(() => h.receiver.answersTo(qn).some((p) => p.frame.header.cn === "9012"), 10_000, "first answer");
    const packets = h.receiver.received.filter((p) => p.frame.header.cn === "2051").length;
    assert.equal(packets, 10);
    h.receiver.request({ qn, cn: "2051", cp: RANGE, pw: h.session.cfg.pw, mn: h.session.mn });
    await waitFor(() => h.receiver.answersTo(qn).filter((p) => p.frame.header.cn === "9012").length === 2, 10_000, "second answer");
    assert.deepEqual(h.receiver.answersTo(qn).map((p) => p.frame.header.cn), ["9011", "9012", "9011", "9012"]);
    assert.deepEqual(exe(h.receiver.answersTo(qn).map((p) => p.frame.cp)), [1, 1]);
    assert.equal(h.receiver.received.filter((p) => p.frame.header.cn === "2051").length, packets, "nothing queued twice");
    assert.equal(h.outbox.backlog("city").acked, packets);
  } finally {
    await h.close();
  }
});

test("2041 (run-time data of a range) is a request answered with one packet per day", async () => {
  const days: number[] = [];
  const h = await harness({
    deps: {
      runtime: (d) => (days.push(d), `DataTime=${formatHj212Time(d)};o3-RT=23.5`),
      dayStart: (ms) => ms - ((ms + 8 * 3600_000) % 86_400_000),
    },
  });
  try {
    const r = await h.ask("2041", "BeginTime=20260101000000;EndTime=20260103000000", { timeoutMs: 10_000 });
    assert.deepEqual(r.cns, ["9011", "9012"], "answered, not QnRtn=8");
    assert.deepEqual(exe(r.cps), [1]);
    const data = h.receiver.received.filter((p) => p.frame.header.cn === "2041");
    assert.deepEqual(data.map((p) => p.fields.DataTime), ["20260101000000", "20260102000000", "20260103000000"]);
    assert.equal(data[0].fields["o3-RT"], "23.5");
  } finally {
    await h.close();
  }
});

test("request packets not acknowledged within request_ttl_days are dropped and counted; live ones stay", async () => {
  const h = await harness({ minutes: 0 });
  try {
    await h.session.stop();
    const old = Date.now() - 8 * 86_400_000;
    h.outbox.enqueue([
      { platform: "city", cn: "2051", dataTime: old, cp: "DataTime=20250101000000;a05024-Avg=1", ackRequired: true, lane: "request" },
      { platform: "city", cn: "2051", dataTime: old, cp: "DataTime=20250101000100;a05024-Avg=1", ackRequired: true },
    ]);
    h.db.prepare("UPDATE outbox SET created_at = ?").run(old);
    const history = new HistoryRequests({ outbox: h.outbox, log: silentLogger, tz: "Asia/Shanghai", aggregates: h.aggregates, lookup: () => undefined });
    assert.equal(history.dropStale([{ id: "city", request_ttl_days: 7 }]), 1);
    assert.equal(history.dropped.get("city"), 1);
    assert.equal(h.outbox.backlog("city").pending, 1, "the live packet is kept");
    assert.equal(history.dropStale([{ id: "city", request_ttl_days: 9 }]), 0);
  } finally {
    await h.close();
  }
});
