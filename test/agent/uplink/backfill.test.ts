// History requests (2051/2061/2031) answered from SQLite, split packets reassembled by the
// platform receiver, and the live lane ahead of a backlog.
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatHj212Time } from "../../../agent/time.js";
import { waitFor } from "../../helpers/station.js";
import { harness, T0 } from "./harness.js";

const exe = (cps: string[]) => cps.flatMap((c) => /ExeRtn=(\d+)/.exec(c)?.[1] ?? []).map(Number);

test("history request with data: 9011, one acked packet per minute with its own QN, then 9012 ExeRtn=1", async () => {
  const h = await harness({ receiver: { dropAckEvery: 4 } });
  try {
    // BeginTime;EndTime as C.19–C.21 print it (C.22 prints a comma: both standard).
    const cp = `BeginTime=${formatHj212Time(T0 + 2 * 60_000)};EndTime=${formatHj212Time(T0 + 6 * 60_000)}`;
    const r = await h.ask("2051", cp, { timeoutMs: 10_000 });
    assert.deepEqual(r.cns, ["9011", "9012"]);
    assert.deepEqual(exe(r.cps), [1]);
    const data = h.receiver.received.filter((p) => p.frame.header.cn === "2051");
    const byQn = new Map(data.map((p) => [p.frame.header.qn, p.fields]));
    assert.equal(byQn.size, 5, "minutes 2..6 inclusive, each under its own QN");
    assert.ok(![...byQn.keys()].includes(r.qn));
    assert.deepEqual([...byQn.values()].map((f) => f["a05024-Avg"]), ["2.5", "3.5", "4.5", "5.5", "6.5"]);
    // Acks are committed in 50 ms batches; every one had arrived before the 9012 went out.
    await waitFor(() => h.outbox.backlog("city").pending === 0, 1000, "all acknowledged (dropped acks retransmitted)");
    const at9012 = h.receiver.answersTo(r.qn).at(-1)!.at;
    assert.ok(data.every((p) => p.at <= at9012));
  } finally {
    await h.close();
  }
});

test("history request without data: 9011 then 9012 ExeRtn=100; a malformed range → ExeRtn=3", async () => {
  const h = await harness();
  try {
    const r = await h.ask("2061", `BeginTime=20250101000000,EndTime=20250102000000`);
    assert.deepEqual(r.cns, ["9011", "9012"]);
    assert.deepEqual(exe(r.cps), [100]);
    assert.deepEqual(exe((await h.ask("2031", "BeginTime=2025")).cps), [3]);
  } finally {
    await h.close();
  }
});

test("a packet over 1024 bytes goes out split (PNUM/PNO, Flag D) and the receiver reassembles it", async () => {
  const h = await harness({ minutes: 0 });
  try {
    const items = Array.from({ length: 60 }, (_, i) => `a${String(i).padStart(5, "0")}-Avg=${i}.123,a${String(i).padStart(5, "0")}-Flag=N`);
    const cp = ["DataTime=20260101080000", ...items].join(";");
    assert.ok(Buffer.byteLength(cp) > 1024);
    h.outbox.enqueue([{ platform: "city", cn: "2051", dataTime: T0, cp, ackRequired: true }]);
    h.session.kick();
    await waitFor(() => h.outbox.backlog("city").pending === 0, 5000, "split packet acked");
    const got = h.receiver.received.filter((p) => p.frame.header.cn === "2051");
    assert.equal(got.length, 1);
    assert.ok(got[0].parts >= 2, `${got[0].parts} parts`);
    assert.equal(h.receiver.stats.splitPackets, 1);
    assert.equal(got[0].fields.DataTime, "20260101080000");
    assert.equal(got[0].fields["a00059-Avg"], "59.123");
    assert.equal(Object.keys(got[0].fields).length, 121);
  } finally {
    await h.close();
  }
});

test("live packets made during a long backlog drain go out ahead of it", async () => {
  const h = await harness({ minutes: 0, receiver: { ackDelayMs: 30 }, platform: { window: 4 } });
  try {
    await h.session.stop();
    h.outbox.enqueue(Array.from({ length: 400 }, (_, i) => ({ platform: "city", cn: "2051", dataTime: i, cp: `DataTime=20250101000000;a05024-Avg=${i}`, ackRequired: true })));
    h.session.start();
    await waitFor(() => h.receiver.received.length >= 20, 5000, "drain under way");
    const [live] = h.outbox.enqueue([{ platform: "city", cn: "2011", dataTime: Date.now(), cp: "DataTime=20260101080000;a05024-Rtd=1", ackRequired: true }]);
    h.session.kick();
    await waitFor(() => h.receiver.received.some((p) => p.frame.header.qn === live.qn), 2000, "live packet sent");
    const pos = h.receiver.received.findIndex((p) => p.frame.header.qn === live.qn);
    assert.ok(h.outbox.backlog("city").pending > 300, "sent while most of the backlog still waits");
    assert.ok(pos < 40, `live packet was packet #${pos}`);
  } finally {
    await h.close();
  }
});
