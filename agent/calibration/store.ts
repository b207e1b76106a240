// The calibrations table: one row per check, written when it starts (so a check cut short by a crash
// is found and closed at the next start) and completed with its result.
import type { Db } from "../store/db.js";
import { migrate } from "../store/db.js";
import type { CheckKind } from "../../config/schema-calibration.js";

const MIGRATIONS = [
  `CREATE TABLE calibrations (
     id INTEGER PRIMARY KEY,
     analyzer TEXT NOT NULL,
     kind TEXT NOT NULL,              -- zero | span | standard
     channel TEXT NOT NULL,
     started INTEGER NOT NULL,        -- ms since epoch, UTC
     ended INTEGER,                   -- NULL while running (or cut short by a crash)
     reading REAL,
     reference REAL NOT NULL,
     drift REAL,                      -- zero: unit of the channel; span/standard: fraction
     "limit" REAL NOT NULL,
     unit TEXT NOT NULL,
     pass INTEGER,                    -- 1 pass, 0 fail, NULL: did not complete (error)
     error TEXT,
     trigger TEXT NOT NULL,           -- schedule | cli | platform
     actor TEXT NOT NULL,
     window_id INTEGER                -- the qc_windows row flagging the readings C
   );
   CREATE INDEX calibrations_by_analyzer ON calibrations (analyzer, kind, started);`,
];

export type Trigger = "schedule" | "cli" | "platform";

export interface CalibrationRow {
  id: number;
  analyzer: string;
  kind: CheckKind;
  channel: string;
  started: number;
  ended: number | null;
  reading: number | null;
  reference: number;
  drift: number | null;
  limit: number;
  unit: string;
  pass: boolean | null;
  error: string | null;
  trigger: Trigger;
  actor: string;
  windowId: number | null;
}

type Row = Omit<CalibrationRow, "pass" | "windowId"> & { pass: number | null; window_id: number | null };
const toRow = ({ pass, window_id, ...r }: Row): CalibrationRow => ({ ...r, pass: pass === null ? null : pass === 1, windowId: window_id });

export class CalibrationStore {
  constructor(private readonly db: Db) {
    migrate(db, "calibration", MIGRATIONS);
  }

  begin(r: Pick<CalibrationRow, "analyzer" | "kind" | "channel" | "started" | "reference" | "limit" | "unit" | "trigger" | "actor">): number {
    return Number(
      this.db
        .prepare(`INSERT INTO calibrations (analyzer, kind, channel, started, reference, "limit", unit, trigger, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(r.analyzer, r.kind, r.channel, r.started, r.reference, r.limit, r.unit, r.trigger, r.actor).lastInsertRowid,
    );
  }

  setWindow(id: number, windowId: number): void {
    this.db.prepare("UPDATE calibrations SET window_id = ? WHERE id = ?").run(windowId, id);
  }

  finish(id: number, r: { ended: number; reading: number | null; drift: number | null; pass: boolean | null; error: string | null }): void {
    this.db
      .prepare("UPDATE calibrations SET ended = ?, reading = ?, drift = ?, pass = ?, error = ? WHERE id = ?")
      .run(r.ended, r.reading, r.drift, r.pass === null ? null : r.pass ? 1 : 0, r.error, id);
  }

  get(id: number): CalibrationRow | undefined {
    const r = this.db.prepare("SELECT * FROM calibrations WHERE id = ?").get(id) as Row | undefined;
    return r && toRow(r);
  }

  /** Completed checks of one analyzer and kind, newest first. */
  recent(analyzer: string, kind: CheckKind, limit = 10): CalibrationRow[] {
    return (this.db.prepare("SELECT * FROM calibrations WHERE analyzer = ? AND kind = ? AND ended IS NOT NULL ORDER BY started DESC, id DESC LIMIT ?").all(analyzer, kind, limit) as Row[]).map(toRow);
  }

  /** Checks that never ended: the agent stopped (or crashed) during them. */
  unfinished(): CalibrationRow[] {
    return (this.db.prepare("SELECT * FROM calibrations WHERE ended IS NULL ORDER BY id").all() as Row[]).map(toRow);
  }

  list(opts: { analyzer?: string; limit?: number } = {}): CalibrationRow[] {
    return (this.db.prepare("SELECT * FROM calibrations WHERE (? IS NULL OR analyzer = ?) ORDER BY id DESC LIMIT ?").all(opts.analyzer ?? null, opts.analyzer ?? null, opts.limit ?? 100) as Row[]).map(toRow);
  }
}
