// Aggregation periods are aligned in station local time (HJ 212 DataTime = period start, local).
import { tzOffsetMs } from "../time.js";

/** Start (ms UTC) of the period of length `periodS` seconds that contains `ms`, aligned in zone `tz`. */
export function periodStartOf(ms: number, periodS: number, tz: string): number {
  const p = periodS * 1000;
  const off = tzOffsetMs(ms, tz);
  return Math.floor((ms + off) / p) * p - off;
}
