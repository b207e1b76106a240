// The once-a-second close (agent/uplink/period-uploads.ts) on a real SQLite file: between period
// boundaries it returns without its transaction, yet whatever a close would find still goes out at
// the next tick: a late reading stored here, a reading written by another connection (the CLI).
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { configSchema } from "../../../config/schema.js";
import { AggregateStore } from "../../../agent/aggregate/store.js";
import { EventBus } from "../../../agent/events.js";
import { silentLogger } from "../../../agent/log.js";
import { QcEngine } from "../../../agent/qc/engine.js";
import { openDb } from "../../../agent/store/db.js";
import { storeBatch } from "../../../agent/store/ingest.js";
import { ReadingStore } from "../../../agent/store/readings.js";
import { buildLookup } from "../../../agent/uplink/channels.js";
import { Outbox } from "../../../agent/uplink/outbox.js";
import { PeriodUploads } from "../../../agent/uplink/period-uploads.js";
import { parseHj212Time } from "../../../agent/time.js";
import type { Reading } from "../../../agent/types.js";
import { MN, tempDir } from "../../helpers/station.js";

const TZ = "Asia/Shanghai";
const T0 = parseHj212Time("20260101080000", TZ);

test("period tick: idle seconds queue nothing; a late reading, or one another connection wrote, is re-sent at the next tick", () => {
  const { dir, cleanup } = tempDir();
  const path = join(dir, "s.db");
  try {
    const cfg = configSchema.parse({
      station: { name: "t", mn: MN, timezone: TZ },
      storage: { path, batch_ms: 0 },
      buses: [{ id: "b", type: "tcp", host: "127.0.0.1" }],
      analyzers: [{ id: "o3", driver: "teledyne-t400", bus: "b", slave: 1, channels: { o3: { code: "a05024" } } }],
      platforms: [{ id: "city", host: "127.0.0.1", port: 1, st: 22, pw: "123456", uploads: ["minute"] }],
    });
    const db = openDb(path);
    const readings = new ReadingStore(db);
    const engine = new QcEngine(db, cfg);
    const aggregates = new AggregateStore(db, readings, TZ);
    const outbox = new Outbox(db, TZ);
    const parts = { db, readings, readingChain: { append() {} }, qc: engine, aggregates, log: silentLogger };
    const reading = (ts: number, value: number): Reading => ({ ts, analyzer: "o3", channel: "o3", code: "a05024", value, unit: "ppb", flag: "N", state: "ok", raw: null, source: "test@1" });
    const ticker = new PeriodUploads({
      cfg, tz: TZ, lookup: buildLookup(cfg), events: new EventBus(), log: silentLogger,
      storage: { db, readings }, quality: { engine }, aggregation: { aggregates }, platforms: { outbox },
    });
    const pending = () => outbox.backlog("city").pending;
    const minuteAvg = () => aggregates.list(60, T0, T0 + 1).map((a) => a.avg);

    storeBatch(parts, [reading(T0 + 1000, 10), reading(T0 + 2000, 20)]);
    const now = T0 + 60_000 + 3000 + 10; // the minute 08:00 is over, grace included
    ticker.closePeriods(now);
    assert.equal(pending(), 1, "the closed minute is queued");
    assert.deepEqual(minuteAvg(), [15]);

    for (let s = 1; s <= 3; s++) ticker.closePeriods(now + s * 100);
    assert.equal(pending(), 1, "idle ticks queue nothing more");

    storeBatch(parts, [reading(T0 + 3000, 60)]); // late: its minute is closed already
    ticker.closePeriods(now + 400);
    assert.equal(pending(), 2, "the recomputed minute is queued again at the next tick");
    assert.deepEqual(minuteAvg(), [30]);

    // Another process (the CLI) writes a late reading and marks its minute dirty, on its own connection.
    const other = openDb(path);
    const otherReadings = new ReadingStore(other);
    other.transaction(() => {
      otherReadings.insert([reading(T0 + 4000, 110)]);
      new AggregateStore(other, otherReadings, TZ).noteStored([{ ts: T0 + 4000 }]);
    })();
    other.close();
    ticker.closePeriods(now + 500);
    assert.equal(pending(), 3, "what another connection wrote is seen at the next tick, not at the next boundary");
    assert.deepEqual(minuteAvg(), [50]);
    assert.equal(engine.screenedThrough, 4, "the tick's catch-up screened the other connection's reading");

    // A reading stored here without screening (as after a QC failure) is screened at the next tick.
    readings.insert([reading(T0 + 65_000, 1)]);
    ticker.closePeriods(now + 600);
    assert.equal(engine.screenedThrough, 5);
    db.close();
  } finally {
    cleanup();
  }
});
