// The readings table: every polled value, committed before anything else happens to it.
// Raw readings are never changed; QC and aggregation add to them elsewhere.
import type { Db } from "./db.js";
import { cachedStatement, migrate } from "./db.js";
import type { Hj212Flag, Reading, StoredReading } from "../types.js";

const MIGRATIONS = [
  `CREATE TABLE readings (
     id INTEGER PRIMARY KEY,
     ts INTEGER NOT NULL,            -- ms since epoch, UTC
     analyzer TEXT NOT NULL,
     channel TEXT NOT NULL,
     code TEXT NOT NULL,
     value REAL,                      -- NULL when the instrument gave none (flag B)
     unit TEXT NOT NULL,
     flag TEXT NOT NULL,
     state TEXT NOT NULL,
     raw BLOB,                        -- register words as on the wire
     source TEXT NOT NULL             -- driver-id@version
   );
   CREATE INDEX readings_by_channel_ts ON readings (analyzer, channel, ts);
   CREATE INDEX readings_by_ts ON readings (ts);`,
  // Every query by channel also bounds the time, so the ts index serves it; a second index cost
  // a third of the ingest rate (ingest must keep ≥ 200,000 readings/s).
  `DROP INDEX IF EXISTS readings_by_channel_ts;`,
];

interface Row {
  id: number;
  ts: number;
  analyzer: string;
  channel: string;
  code: string;
  value: number | null;
  unit: string;
  flag: string;
  state: string;
  raw: Buffer | null;
  source: string;
}

/** Rows per multi-row INSERT: 16 × 10 values, well under SQLite's limit of bound variables. */
const INSERT_ROWS = 16;
const COLS = 10;
const INSERT_HEAD = "INSERT INTO readings (ts, analyzer, channel, code, value, unit, flag, state, raw, source) VALUES";
const ROW_VALUES = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

/** A reading's row id, time, origin, flag and instrument state (ReadingStore.statesFrom/statesAfter): what the alarm check follows. */
export type ReadingState = Pick<StoredReading, "id" | "ts" | "analyzer" | "channel" | "flag" | "state">;

const toReading = (r: Row): StoredReading => ({ ...r, flag: r.flag as Hj212Flag });

export class ReadingStore {
  private newestByIdStmt: import("better-sqlite3").Statement<unknown[]> | undefined;
  private newestByTsStmt: import("better-sqlite3").Statement<unknown[]> | undefined;
  private readonly insertStmt;
  private readonly insertManyStmt;
  /** The bind values of one multi-row INSERT, reused batch after batch (no array per statement). */
  private readonly manyParams: unknown[] = new Array(INSERT_ROWS * COLS);
  private readonly insertAll: (rows: readonly Reading[]) => number | bigint;
  private readonly insertRows: (rows: readonly Reading[]) => number | bigint;
  /**
   * Row id of the last reading this store inserted (0: none yet). With QC's screenedThrough it
   * tells the once-a-second tick whether anything is left unscreened without asking the database.
   */
  lastInsertedId = 0;

  constructor(private readonly db: Db) {
    // Read-only openers (the CLI) must find the tables already there; they never migrate.
    migrate(db, "readings", MIGRATIONS);
    this.insertStmt = db.prepare(`${INSERT_HEAD} ${ROW_VALUES}`);
    this.insertManyStmt = db.prepare(`${INSERT_HEAD} ${Array.from({ length: INSERT_ROWS }, () => ROW_VALUES).join(", ")}`);
    const insertRows = (rows: readonly Reading[]): number | bigint => {
      // Rows go in in order (their ids follow it): whole groups of INSERT_ROWS in one statement
      // each, the rest one by one. Each run() is a crossing into the addon and a bind of its
      // values; a 66-reading batch costs 4 + 2 calls instead of 66.
      const whole = rows.length - (rows.length % INSERT_ROWS);
      const params = this.manyParams;
      let i = 0;
      let last: number | bigint = 0;
      for (; i < whole; i += INSERT_ROWS) {
        for (let k = 0, j = 0; k < INSERT_ROWS; k++) {
          const r = rows[i + k];
          params[j++] = r.ts;
          params[j++] = r.analyzer;
          params[j++] = r.channel;
          params[j++] = r.code;
          params[j++] = r.value;
          params[j++] = r.unit;
          params[j++] = r.flag;
          params[j++] = r.state;
          params[j++] = r.raw;
          params[j++] = r.source;
        }
        last = this.insertManyStmt.run(params).lastInsertRowid;
      }
      for (; i < rows.length; i++) {
        const r = rows[i];
        last = this.insertStmt.run(r.ts, r.analyzer, r.channel, r.code, r.value, r.unit, r.flag, r.state, r.raw, r.source).lastInsertRowid;
      }
      params.fill(null); // no reference kept to the batch's raw words
      return last;
    };
    this.insertRows = insertRows;
    this.insertAll = db.transaction(insertRows);
  }

  get database(): Db {
    return this.db;
  }

