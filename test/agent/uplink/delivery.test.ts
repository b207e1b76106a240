// The delivery cursor's two orders on a real outbox: what a new connection takes, and in which
// order, when a backlog, fresh data and a hand-made resend are pending together.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { openDb } from "../../../agent/store/db.js";
import { Outbox, type Lane } from "../../../agent/uplink/outbox.js";
import { DeliveryCursor } from "../../../agent/uplink/delivery.js";
import { configSchema } from "../../../config/schema.js";
import { MN, tempDir } from "../../helpers/station.js";

function outbox() {
  const { dir, cleanup } = tempDir();
  const db = openDb(join(dir, "s.db"));
  const ob = new Outbox(db, "Asia/Shanghai");
  const add = (n: number, lane: Lane = "live") =>
    ob.enqueue(Array.from({ length: n }, () => ({ platform: "p", cn: "2051", dataTime: 0, cp: "x", ackRequired: true, lane }))).map((p) => p.id);
  return { ob, add, close: () => { db.close(); cleanup(); } };
}

/** Takes everything, `room` at a time, acknowledging each batch: the ids in the order they go out. */
function drain(c: DeliveryCursor, ob: Outbox, room: number, between?: (round: number) => void): number[] {
  const out: number[] = [];
  for (let round = 0; ; round++) {
    between?.(round);
    const batch = c.take(room);
    if (!batch.length) return out;
    for (const p of batch) ob.ack("p", p.qn);
    out.push(...batch.map((p) => p.id));
  }
}

const cases: Array<{ name: string; order: "live-first" | "oldest-first"; expected: number[] }> = [
  // Backlog 1-4 (there at connect), 5 made after the first packet went, resend 6 after that.
  { name: "live-first: the new packet overtakes the backlog, the resend waits behind it", order: "live-first", expected: [1, 5, 2, 3, 4, 6] },
  { name: "oldest-first: every packet in the order it was made", order: "oldest-first", expected: [1, 2, 3, 4, 5, 6] },
];

for (const c of cases) {
  test(c.name, () => {
    const o = outbox();
    try {
      o.add(4);
      const cur = new DeliveryCursor(o.ob, "p", c.order);
      cur.restart();
      const got = drain(cur, o.ob, 1, (round) => {
        if (round === 1) o.add(1);
        if (round === 1) o.add(1, "resend");
      });
      assert.deepEqual(got, c.expected);
    } finally {
      o.close();
    }
  });
}

test("oldest-first after a reconnect: what was taken but not acknowledged goes again, first", () => {
  const o = outbox();
  try {
    o.add(5);
    const cur = new DeliveryCursor(o.ob, "p", "oldest-first");
    cur.restart();
    const first = cur.take(3);
    o.ob.ack("p", first[0].qn); // 2 and 3 in flight when the connection drops
    cur.restart();
    assert.deepEqual(cur.take(10).map((p) => p.id), [2, 3, 4, 5]);
    assert.deepEqual(cur.take(10), [], "nothing twice on one connection");
  } finally {
    o.close();
  }
});

test("order defaults: oldest-first for http-json and mqtt, live-first for HJ 212", () => {
  const cfg = configSchema.parse({
    station: { name: "T", mn: MN }, storage: { path: "s.db" },
    platforms: [
      { id: "city", host: "h", port: 1, st: 22, pw: "p" },
      { id: "ops", protocol: "http-json", url: "http://h/in" },
      { id: "fleet", protocol: "mqtt", url: "mqtt://h" },
      { id: "ops2", protocol: "http-json", url: "http://h/in", order: "live-first" },
    ],
  });
  assert.deepEqual(cfg.platforms.map((p) => p.order), ["live-first", "oldest-first", "oldest-first", "live-first"]);
  assert.ok(!configSchema.safeParse({ station: { name: "T", mn: MN }, storage: { path: "s.db" }, platforms: [{ id: "x", protocol: "mqtt", url: "mqtt://h", order: "newest" }] }).success);
});
