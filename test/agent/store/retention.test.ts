import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { AggregateStore } from "../../../agent/aggregate/store.js";
import { openDb } from "../../../agent/store/db.js";
import { ReadingStore } from "../../../agent/store/readings.js";
import { prune, safeCutoff } from "../../../agent/store/retention.js";
import { Outbox } from "../../../agent/uplink/outbox.js";
import { tempDir } from "../../helpers/station.js";

const DAY = 86_400_000;

test("safe cutoff: undelivered data and open periods pull it back", () => {
  assert.equal(safeCutoff(100, null, null), 100);
  assert.equal(safeCutoff(100, 40, null), 40);
  assert.equal(safeCutoff(100, null, 70), 70);
  assert.equal(safeCutoff(100, 140, 170), 100);
});

test("retention never deletes what a platform has not acknowledged", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const db = openDb(join(dir, "s.db"));
    const readings = new ReadingStore(db);
    const aggregates = new AggregateStore(db, readings, "Asia/Shanghai");
    const outbox = new Outbox(db, "Asia/Shanghai");
    const now = Date.UTC(2026, 10, 23);
    // One reading a day for 200 days.
    readings.insert(
      Array.from({ length: 200 }, (_, i) => ({
        ts: now - (200 - i) * DAY, analyzer: "o3", channel: "o3", code: "a05024", value: i, unit: "ppb", flag: "N" as const, state: "ok", raw: null, source: "t@1",
      })),
    );
    // A packet about data of 150 days ago was never acknowledged (a platform down for months),
    // and an old one was.
    const [pending, old] = outbox.enqueue([
      { platform: "national", cn: "2031", dataTime: now - 150 * DAY, cp: "x", ackRequired: true },
      { platform: "city", cn: "2031", dataTime: now - 190 * DAY, cp: "y", ackRequired: true },
    ]);
    outbox.ack("city", old.qn, now - 189 * DAY);

    const first = await prune(db, { readings, aggregates, outbox }, { rawDays: 90, aggregateDays: 180 }, now);
    assert.equal(first.readings, 50, "only the 50 days before the pending packet's data");
    assert.equal(readings.oldestTs(), now - 150 * DAY);
    assert.equal(first.packets, 1, "the delivered packet older than 180 days");
    assert.ok(outbox.get("national", pending.qn), "the pending packet is kept");

    outbox.ack("national", pending.qn, now);
    const second = await prune(db, { readings, aggregates, outbox }, { rawDays: 90, aggregateDays: 180 }, now);
    assert.equal(second.readings, 60, "now down to the 90-day limit");
    assert.equal(readings.oldestTs(), now - 90 * DAY);
    assert.equal(readings.count(), 90);
    assert.equal(db.pragma("integrity_check", { simple: true }), "ok");
    db.close();
  } finally {
    cleanup();
  }
});
