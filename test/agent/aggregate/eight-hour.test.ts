import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { eightHourMean, EIGHT_HOURS_S } from "../../../agent/aggregate/eight-hour.js";
import { AggregateStore } from "../../../agent/aggregate/store.js";
import { openDb } from "../../../agent/store/db.js";
import { ReadingStore } from "../../../agent/store/readings.js";
import type { Aggregate } from "../../../agent/types.js";
import { tempDir } from "../../helpers/station.js";

const H = 3_600_000;
const T = Date.UTC(2026, 10, 23, 0);
const hour = (i: number, avg: number | null, flag: Aggregate["flag"] = "N"): Aggregate => ({
  analyzer: "o3", channel: "o3", code: "a05024", unit: "ppb", periodStart: T + i * H, periodS: 3600,
  min: avg, avg, max: avg, count: 45, total: 60, flag,
});
const rule = { minValid: 6, invalidFlag: "H" as const, standard: "HJ 663-2013 / GB 3095-2012" };

test("8 valid hours: the mean of the hourly means, the window starting 7 hours before", () => {
  const m = eightHourMean([0, 1, 2, 3, 4, 5, 6, 7].map((i) => hour(i, 10 * (i + 1))), T + 7 * H, rule)!;
  assert.equal(m.avg, 45);
  assert.equal(m.periodStart, T);
  assert.equal(m.periodS, EIGHT_HOURS_S);
  assert.deepEqual([m.count, m.total, m.flag, m.min, m.max], [8, 8, "N", 10, 80]);
});

test("the 6-of-8 rule at its boundary: 6 valid hours pass, 5 do not (still produced, flagged H)", () => {
  const six = [0, 1, 2, 3, 4, 5].map((i) => hour(i, 50)).concat([hour(6, 99, "H"), hour(7, null, "B")]);
  assert.equal(eightHourMean(six, T + 7 * H, rule)!.flag, "N");
  assert.equal(eightHourMean(six, T + 7 * H, rule)!.avg, 50, "invalid hours are left out of the mean");
  const five = six.slice(1);
  const m = eightHourMean(five, T + 7 * H, rule)!;
  assert.deepEqual([m.flag, m.count, m.avg], ["H", 5, 50]);
  assert.match(m.note!, /5 valid hours.*needs 6.*insufficient/);
});

test("hours outside the window or of another period are ignored; no hour, no mean", () => {
  assert.equal(eightHourMean([hour(-1, 5), hour(8, 5)], T + 7 * H, rule), null);
});

test("closing hours stores the O3 8-hour means of the windows they complete", () => {
  const { dir, cleanup } = tempDir();
  try {
    const db = openDb(join(dir, "s.db"));
    const store = new AggregateStore(db, new ReadingStore(db), "Asia/Shanghai");
    const hours = Array.from({ length: 10 }, (_, i) => hour(i, i));
    // As if these hours had just been closed: saved first, then the windows they complete.
    (store as unknown as { save(a: Aggregate[]): void }).save(hours);
    const means = store.updateEightHour(hours, T + 10 * H);
    const stored = store.list(EIGHT_HOURS_S, T - 8 * H, T + 10 * H);
    assert.equal(stored.length, means.length);
    const full = stored.find((m) => m.periodStart === T + 2 * H)!; // hours 2..9
    assert.equal(full.avg, 5.5);
    assert.equal(full.flag, "N");
    assert.equal(stored.find((m) => m.periodStart === T - 7 * H)!.flag, "B", "a window with only its last hour: 7 missing hours, main cause B");
    db.close();
  } finally {
    cleanup();
  }
});
