// QC's tables. Raw readings are never changed: flags and their reasons are added beside them
// (qc_flags, one row per reading and rule), maintenance and manual-flag windows are kept as
// windows (qc_windows) so that readings arriving later inside one are flagged too, and
// qc_state holds the id of the last reading screened, so a crash between storing and
// screening leaves nothing unscreened (the next run catches up before aggregation).
import type { Db } from "../store/db.js";
import { cachedStatement, migrate } from "../store/db.js";
import type { Hj212Flag, StoredReading } from "../types.js";
import { effectiveFlag } from "../../config/flags.js";
import type { QcHit } from "./rules.js";

const MIGRATIONS = [
  `CREATE TABLE qc_flags (
     reading_id INTEGER NOT NULL,
     rule TEXT NOT NULL,              -- range, negative, stuck, spike, pm_consistency, maintenance#<window>, manual#<window>
     flag TEXT NOT NULL,
     reason TEXT NOT NULL,
     PRIMARY KEY (reading_id, rule)
   ) WITHOUT ROWID;
   CREATE TABLE qc_windows (
     id INTEGER PRIMARY KEY,
     kind TEXT NOT NULL,              -- maintenance | manual
     analyzer TEXT,                   -- NULL: the whole station
     channel TEXT,                    -- NULL: every channel
     from_ts INTEGER NOT NULL,
     to_ts INTEGER,                   -- NULL: still on (maintenance)
     flag TEXT NOT NULL,
     reason TEXT NOT NULL,
     actor TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE qc_state (key TEXT PRIMARY KEY, value INTEGER NOT NULL);`,
];

/** calibration: a zero/span check and its purge (agent/calibration), flagged C. */
export type WindowKind = "maintenance" | "manual" | "calibration";

export interface QcWindow {
  id: number;
  kind: WindowKind;
  analyzer: string | null;
  channel: string | null;
  fromTs: number;
  toTs: number | null;
  flag: Hj212Flag;
  reason: string;
  actor: string;
  createdAt: number;
}

export interface StoredQcFlag {
  readingId: number;
  rule: string;
  flag: Hj212Flag;
  reason: string;
}

interface WindowRow {
  id: number;
  kind: WindowKind;
  analyzer: string | null;
  channel: string | null;
  from_ts: number;
  to_ts: number | null;
  flag: Hj212Flag;
  reason: string;
  actor: string;
  created_at: number;
}

const toWindow = (r: WindowRow): QcWindow => ({
  id: r.id, kind: r.kind, analyzer: r.analyzer, channel: r.channel, fromTs: r.from_ts, toTs: r.to_ts,
  flag: r.flag, reason: r.reason, actor: r.actor, createdAt: r.created_at,
});

/** Whether a window covers a reading. */
export function windowCovers(w: QcWindow, r: { analyzer: string; channel: string; ts: number }): boolean {
  return (w.analyzer === null || w.analyzer === r.analyzer) && (w.channel === null || w.channel === r.channel) && r.ts >= w.fromTs && (w.toTs === null || r.ts < w.toTs);
}

export const windowRule = (w: QcWindow) => `${w.kind}#${w.id}`;

export class QcStore {
  private readonly addStmt;

  constructor(private readonly db: Db) {
    migrate(db, "qc", MIGRATIONS);
    this.addStmt = db.prepare("INSERT OR REPLACE INTO qc_flags (reading_id, rule, flag, reason) VALUES (?, ?, ?, ?)");
  }

  addFlags(readingId: number, hits: readonly QcHit[]): void {
    for (let i = 0; i < hits.length; i++) this.addStmt.run(readingId, hits[i].rule, hits[i].flag, hits[i].reason);
  }

  /** Every QC flag of the given readings. */
  flagsOf(ids: readonly number[]): Map<number, StoredQcFlag[]> {
    const out = new Map<number, StoredQcFlag[]>();
    if (!ids.length) return out;
    const rows = this.db
      .prepare("SELECT reading_id AS readingId, rule, flag, reason FROM qc_flags WHERE reading_id IN (SELECT value FROM json_each(?)) ORDER BY reading_id, rule")
      .all(JSON.stringify(ids)) as StoredQcFlag[];
    for (const r of rows) out.set(r.readingId, [...(out.get(r.readingId) ?? []), r]);
    return out;
  }

  /** The readings with `flag` replaced by their effective flag (instrument flag and QC flags by precedence). */
  withEffectiveFlags<R extends StoredReading>(rows: readonly R[]): R[] {
    const qc = this.flagsOf(rows.map((r) => r.id));
    return rows.map((r) => {
      const f = qc.get(r.id);
      return f ? { ...r, flag: effectiveFlag([r.flag, ...f.map((x) => x.flag)]) } : r;
    });
  }

  cursor(): number {
    return (cachedStatement(this.db, "SELECT value FROM qc_state WHERE key = 'screened_to'").get() as { value: number } | undefined)?.value ?? 0;
  }

