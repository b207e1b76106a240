import { test } from "node:test";
import assert from "node:assert/strict";
import { combineChannel, mainCause } from "../../../agent/aggregate/compute.js";
import { PRESETS, requiredValid, resolveValidity, validityNote } from "../../../agent/aggregate/validity.js";
import { dayNightLevels, energyMean, percentileLevels } from "../../../agent/aggregate/noise.js";
import { aggregationSchema } from "../../../config/schema-qc.js";
import type { Aggregate } from "../../../agent/types.js";

const part = (i: number, flag: Aggregate["flag"], periodS = 60, avg = 10): Aggregate => ({
  analyzer: "o3", channel: "o3", code: "a05024", unit: "ppb", periodStart: i * periodS * 1000, periodS,
  min: avg - 1, avg, max: avg + 1, count: flag === "N" ? 6 : 0, total: 6, flag,
});
const air = resolveValidity(aggregationSchema.parse({ preset: "ambient-air" }));
const opts = (periodS: number, partS: number) => ({ minValid: requiredValid(air, periodS), invalidFlag: air.invalidFlag, expectedParts: periodS / partS });

const boundaries: { name: string; periodS: number; partS: number; valid: number; invalid: number; invalidFlag?: Aggregate["flag"]; want: string }[] = [
  { name: "hour with 45 valid minutes", periodS: 3600, partS: 60, valid: 45, invalid: 15, want: "N" },
  { name: "hour with 44 valid minutes, 16 in maintenance", periodS: 3600, partS: 60, valid: 44, invalid: 16, want: "M" },
  { name: "hour with 44 valid minutes and the rest missing", periodS: 3600, partS: 60, valid: 44, invalid: 0, want: "B" },
  { name: "hour with 45 valid minutes and the rest missing", periodS: 3600, partS: 60, valid: 45, invalid: 0, want: "N" },
  { name: "day with 20 valid hours", periodS: 86400, partS: 3600, valid: 20, invalid: 4, want: "N" },
  { name: "day with 19 valid hours", periodS: 86400, partS: 3600, valid: 19, invalid: 5, want: "M" },
  { name: "5-minute period with 4 valid minutes", periodS: 300, partS: 60, valid: 4, invalid: 1, want: "N" },
  { name: "5-minute period with 3 valid minutes", periodS: 300, partS: 60, valid: 3, invalid: 2, want: "M" },
  { name: "hour without valid minute: the flag of its minutes", periodS: 3600, partS: 60, valid: 0, invalid: 60, want: "M" },
  { name: "hour with 30 valid minutes, 20 in maintenance, 10 missing", periodS: 3600, partS: 60, valid: 30, invalid: 20, want: "M" },
  { name: "hour with 40 valid minutes, 5 in maintenance, 15 missing", periodS: 3600, partS: 60, valid: 40, invalid: 5, want: "B" },
];

for (const b of boundaries) {
  test(`ambient air: ${b.name} → ${b.want}`, () => {
    const parts = [...Array.from({ length: b.valid }, (_, i) => part(i, "N", b.partS, 10)), ...Array.from({ length: b.invalid }, (_, i) => part(b.valid + i, "M", b.partS, 500))];
    const a = combineChannel(parts, { periodStart: 0, periodS: b.periodS }, opts(b.periodS, b.partS))!;
    assert.equal(a.flag, b.want);
    assert.equal(a.count, b.valid);
    assert.equal(a.total, b.valid + b.invalid);
    // Values come from the valid parts only, when there are any: an invalid aggregate is still produced.
    if (b.valid) assert.deepEqual([a.min, a.avg, a.max], [9, 10, 11]);
  });
}

test("the main cause: most invalid parts, missing ones as B, ties to the precedence; never a letter Table 8 lacks", () => {
  const p = (flag: string, value: number | null = 1) => ({ flag, value });
  assert.equal(mainCause([p("C"), p("C"), p("D")]), "C");
  assert.equal(mainCause([p("C"), p("D")]), "D", "a tie goes to the flag first in F > D > M > C > B > T > S");
  assert.equal(mainCause([p("C")], 3), "B");
  assert.equal(mainCause([p("H"), p("H"), p("M")]), "B", "an old H counts as B");
  assert.equal(mainCause([p("N", null), p("N", null), p("T")]), "B", "N without a value: nothing came");
  assert.equal(resolveValidity(aggregationSchema.parse({})).invalidFlag, "cause", "the default");
});

test("an insufficient period takes the configured invalid flag", () => {
  const r = resolveValidity(aggregationSchema.parse({ invalid_flag: "D" }));
  const a = combineChannel(Array.from({ length: 10 }, (_, i) => part(i, "N")), { periodStart: 0, periodS: 3600 }, { minValid: requiredValid(r, 3600), invalidFlag: r.invalidFlag })!;
  assert.equal(a.flag, "D");
});

test("presets name their standard and their thresholds", () => {
  assert.deepEqual([PRESETS["ambient-air"].hourMinValidMinutes, PRESETS["ambient-air"].dayMinValidHours, PRESETS["ambient-air"].eightHourMinValidHours], [45, 20, 6]);
  assert.match(PRESETS["ambient-air"].standard, /HJ 663/);
  assert.match(PRESETS["pollution-source"].standard, /HJ 75/);
  assert.equal(PRESETS["surface-water"].hourMinValidMinutes, 1, "one measurement per cycle is enough for its hour");
  assert.equal(validityNote(air, 3600, 44), "44 valid minutes, HJ 663-2013 / GB 3095-2012 needs 45: insufficient");
});

test("an analyzer's keys override the station's; its own preset starts from that preset's numbers", () => {
  const station = aggregationSchema.parse({ preset: "ambient-air", hour_min_valid_minutes: 50 });
  assert.equal(resolveValidity(station).hourMinValidMinutes, 50);
  assert.equal(resolveValidity(station, { day_min_valid_hours: 18 }).dayMinValidHours, 18);
  assert.equal(resolveValidity(station, { day_min_valid_hours: 18 }).hourMinValidMinutes, 50);
  assert.equal(resolveValidity(station, { preset: "surface-water" }).hourMinValidMinutes, 1);
});

test("noise: energy average, percentile levels, day/night levels", () => {
  assert.equal(energyMean([60, 60]), 60);
  assert.ok(Math.abs(energyMean([50, 60])! - 57.403626894942) < 1e-9, "10·log10((10^5 + 10^6)/2)");
  assert.equal(energyMean([]), null);
  const levels = Array.from({ length: 100 }, (_, i) => 40 + i / 10); // 40.0 … 49.9
  assert.deepEqual(percentileLevels(levels), { L5: 49.4, L10: 48.9, L50: 44.9, L90: 40.9, L95: 40.4 });
  const hourly = new Map<number, number>(Array.from({ length: 24 }, (_, h) => [h, h >= 6 && h < 22 ? 60 : 50]));
  const dn = dayNightLevels(hourly);
  assert.equal(dn.Ld, 60);
  assert.equal(dn.Ln, 50);
  assert.ok(Math.abs(dn.Ldn! - 60) < 1e-9, "a night 10 dB quieter weighs like the day with the 10 dB penalty");
});

test("noise hour: Leq of minute Leqs, percentiles from the samples", () => {
  const mins = [part(0, "N", 60, 50), part(1, "N", 60, 60)];
  const a = combineChannel(mins, { periodStart: 0, periodS: 3600 }, { minValid: 1, energy: true, samples: [50, 60] })!;
  assert.ok(Math.abs(a.avg! - 57.403626894942) < 1e-9);
  assert.equal(a.stats?.L10, 60);
  assert.equal(a.stats?.L90, 50);
});
