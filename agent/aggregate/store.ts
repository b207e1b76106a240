// The aggregates table and the per-period-length cursor of what has been closed.
// Closing a period and enqueueing its packets happen in one transaction (see main.ts), so a
// crash either closes a period with its packets or not at all: never one without the other.
import type { Db } from "../store/db.js";
import { migrate } from "../store/db.js";
import type { Aggregate } from "../types.js";
import type { ReadingStore } from "../store/readings.js";
import { aggregatePeriod } from "./compute.js";
import { periodStartOf } from "./periods.js";

const MIGRATIONS = [
  `CREATE TABLE aggregates (
     analyzer TEXT NOT NULL, channel TEXT NOT NULL, period_s INTEGER NOT NULL, period_start INTEGER NOT NULL,
     code TEXT NOT NULL, unit TEXT NOT NULL, min REAL, avg REAL, max REAL,
     count INTEGER NOT NULL, total INTEGER NOT NULL, flag TEXT NOT NULL, computed_at INTEGER NOT NULL,
     PRIMARY KEY (analyzer, channel, period_s, period_start)
   ) WITHOUT ROWID;
   CREATE TABLE aggregate_cursor (period_s INTEGER PRIMARY KEY, next_start INTEGER NOT NULL);`,
];

export class AggregateStore {
  private readonly upsert;

  constructor(
    private readonly db: Db,
    private readonly readings: ReadingStore,
    private readonly tz: string,
  ) {
    migrate(db, "aggregates", MIGRATIONS);
    this.upsert = db.prepare(
      `INSERT OR REPLACE INTO aggregates
       (analyzer, channel, period_s, period_start, code, unit, min, avg, max, count, total, flag, computed_at)
       VALUES (@analyzer, @channel, @periodS, @periodStart, @code, @unit, @min, @avg, @max, @count, @total, @flag, @now)`,
    );
  }

  /**
   * Closes every period of length `periodS` that ended at least `graceMs` before `now` and has
   * not been closed yet, storing and returning their aggregates (oldest first). Must run inside
   * the caller's transaction together with whatever consumes the result.
   */
  closePeriods(periodS: number, now: number, graceMs: number): Aggregate[] {
    const p = periodS * 1000;
    const row = this.db.prepare("SELECT next_start FROM aggregate_cursor WHERE period_s = ?").get(periodS) as
      | { next_start: number }
      | undefined;
    const closable = periodStartOf(now - graceMs, periodS, this.tz); // periods starting before this are over
    // First run: start at the oldest stored reading, so nothing stored before is left unaggregated.
    const oldest = row ? null : this.readings.oldestTs();
    let next = row?.next_start ?? (oldest === null ? closable : Math.min(closable, periodStartOf(oldest, periodS, this.tz)));
    const out: Aggregate[] = [];
    while (next < closable) {
      const rows = this.readings.between(next, next + p);
      if (rows.length === 0) {
        // Skip empty stretches (an agent that was off for days) in one step.
        const nextTs = (this.db.prepare("SELECT MIN(ts) AS t FROM readings WHERE ts >= ?").get(next + p) as { t: number | null }).t;
        next = nextTs === null ? closable : Math.min(closable, periodStartOf(nextTs, periodS, this.tz));
        continue;
      }
      const aggs = aggregatePeriod(rows, { periodStart: next, periodS });
      const t = Date.now();
      for (const a of aggs) this.upsert.run({ ...a, now: t });
      out.push(...aggs);
      next += p;
    }
    this.db
      .prepare("INSERT INTO aggregate_cursor (period_s, next_start) VALUES (?, ?) ON CONFLICT(period_s) DO UPDATE SET next_start = excluded.next_start")
      .run(periodS, next);
    return out;
  }

  /** Start of the oldest period not closed yet (its readings are still needed), or null. */
  oldestOpenPeriod(): number | null {
    return (this.db.prepare("SELECT MIN(next_start) AS t FROM aggregate_cursor").get() as { t: number | null }).t;
  }

  /** Deletes up to `limit` aggregates of periods starting before `before`. Returns how many. */
  pruneBefore(before: number, limit: number): number {
    return this.db
      .prepare(
        `DELETE FROM aggregates WHERE (analyzer, channel, period_s, period_start) IN
           (SELECT analyzer, channel, period_s, period_start FROM aggregates WHERE period_start < ? LIMIT ?)`,
      )
      .run(before, limit).changes;
  }

  list(periodS: number, from: number, to: number): Aggregate[] {
    return (
      this.db
        .prepare(
          `SELECT analyzer, channel, period_s AS periodS, period_start AS periodStart, code, unit, min, avg, max, count, total, flag
           FROM aggregates WHERE period_s = ? AND period_start >= ? AND period_start < ? ORDER BY period_start, analyzer, channel`,
        )
        .all(periodS, from, to) as Aggregate[]
    );
  }
}
