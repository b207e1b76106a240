// Running out of disk, gracefully. Below 10 % free the disk is "low" (an alarm, nothing else
// changes); below 2 % "critical": raw readings are kept at one per channel per minute — enough
// for every minute, hour and day value — instead of every poll, so the station keeps reporting
// for weeks longer while someone comes to fix it. Readings that cannot be written at all wait
// in memory up to a bound, then the oldest are dropped and counted: never silently.
import { statfsSync } from "node:fs";
import type { Reading } from "../types.js";

export type DiskLevel = "ok" | "low" | "critical";

export const LOW_FREE_PCT = 10;
export const CRITICAL_FREE_PCT = 2;
/** Readings held in memory while the database cannot take them (about 20 MB). */
export const MAX_PENDING_READINGS = 100_000;

export function diskLevel(freePct: number): DiskLevel {
  return freePct < CRITICAL_FREE_PCT ? "critical" : freePct < LOW_FREE_PCT ? "low" : "ok";
}

/** Free space of the filesystem holding `dir`, in percent; null where the OS cannot tell. */
export function freePercent(dir: string): number | null {
  try {
    const s = statfsSync(dir);
    return s.blocks > 0 ? (s.bavail / s.blocks) * 100 : null;
  } catch {
    return null;
  }
}

/** Keeps the first reading of each analyzer channel in each minute; the rest are counted. */
export class RawThrottle {
  private readonly lastMinute = new Map<string, number>();
  dropped = 0;

  filter(rows: readonly Reading[]): Reading[] {
    const out: Reading[] = [];
    for (const r of rows) {
      const key = `${r.analyzer}\u0000${r.channel}`;
      const minute = Math.floor(r.ts / 60_000);
      if (this.lastMinute.get(key) === minute) {
        this.dropped++;
        continue;
      }
      this.lastMinute.set(key, minute);
      out.push(r);
    }
    return out;
  }
}

/** Bounds a backlog of unwritten readings: drops the oldest beyond `max`. Returns how many went. */
export function boundPending(queue: Reading[], max = MAX_PENDING_READINGS): number {
  const excess = queue.length - max;
  if (excess <= 0) return 0;
  queue.splice(0, excess);
  return excess;
}
