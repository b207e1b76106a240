// Pure aggregation of one channel over one period: a minute from its readings, a longer period
// from the aggregates of its parts (N-minute and hour from minutes, day from hours).
import type { Aggregate } from "../types.js";
import type { MinuteInput } from "../qc/store.js";
import { flagRank, FLAG_PRECEDENCE } from "../../config/flags.js";
import { dayNightLevels, energyMean, percentileLevels, sampleStats, type DayHours } from "./noise.js";

/** The station's one flag precedence (config/flags.ts), re-exported for aggregation's readers. */
export { FLAG_PRECEDENCE };

export interface PeriodKey {
  periodStart: number;
  periodS: number;
}

/** Flag of a period that misses its validity rule: "cause" (HJ 212 Table 8), or a letter a platform asked for. */
export type InvalidFlag = Aggregate["flag"] | "cause";

export interface AggregateOptions {
  /** Valid parts (readings, minutes, hours) the period needs to be valid (default 1). */
  minValid?: number;
  /**
   * Flag of a period that misses its rule (default "cause": the flag of its main cause). A letter
   * is given to a period with some valid parts but too few, as before.
   */
  invalidFlag?: InvalidFlag;
  /** Parts a full period has (60 minutes in an hour, 24 hours in a day): the missing ones count as B. */
  expectedParts?: number;
  /** Sound levels: energy average and percentile levels instead of arithmetic means. */
  energy?: boolean;
  /** Validity sentence for the number of valid parts (stored with the aggregate). */
  note?: (valid: number) => string;
}

/** One part of a period: a reading (value = min = max) or a sub-period's aggregate. */
interface Part {
  value: number | null;
  /** Absent for a reading: its value. */
  min?: number | null;
  max?: number | null;
  flag: string;
}

const finite = (v: number | null | undefined): v is number => v !== null && v !== undefined && Number.isFinite(v);

interface Summary {
  min: number | null;
  avg: number | null;
  max: number | null;
  count: number;
  flag: Aggregate["flag"];
  used: number[];
}

/**
 * The flag of a period's main cause of invalidity (HJ 212-2017 Table 8 defines no other letter):
 * the flag most of its invalid parts carry, missing parts counting as B (nothing came), ties to
 * the flag first in the station's precedence. A part flagged N without a value, or with a letter
 * the table lacks (an H stored by an older version), counts as B.
 */
export function mainCause(parts: ReadonlyArray<{ flag: string; value: number | null }>, missing = 0): Aggregate["flag"] {
  const count = new Map<string, number>([["B", Math.max(0, missing)]]);
  for (const p of parts) {
    if (p.flag === "N" && finite(p.value)) continue;
    const f = p.flag !== "N" && FLAG_PRECEDENCE.includes(p.flag as never) ? p.flag : "B";
    count.set(f, (count.get(f) ?? 0) + 1);
  }
  let best = "B";
  for (const [f, n] of count) {
    const b = count.get(best)!;
    if (n > b || (n === b && flagRank(f) < flagRank(best))) best = f;
  }
  return best as Aggregate["flag"];
}

/**
 * Min/avg/max over the valid (flag N) parts. Enough valid parts: N. Some, but too few: the flag of
 * the main cause (or the configured letter), over the valid ones. None: over the values there
 * are, with the main cause's flag (a platform sees "C" during a calibration rather than a gap);
 * with a configured letter, the most severe flag among them, as before.
 */
function summarize(parts: readonly Part[], opts: AggregateOptions): Summary {
  const minValid = opts.minValid ?? 1;
  const invalid = opts.invalidFlag ?? "cause";
  const missing = Math.max(0, (opts.expectedParts ?? 0) - parts.length);
  const valid = parts.filter((p) => p.flag === "N" && finite(p.value));
  let used = valid;
  let flag: Aggregate["flag"] = valid.length >= minValid ? "N" : invalid === "cause" ? mainCause(parts, missing) : invalid;
  if (valid.length === 0) {
    used = parts.filter((p) => finite(p.value));
    if (invalid !== "cause") {
      let worst: string = "N";
      for (const p of parts) if (FLAG_PRECEDENCE.includes(p.flag as never) && flagRank(p.flag) < flagRank(worst)) worst = p.flag;
      flag = worst !== "N" ? (worst as Aggregate["flag"]) : parts.some((p) => p.flag === "H") ? invalid : "B";
    }
  }
  let min: number | null = null;
  let max: number | null = null;
  let sum = 0;
  const values: number[] = [];
  for (let i = 0; i < used.length; i++) {
    const p = used[i];
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

/** What a minute's aggregate reads of a reading (the rows qc/store.ts's minuteInputsBetween gives). */
export type ReadingPart = MinuteInput;

/** A minute (or any period built from readings) of one channel. `readings` all belong to one analyzer channel. */
export function aggregateChannel(readings: readonly ReadingPart[], key: PeriodKey, opts: AggregateOptions = {}): Aggregate | null {
  if (readings.length === 0) return null;
  const first = readings[0];
  // A reading is its own part (min = max = value): no copy per reading.
  const s = summarize(readings, opts);
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
  /** Sound levels, a day: the valid readings of its day time and of its night time, and which hours are day. */
  daySamples?: readonly number[];
  nightSamples?: readonly number[];
  dayHours?: DayHours;
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
      for (const [k, v] of Object.entries(dayNightLevels(hourly, opts.dayHours))) if (v !== null) stats[k] = v;
    }
    // HJ 212-2017 C.28: a day of noise also carries its day-time and night-time sets.
    if (opts.daySamples) Object.assign(stats, sampleStats(opts.daySamples, "day."));
    if (opts.nightSamples) Object.assign(stats, sampleStats(opts.nightSamples, "night."));
    if (Object.keys(stats).length) out.stats = stats;
  }
  if (opts.note) out.note = opts.note(s.count);
  return out;
}

/** Groups by analyzer channel, in first-seen order. */
export function groupByChannel<T extends { analyzer: string; channel: string }>(rows: readonly T[]): T[][] {
  // Keyed analyzer, then channel: no key string built per row (a minute has thousands of rows).
  const byAnalyzer = new Map<string, Map<string, T[]>>();
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    let channels = byAnalyzer.get(r.analyzer);
    if (!channels) byAnalyzer.set(r.analyzer, (channels = new Map()));
    let g = channels.get(r.channel);
    if (!g) {
      channels.set(r.channel, (g = []));
      out.push(g);
    }
    g.push(r);
  }
  return out;
}

/** Groups a period's readings by analyzer channel and aggregates each group. */
export function aggregatePeriod(
  readings: readonly ReadingPart[],
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
