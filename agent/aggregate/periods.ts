// Aggregation periods are aligned in station local time (HJ 212 DataTime = period start, local).
import { tzOffsetMs } from "../time.js";

/** Start (ms UTC) of the period of length `periodS` seconds that contains `ms`, aligned in zone `tz`. */
export function periodStartOf(ms: number, periodS: number, tz: string): number {
  const p = periodS * 1000;
  const off = tzOffsetMs(ms, tz);
  return Math.floor((ms + off) / p) * p - off;
}

/**
 * Every period length to close, shortest first, with the platforms that want each: minutes
 * always (hours are built from them), hours whenever days are wanted (days are built from them).
 */
export function periodsToClose(wanted: ReadonlyMap<number, string[]>): [number, string[]][] {
  const m = new Map(wanted);
  if (!m.has(60)) m.set(60, []);
  if (m.has(86400) && !m.has(3600)) m.set(3600, []);
  return [...m].sort((a, b) => a[0] - b[0]);
}
