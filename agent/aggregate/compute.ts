// Pure aggregation of one channel over one period: a minute from its readings, a longer period
// from the aggregates of its parts (N-minute and hour from minutes, day from hours).
import type { Aggregate, StoredReading } from "../types.js";
import { flagRank, FLAG_PRECEDENCE } from "../../config/flags.js";
import { dayNightLevels, energyMean, percentileLevels } from "./noise.js";

/** The station's one flag precedence (config/flags.ts), re-exported for aggregation's readers. */
export { FLAG_PRECEDENCE };

export interface PeriodKey {
  periodStart: number;
  periodS: number;
}

export interface AggregateOptions {
  /** Valid parts (readings, minutes, hours) the period needs to be valid (default 1). */
  minValid?: number;
  /** Flag of a period with some valid parts but fewer than minValid (default H). */
  invalidFlag?: Aggregate["flag"];
  /** Sound levels: energy average and percentile levels instead of arithmetic means. */
  energy?: boolean;
  /** Validity sentence for the number of valid parts (stored with the aggregate). */
  note?: (valid: number) => string;
}

/** One part of a period: a reading (value = min = max) or a sub-period's aggregate. */
interface Part {
  value: number | null;
  min: number | null;
  max: number | null;
  flag: string;
}

const finite = (v: number | null): v is number => v !== null && Number.isFinite(v);

interface Summary {
  min: number | null;
  avg: number | null;
  max: number | null;
  count: number;
  flag: Aggregate["flag"];
  used: number[];
}

/**
 * Min/avg/max over the valid (flag N) parts. Enough valid parts: N. Some, but too few: the
 * invalid flag (H), over the valid ones. None: over the values there are, carrying the most
 * severe flag among them (a platform sees "C" during a calibration rather than a gap); with no
 * flag to carry (parts all H, or no value at all), H or B.
 */
function summarize(parts: readonly Part[], opts: AggregateOptions): Summary {
  const minValid = opts.minValid ?? 1;
  const valid = parts.filter((p) => p.flag === "N" && finite(p.value));
  let used = valid;
  let flag: Aggregate["flag"] = valid.length >= minValid ? "N" : (opts.invalidFlag ?? "H");
  if (valid.length === 0) {
    used = parts.filter((p) => finite(p.value));
    let worst: string = "N";
    for (const p of parts) if (FLAG_PRECEDENCE.includes(p.flag as never) && flagRank(p.flag) < flagRank(worst)) worst = p.flag;
    flag = worst !== "N" ? (worst as Aggregate["flag"]) : parts.some((p) => p.flag === "H") ? (opts.invalidFlag ?? "H") : "B";
  }
  let min: number | null = null;
  let max: number | null = null;
  let sum = 0;
  const values: number[] = [];
  for (const p of used) {
    const v = p.value as number;
    const lo = finite(p.min) ? p.min : v;
    const hi = finite(p.max) ? p.max : v;
    if (min === null || lo < min) min = lo;
    if (max === null || hi > max) max = hi;
    sum += v;
    values.push(v);
  }
  const avg = !values.length ? null : opts.energy ? energyMean(values) : sum / values.length;
  return { min, avg, max, count: valid.length, flag, used: values };
}

/** A minute (or any period built from readings) of one channel. `readings` all belong to one analyzer channel. */
export function aggregateChannel(readings: readonly StoredReading[], key: PeriodKey, opts: AggregateOptions = {}): Aggregate | null {
  if (readings.length === 0) return null;
  const first = readings[0];
  const s = summarize(readings.map((r) => ({ value: r.value, min: r.value, max: r.value, flag: r.flag })), opts);
  const out: Aggregate = {
    analyzer: first.analyzer, channel: first.channel, code: first.code, unit: first.unit,
    periodStart: key.periodStart, periodS: key.periodS,
    min: s.min, avg: s.avg, max: s.max, count: s.count, total: readings.length, flag: s.flag,
  };
  if (opts.energy) {
    const p = percentileLevels(s.used);
    if (p) out.stats = p;
  }
  if (opts.note) out.note = opts.note(s.count);
  return out;
}

export interface CombineOptions extends AggregateOptions {
  /** Sound levels: the period's valid readings, for exact percentile levels. */
  samples?: readonly number[];
  /** Local hour of day of an instant, for Ld/Ln of a day of sound levels. */
  localHour?: (ms: number) => number;
}

/**
 * A longer period of one channel from the aggregates of its parts (minutes or hours). The
 * average is the mean of the valid parts' averages (energy mean for sound levels); missing
 * parts count as not valid.
 */
export function combineChannel(parts: readonly Aggregate[], key: PeriodKey, opts: CombineOptions = {}): Aggregate | null {
  if (parts.length === 0) return null;
  const first = parts[0];
  const s = summarize(parts.map((a) => ({ value: a.avg, min: a.min, max: a.max, flag: a.flag })), opts);
  const out: Aggregate = {
    analyzer: first.analyzer, channel: first.channel, code: first.code, unit: first.unit,
    periodStart: key.periodStart, periodS: key.periodS,
    min: s.min, avg: s.avg, max: s.max, count: s.count, total: parts.length, flag: s.flag,
  };
  if (opts.energy) {
    const stats: Record<string, number> = { ...(opts.samples ? percentileLevels(opts.samples) : null) };
    if (opts.localHour) {
      const hourly = new Map<number, number>();
      for (const a of parts) if (a.flag === "N" && finite(a.avg)) hourly.set(opts.localHour(a.periodStart), a.avg);
      for (const [k, v] of Object.entries(dayNightLevels(hourly))) if (v !== null) stats[k] = v;
    }
    if (Object.keys(stats).length) out.stats = stats;
  }
  if (opts.note) out.note = opts.note(s.count);
  return out;
}

/** Groups by analyzer channel, in first-seen order. */
export function groupByChannel<T extends { analyzer: string; channel: string }>(rows: readonly T[]): T[][] {
  const groups = new Map<string, T[]>();
  for (const r of rows) {
    const k = `${r.analyzer}\u0000${r.channel}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(r);
  }
  return [...groups.values()];
}

/** Groups a period's readings by analyzer channel and aggregates each group. */
export function aggregatePeriod(
  readings: readonly StoredReading[],
  key: PeriodKey,
  optsOf: (analyzer: string, channel: string, unit: string) => AggregateOptions = () => ({}),
): Aggregate[] {
  const out: Aggregate[] = [];
  for (const g of groupByChannel(readings)) {
    const a = aggregateChannel(g, key, optsOf(g[0].analyzer, g[0].channel, g[0].unit));
    if (a) out.push(a);
  }
  return out;
}