  /**
   * Commits a batch in one transaction (returns when it is on disk), or, inside the caller's
   * transaction (the store step's batch), adds the rows to it without a savepoint of its own.
   * The rows get consecutive ids ending at `lastInsertedId`.
   */
  insert(rows: readonly Reading[]): void {
    if (rows.length) this.lastInsertedId = Number(this.db.inTransaction ? this.insertRows(rows) : this.insertAll(rows));
  }

  /** Readings of every channel with from ≤ ts < to, in time order. */
  between(from: number, to: number, limit = -1): StoredReading[] {
    return (
      this.db
        .prepare("SELECT * FROM readings WHERE ts >= ? AND ts < ? ORDER BY ts, id LIMIT ?")
        .all(from, to, limit) as Row[]
    ).map(toReading);
  }

  /**
   * The states of the readings with ts ≥ from, in time order (ts, id): the alarm check's first look.
   * No value, raw words or source: a Buffer and five strings fewer per row.
   */
  statesFrom(from: number): ReadingState[] {
    return cachedStatement(this.db, "SELECT id, ts, analyzer, channel, flag, state FROM readings WHERE ts >= ? ORDER BY ts, id").all(from) as ReadingState[];
  }

  /** The same of the readings stored after row `id`, in id order: the alarm check's later looks. */
  statesAfter(id: number): ReadingState[] {
    return cachedStatement(this.db, "SELECT id, ts, analyzer, channel, flag, state FROM readings WHERE id > ? ORDER BY id").all(id) as ReadingState[];
  }

  /** The latest reading of each analyzer channel at or before `at` (and after `since`). */
  latest(since = 0, at = Number.MAX_SAFE_INTEGER): StoredReading[] {
    return (
      this.db
        .prepare(
          `SELECT r.* FROM readings r
           JOIN (SELECT analyzer, channel, MAX(ts) AS ts FROM readings
                 WHERE ts > ? AND ts <= ? GROUP BY analyzer, channel) l
             ON r.analyzer = l.analyzer AND r.channel = l.channel AND r.ts = l.ts
           ORDER BY r.analyzer, r.channel`,
        )
        .all(since, at) as Row[]
    ).map(toReading);
  }

  /**
   * The newest reading of each channel among the rows after row id `afterId` (by the primary key:
   * only rows stored since), or, with `sinceTs`, among the rows of that time on (by the ts index).
   * One GROUP BY in SQLite (the bare columns come from the MAX(ts) row); raw words and source left
   * out. What a page polling every few seconds can afford; `latest()` scans a week.
   */
  newestPerChannel(from: { afterId: number } | { sinceTs: number }): StoredReading[] {
    const cols = "id, ts, analyzer, channel, code, value, unit, flag, state, NULL AS raw, '' AS source, MAX(ts) AS newest";
    if ("afterId" in from) {
      this.newestByIdStmt ??= this.db.prepare(`SELECT ${cols} FROM readings WHERE id > ? GROUP BY analyzer, channel`);
      return this.newestByIdStmt.all(from.afterId) as StoredReading[];
    }
    this.newestByTsStmt ??= this.db.prepare(`SELECT ${cols} FROM readings WHERE ts > ? GROUP BY analyzer, channel`);
    return this.newestByTsStmt.all(from.sinceTs) as StoredReading[];
  }

  /** Readings newer than row id `afterId` (for `tail`), oldest first. */
  after(afterId: number, limit = 1000): StoredReading[] {
    return (this.db.prepare("SELECT * FROM readings WHERE id > ? ORDER BY id LIMIT ?").all(afterId, limit) as Row[]).map(
      toReading,
    );
  }

  /** Deletes up to `limit` of the oldest readings with ts < `before`. Returns how many. */
  pruneBefore(before: number, limit: number): number {
    return this.db
      .prepare("DELETE FROM readings WHERE id IN (SELECT id FROM readings WHERE ts < ? ORDER BY ts LIMIT ?)")
      .run(before, limit).changes;
  }

  /**
   * Per analyzer, the minutes of [from, to) in which it answered and was not stopped (flag other
   * than B and F): its run time, for HJ 212 2041.
   */
  runMinutes(from: number, to: number): Map<string, number> {
    const rows = this.db
      .prepare("SELECT analyzer, COUNT(DISTINCT ts / 60000) AS m FROM readings WHERE ts >= ? AND ts < ? AND flag NOT IN ('B', 'F') GROUP BY analyzer")
      .all(from, to) as { analyzer: string; m: number }[];
    return new Map(rows.map((r) => [r.analyzer, r.m]));
  }

  maxId(): number {
    return (cachedStatement(this.db, "SELECT MAX(id) AS m FROM readings").get() as { m: number | null }).m ?? 0;
  }

  count(): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM readings").get() as { n: number }).n;
  }

  /** Timestamp of the oldest reading, or null when there is none. */
  oldestTs(): number | null {
    return (this.db.prepare("SELECT MIN(ts) AS t FROM readings").get() as { t: number | null }).t;
  }
}
