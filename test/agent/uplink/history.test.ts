// History requests that cannot hurt the station, over a real socket and SQLite: the answer is cut
// at max_request_packets (ExeRtn=2), a repeated QN is answered again without queueing twice, 2041
// ranges are answered, and request packets left unacknowledged past request_ttl_days are dropped.
// Answers are remembered in the database: a restarted agent neither queues an answered request
// twice nor starts an interrupted one over. 2011 with a range answers from the stored readings.
import { test } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../../../agent/log.js";
import { formatHj212Time } from "../../../agent/time.js";
import { HistoryRequests, type HistorySession } from "../../../agent/uplink/history.js";
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

test("2011 with BeginTime/EndTime: one realtime packet per realtime interval, each channel's latest reading", async () => {
  const h = await harness();
  try {
    h.session.runtime.realtime = false; // as after a 2012
    const r = await h.ask("2011", RANGE.replace(formatHj212Time(T0 + 9 * 60_000), formatHj212Time(T0 + 119_000)), { timeoutMs: 10_000 });
    assert.deepEqual(r.cns, ["9011", "9012"]);
    assert.deepEqual(exe(r.cps), [1]);
    const data = h.receiver.received.filter((p) => p.frame.header.cn === "2011");
    // Readings every 10 s, value floor(i / 6) + 0.5: [0, 30 s) ends with i = 2, [30, 60) with 5, [60, 90) with 8…
    assert.deepEqual(data.map((p) => p.fields.DataTime), [0, 30, 60, 90].map((s) => formatHj212Time(T0 + s * 1000)));
    assert.deepEqual(data.map((p) => p.fields["a05024-Rtd"]), ["0.5", "0.5", "1.5", "1.5"]);
    assert.ok(data.every((p) => p.fields["a05024-Flag"] === "N"));
    assert.equal(h.session.runtime.realtime, false, "a range is not a request to start live uploads");
  } finally {
    await h.close();
  }
});

/** A platform connection as HistoryRequests sees it: connected until `drop()`, acks done by the test. */
function fakeSession(h: Awaited<ReturnType<typeof harness>>, opts: { dropAfterKicks?: number } = {}) {
  let kicks = 0;
  let up = true;
  const s: HistorySession = {
    cfg: { ...h.session.cfg, max_request_packets: 45_000 },
    get connected() {
      return up;
    },
    kick: () => {
      if (++kicks === opts.dropAfterKicks) up = false;
    },
  };
  return s;
}
const ackAll = (h: Awaited<ReturnType<typeof harness>>) => h.db.prepare("UPDATE outbox SET acked_at = 1 WHERE acked_at IS NULL").run();
const dataTimes = (h: Awaited<ReturnType<typeof harness>>) =>
  (h.db.prepare("SELECT data_time FROM outbox WHERE cn = '2051' ORDER BY data_time").all() as { data_time: number }[]).map((r) => r.data_time);

test("after a restart: an answered QN is answered again from the database, an interrupted one goes on where it stopped", async () => {
  const h = await harness({ minutes: 100 });
  try {
    await h.session.stop(); // the test plays the platform's side through fake sessions
    const range = { cn: "2051", begin: T0, end: T0 + 99 * 60_000, periodS: 60, kind: "aggregate" as const };
    // First life: the connection drops after the first slice (64 periods by default) is queued.
    const first = new HistoryRequests({ outbox: h.outbox, log: silentLogger, tz: "Asia/Shanghai", aggregates: h.aggregates, lookup: () => ({ code: "a05024", scale: 1, offset: 0 }), db: h.db });
    assert.equal(await first.answer(fakeSession(h, { dropAfterKicks: 1 }), { qn: "Q1", ...range }), null, "the request is gone with the connection");
    const before = dataTimes(h).length;
    assert.ok(before > 0 && before < 100, `part of it queued (${before})`);
    // Second life (a new instance on the same file): the platform asks again with the same QN.
    const second = new HistoryRequests({ outbox: h.outbox, log: silentLogger, tz: "Asia/Shanghai", aggregates: h.aggregates, lookup: () => ({ code: "a05024", scale: 1, offset: 0 }), db: h.db });
    const answer = second.answer(fakeSession(h), { qn: "Q1", ...range });
    await waitFor(() => dataTimes(h).length === 100, 5000, "the rest queued");
    ackAll(h);
    assert.equal(await answer, 1);
    const times = dataTimes(h);
    assert.equal(new Set(times).size, 100, "each minute queued once");
    assert.equal(times[0], T0);
    // Third life: answered, so the same QN is answered again without a packet more.
    const third = new HistoryRequests({ outbox: h.outbox, log: silentLogger, tz: "Asia/Shanghai", aggregates: h.aggregates, lookup: () => ({ code: "a05024", scale: 1, offset: 0 }), db: h.db });
    assert.equal(await third.answer(fakeSession(h), { qn: "Q1", ...range }), 1);
    assert.equal(dataTimes(h).length, 100);
    // A new QN is a new request.
    const again = third.answer(fakeSession(h), { qn: "Q2", ...range });
    await waitFor(() => dataTimes(h).length === 200, 5000, "a new QN queues its data");
    ackAll(h);
    assert.equal(await again, 1);
  } finally {
    await h.close();
  }
});
