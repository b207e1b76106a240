// Closing periods over a real SQLite store: minutes from readings with their effective flags,
// hours from minutes, and late readings recomputing closed periods.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { openDb, type Db } from "../../../agent/store/db.js";
import { ReadingStore } from "../../../agent/store/readings.js";
import { AggregateStore } from "../../../agent/aggregate/store.js";
import { QcStore } from "../../../agent/qc/store.js";
import type { Reading } from "../../../agent/types.js";
import { tempDir } from "../../helpers/station.js";

const H0 = Date.UTC(2026, 0, 1, 4); // 12:00 in Beijing
const r = (ts: number, value: number, flag: Reading["flag"] = "N"): Reading => ({
  ts, analyzer: "o3", channel: "o3", code: "a05024", value, unit: "ppb", flag, state: "ok", raw: null, source: "t@1",
});

function setup(fn: (s: { db: Db; readings: ReadingStore; aggs: AggregateStore; store: (rows: Reading[]) => void }) => void): void {
  const { dir, cleanup } = tempDir();
  const db = openDb(join(dir, "s.db"));
  const readings = new ReadingStore(db);
  const aggs = new AggregateStore(db, readings, "Asia/Shanghai");
  const store = (rows: Reading[]) =>
    db.transaction(() => {
      const first = readings.maxId() + 1;
      readings.insert(rows);
      aggs.noteStored(rows.map((x, i) => ({ ...x, id: first + i })));
    })();
  try {
    fn({ db, readings, aggs, store });
  } finally {
    db.close();
    cleanup();
  }
}

const close = (aggs: AggregateStore, db: Db, now: number) => db.transaction(() => [60, 3600].flatMap((p) => aggs.closePeriods(p, now, 0)))();

// 44: the 16 other minutes were calibration, so the hour's main cause is C (HJ 212 Table 8; no H).
for (const [minutes, flag] of [[45, "N"], [44, "C"]] as const) {
  test(`an hour with ${minutes} minutes of valid readings is ${flag}, and still produced`, () => {
    setup(({ db, aggs, store }) => {
      store(Array.from({ length: minutes }, (_, m) => r(H0 + m * 60_000 + 5000, 10 + (m % 2))));
      store(Array.from({ length: 60 - minutes }, (_, m) => r(H0 + (minutes + m) * 60_000 + 5000, 999, "C")));
      const out = close(aggs, db, H0 + 3600_000);
      const hour = out.find((a) => a.periodS === 3600)!;
      assert.equal(hour.flag, flag);
      assert.equal(hour.count, minutes);
      assert.equal(hour.total, 60);
      assert.ok(Math.abs(hour.avg! - 10.5) < 0.02, "average of valid minutes only");
      assert.match(hour.note!, new RegExp(`^${minutes} valid minutes`));
    });
  });
}

test("minutes use the effective flag: a QC flag invalidates a reading the instrument called normal", () => {
  setup(({ db, aggs, store }) => {
    store([r(H0 + 1000, 5), r(H0 + 2000, 500)]);
    new QcStore(db).addFlags(2, [{ flag: "T", rule: "range", reason: "over" }]);
    const [m] = close(aggs, db, H0 + 60_000).filter((a) => a.periodS === 60);
    assert.deepEqual([m.avg, m.count, m.total, m.flag], [5, 1, 2, "N"]);
  });
});

test("a late reading recomputes its closed minute, and the hour built from it", () => {
  setup(({ db, aggs, store }) => {
    store(Array.from({ length: 60 }, (_, m) => r(H0 + m * 60_000 + 1000, 10)));
    close(aggs, db, H0 + 3600_000);
    assert.deepEqual(close(aggs, db, H0 + 3600_000), [], "nothing new: nothing returned");
    store([r(H0 + 30_000, 40)]); // late, in the first minute (already closed)
    const again = close(aggs, db, H0 + 3600_000 + 1000);
    const minute = again.find((a) => a.periodS === 60)!;
    assert.equal(minute.periodStart, H0);
    assert.equal(minute.avg, 25);
    const hour = again.find((a) => a.periodS === 3600)!;
    assert.equal(hour.periodStart, H0);
    assert.equal(hour.avg, 10.25);
    assert.equal(aggs.list(60, H0, H0 + 1)[0].avg, 25, "stored");
  });
});

test("a late reading without a value still changes its minute (total)", () => {
  setup(({ db, aggs, store }) => {
    store([r(H0 + 1000, 10, "N"), r(H0 + 2000, 10, "N")]);
    close(aggs, db, H0 + 120_000);
    store([r(H0 + 3000, 10, "B")].map((x) => ({ ...x, value: null })));
    const again = close(aggs, db, H0 + 121_000).filter((a) => a.periodS === 60);
    assert.equal(again.length, 1, "total changed: 2 → 3");
    assert.equal(again[0].total, 3);
  });
});