  setCursor(id: number): void {
    cachedStatement(this.db, "INSERT INTO qc_state (key, value) VALUES ('screened_to', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(id);
  }

  /** Windows that may cover readings at or after `fromTs`. */
  windowsFrom(fromTs: number): QcWindow[] {
    return (cachedStatement(this.db, "SELECT * FROM qc_windows WHERE to_ts IS NULL OR to_ts > ? ORDER BY id").all(fromTs) as WindowRow[]).map(toWindow);
  }

  windows(opts: { kind?: WindowKind; open?: boolean; since?: number } = {}): QcWindow[] {
    return (this.db.prepare("SELECT * FROM qc_windows ORDER BY id").all() as WindowRow[])
      .map(toWindow)
      .filter((w) => (!opts.kind || w.kind === opts.kind) && (opts.open === undefined || (w.toTs === null) === opts.open) && (opts.since === undefined || w.toTs === null || w.toTs >= opts.since));
  }

  openWindow(w: Omit<QcWindow, "id" | "createdAt">, now = Date.now()): QcWindow {
    const id = Number(
      this.db
        .prepare("INSERT INTO qc_windows (kind, analyzer, channel, from_ts, to_ts, flag, reason, actor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .run(w.kind, w.analyzer, w.channel, w.fromTs, w.toTs, w.flag, w.reason, w.actor, now).lastInsertRowid,
    );
    return { ...w, id, createdAt: now };
  }

  closeWindow(id: number, at: number): void {
    this.db.prepare("UPDATE qc_windows SET to_ts = ? WHERE id = ? AND to_ts IS NULL").run(at, id);
  }

  /** Flags the readings already stored inside a window. Returns how many, and their time span. */
  applyWindow(w: QcWindow): { readings: number; from: number | null; to: number | null } {
    const where = "ts >= @from AND ts < @to AND (@analyzer IS NULL OR analyzer = @analyzer) AND (@channel IS NULL OR channel = @channel)";
    const p = { from: w.fromTs, to: w.toTs ?? Number.MAX_SAFE_INTEGER, analyzer: w.analyzer, channel: w.channel, rule: windowRule(w), flag: w.flag, reason: w.reason };
    const n = this.db.prepare(`INSERT OR REPLACE INTO qc_flags (reading_id, rule, flag, reason) SELECT id, @rule, @flag, @reason FROM readings WHERE ${where}`).run(p).changes;
    const span = this.db.prepare(`SELECT MIN(ts) AS a, MAX(ts) AS b FROM readings WHERE ${where}`).get({ from: p.from, to: p.to, analyzer: p.analyzer, channel: p.channel }) as { a: number | null; b: number | null };
    return { readings: n, from: span.a, to: span.b };
  }
}

/** What a minute's aggregate needs of each reading (no raw words, state or source). */
export type MinuteInput = Pick<StoredReading, "analyzer" | "channel" | "code" | "unit" | "value" | "flag">;

/**
 * The readings of from ≤ ts < to with their effective flag, only the columns aggregation reads, in
 * the same order as effectiveReadingsBetween: what closing a minute reads, once a minute for every
 * channel. A cached statement, and rows patched in place: every column and a copy of each row
 * cost ~9 µs a reading, most of the minute's closing.
 */
export function minuteInputsBetween(db: Db, from: number, to: number): MinuteInput[] {
  const rows = cachedStatement(
    db,
    `SELECT r.analyzer, r.channel, r.code, r.unit, r.value, r.flag, (SELECT group_concat(q.flag, '') FROM qc_flags q WHERE q.reading_id = r.id) AS qc
     FROM readings r WHERE r.ts >= ? AND r.ts < ? ORDER BY r.ts, r.id`,
  ).all(from, to) as (MinuteInput & { qc: string | null })[];
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (r.qc) r.flag = effectiveFlag([r.flag, ...r.qc]);
  }
  return rows;
}

/**
 * Readings with from ≤ ts < to carrying their effective flag, in time order, every column (a sound
 * level's own samples for its percentiles). One query; the QC flags of each reading come along as a string
 * of letters.
 */
export function effectiveReadingsBetween(db: Db, from: number, to: number, only?: { analyzer: string; channel: string }): StoredReading[] {
  const rows = db
    .prepare(
      `SELECT r.*, (SELECT group_concat(q.flag, '') FROM qc_flags q WHERE q.reading_id = r.id) AS qc
       FROM readings r WHERE r.ts >= ? AND r.ts < ?${only ? " AND r.analyzer = ? AND r.channel = ?" : ""} ORDER BY r.ts, r.id`,
    )
    .all(from, to, ...(only ? [only.analyzer, only.channel] : [])) as (StoredReading & { qc: string | null })[];
  return rows.map(({ qc, ...r }) => (qc ? { ...r, flag: effectiveFlag([r.flag, ...qc]) } : r));
}
