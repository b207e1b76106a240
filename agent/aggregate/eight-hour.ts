// The O3 8-hour moving mean (GB 3095-2012 §7 / HJ 663-2013): the mean of an hour and the 7 before
// it, valid when at least 6 of those hourly means are valid. Ozone's daily standard is on this
// figure, so it is kept with the other aggregates (period_s 28800, period start = the window's
// first hour); it is derived, not uploaded: platforms ask for hours and compute it themselves.
import type { Aggregate } from "../types.js";
import { mainCause, type InvalidFlag } from "./compute.js";

export const O3_CODE = "a05024";
export const EIGHT_HOURS_S = 8 * 3600;
const HOUR = 3_600_000;

/**
 * The 8-hour mean whose last hour starts at `lastHourStart`, from `hours`: hourly aggregates of
 * one analyzer channel (others and those outside the window are ignored). Null without any hour.
 */
export function eightHourMean(hours: readonly Aggregate[], lastHourStart: number, rule: { minValid: number; invalidFlag: InvalidFlag; standard: string }): Aggregate | null {
  const from = lastHourStart - 7 * HOUR;
  const inWindow = hours.filter((h) => h.periodS === 3600 && h.periodStart >= from && h.periodStart <= lastHourStart);
  if (!inWindow.length) return null;
  const valid = inWindow.filter((h) => h.flag === "N" && h.avg !== null && Number.isFinite(h.avg));
  const avgs = valid.map((h) => h.avg as number);
  const first = inWindow[0];
  const ok = valid.length >= rule.minValid;
  return {
    analyzer: first.analyzer,
    channel: first.channel,
    code: first.code,
    unit: first.unit,
    periodStart: from,
    periodS: EIGHT_HOURS_S,
    min: avgs.length ? Math.min(...avgs) : null,
    max: avgs.length ? Math.max(...avgs) : null,
    avg: avgs.length ? avgs.reduce((s, v) => s + v, 0) / avgs.length : null,
    count: valid.length,
    total: inWindow.length,
    flag: ok ? "N" : rule.invalidFlag === "cause" ? mainCause(inWindow.map((h) => ({ flag: h.flag, value: h.avg })), 8 - inWindow.length) : rule.invalidFlag,
    note: `${valid.length} valid hours, ${rule.standard} needs ${rule.minValid} for the O3 8-hour mean: ${ok ? "valid" : "insufficient"}`,
  };
}
