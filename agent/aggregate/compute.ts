// Pure aggregation of one channel's readings over one period.
import type { Aggregate, Hj212Flag, StoredReading } from "../types.js";

/**
 * Which flag wins when readings in one period disagree and none is valid: the most severe
 * reason the period has no normal data. Stopped beats fault beats maintenance beats calibration…
 */
export const FLAG_PRECEDENCE: readonly Hj212Flag[] = ["F", "D", "M", "C", "B", "T", "S", "N"];

const rank = (f: Hj212Flag) => FLAG_PRECEDENCE.indexOf(f);

export interface PeriodKey {
  periodStart: number;
  periodS: number;
}

/**
 * Min/avg/max over the valid (flag N) values of one channel. With no valid value, the period
 * still gets an aggregate: over the values it has, carrying the most severe flag among them
 * (a platform sees "C" during a calibration rather than a gap); with no value at all, B.
 * `readings` must all belong to one analyzer channel.
 */
export function aggregateChannel(readings: readonly StoredReading[], key: PeriodKey): Aggregate | null {
  if (readings.length === 0) return null;
  const first = readings[0];
  const valid = readings.filter((r) => r.flag === "N" && r.value !== null && Number.isFinite(r.value));
  let used = valid;
  let flag: Aggregate["flag"] = "N";
  if (valid.length === 0) {
    used = readings.filter((r) => r.value !== null && Number.isFinite(r.value));
    flag = readings.reduce<Hj212Flag>((worst, r) => (rank(r.flag) < rank(worst) ? r.flag : worst), "N");
    if (flag === "N") flag = "B";
  }
  let min: number | null = null;
  let max: number | null = null;
  let sum = 0;
  for (const r of used) {
    const v = r.value as number;
    if (min === null || v < min) min = v;
    if (max === null || v > max) max = v;
    sum += v;
  }
  return {
    analyzer: first.analyzer,
    channel: first.channel,
    code: first.code,
    unit: first.unit,
    periodStart: key.periodStart,
    periodS: key.periodS,
    min,
    max,
    avg: used.length ? sum / used.length : null,
    count: valid.length,
    total: readings.length,
    flag,
  };
}

/** Groups a period's readings by analyzer channel and aggregates each group. */
export function aggregatePeriod(readings: readonly StoredReading[], key: PeriodKey): Aggregate[] {
  const groups = new Map<string, StoredReading[]>();
  for (const r of readings) {
    const k = `${r.analyzer}\u0000${r.channel}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(r);
  }
  const out: Aggregate[] = [];
  for (const g of groups.values()) {
    const a = aggregateChannel(g, key);
    if (a) out.push(a);
  }
  return out;
}
