// Retention: raw readings are pruned after storage.raw_retention_days, aggregates and delivered
// packets after storage.aggregate_retention_days, and never anything a platform has not
// acknowledged: nothing at or after the oldest pending packet's DataTime, nor in a period not
// closed yet. Deletes run in small chunks so polling goes on, and freed pages are handed back
// a little at a time (incremental vacuum), so the file never needs a full VACUUM.
import type { Db } from "./db.js";
import type { ReadingStore } from "./readings.js";

const DAY = 86_400_000;
const CHUNK = 20_000;

export interface RetentionPolicy {
  rawDays: number;
  aggregateDays: number;
}

export interface RetentionResult {
  readings: number;
  aggregates: number;
  packets: number;
  /** Everything before this was eligible; null when nothing could be pruned. */
  keptFrom: number | null;
}

/** What retention needs of the aggregates (aggregate/store.ts), downstream of the store. */
export interface PrunableAggregates {
  oldestOpenPeriod(): number | null;
  pruneBefore(before: number, limit: number): number;
}

/** What retention needs of the outbox (uplink/outbox.ts): nothing unacknowledged is pruned. */
export interface PrunableOutbox {
  oldestPendingDataTime(): number | null;
  pruneAckedBefore(before: number, limit: number): number;
}

/** The instant before which data may go: the retention cutoff, pulled back by undelivered data. */
export function safeCutoff(cutoff: number, oldestPending: number | null, oldestOpen: number | null): number {
  return Math.min(cutoff, oldestPending ?? Infinity, oldestOpen ?? Infinity);
}

export async function prune(
  db: Db,
  stores: { readings: ReadingStore; aggregates: PrunableAggregates; outbox: PrunableOutbox },
  policy: RetentionPolicy,
  now = Date.now(),
): Promise<RetentionResult> {
  const pending = stores.outbox.oldestPendingDataTime();
  const open = stores.aggregates.oldestOpenPeriod();
  const rawBefore = safeCutoff(now - policy.rawDays * DAY, pending, open);
  const aggBefore = safeCutoff(now - policy.aggregateDays * DAY, pending, open);
  const result: RetentionResult = { readings: 0, aggregates: 0, packets: 0, keptFrom: rawBefore };
  const chunked = async (del: () => number): Promise<number> => {
    let total = 0;
    for (;;) {
      const n = db.transaction(del)();
      total += n;
      if (n < CHUNK) return total;
      await new Promise((r) => setImmediate(r)); // let the poll loop in between chunks
    }
  };
  result.readings = await chunked(() => stores.readings.pruneBefore(rawBefore, CHUNK));
  result.aggregates = await chunked(() => stores.aggregates.pruneBefore(aggBefore, CHUNK));
  result.packets = await chunked(() => stores.outbox.pruneAckedBefore(now - policy.aggregateDays * DAY, CHUNK));
  if (result.readings + result.aggregates + result.packets > 0) db.pragma("incremental_vacuum(2000)");
  return result;
}
