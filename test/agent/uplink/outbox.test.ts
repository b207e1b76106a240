import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { openDb } from "../../../agent/store/db.js";
import { Outbox, QnClock } from "../../../agent/uplink/outbox.js";
import { tempDir } from "../../helpers/station.js";

const TZ = "Asia/Shanghai";

test("QN is unique at thousands of packets per millisecond and never goes backwards", () => {
  let now = Date.UTC(2026, 10, 23, 5, 0, 0, 0);
  const clock = new QnClock(0, TZ, () => now);
  const seen = new Set<string>();
  let prev = "";
  for (let i = 0; i < 5000; i++) {
    if (i === 2500) now -= 3_600_000; // the clock steps back an hour
    const { qn } = clock.next();
    assert.match(qn, /^\d{17}$/);
    assert.ok(qn > prev, `${qn} after ${prev}`);
    prev = qn;
    seen.add(qn);
  }
  assert.equal(seen.size, 5000);
  assert.equal(clock.next().qn.slice(0, 8), "20261123");
});

test("outbox: pending oldest first, acks by QN, QN clock survives a reopen", () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, "o.db");
    let db = openDb(path);
    let ob = new Outbox(db, TZ);
    const made = ob.enqueue(
      Array.from({ length: 5 }, (_, i) => ({ platform: i % 2 ? "prov" : "city", cn: "2051", dataTime: i * 60000, cp: `DataTime=${i}`, ackRequired: true })),
    );
    assert.deepEqual(ob.pending("city", 10).map((p) => p.cp), ["DataTime=0", "DataTime=2", "DataTime=4"]);
    assert.deepEqual(ob.pending("city", 10, made[0].id).map((p) => p.cp), ["DataTime=2", "DataTime=4"]);
    assert.deepEqual(ob.pending("city", 1).map((p) => p.cp), ["DataTime=0"]);
    assert.equal(ob.ack("city", made[2].qn), true);
    assert.equal(ob.ack("city", made[2].qn), false, "second ack of the same QN is not new");
    assert.equal(ob.ack("city", made[1].qn), false, "a QN of another platform is unknown here");
    assert.equal(ob.ackMany("prov", [{ qn: made[1].qn, at: 1 }, { qn: "nope", at: 1 }]), 1);
    assert.deepEqual(ob.pending("city", 10).map((p) => p.cp), ["DataTime=0", "DataTime=4"]);
    const b = ob.backlog("city");
    assert.equal(b.pending, 2);
    assert.equal(b.acked, 1);
    assert.equal(b.oldestPendingTime, 0);
    const lastQn = made.at(-1)!.qn;
    db.close();

    db = openDb(path);
    ob = new Outbox(db, TZ);
    const [again] = ob.enqueue([{ platform: "city", cn: "2011", dataTime: 0, cp: "x", ackRequired: true }]);
    assert.ok(again.qn > lastQn, "QNs after a restart are after every QN before it");
    assert.equal(ob.get("city", made[4].qn)?.cp, "DataTime=4");
    db.close();
  } finally {
    cleanup();
  }
});
