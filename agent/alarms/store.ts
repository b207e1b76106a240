// The alarms table (one row per alarm, raised → cleared; at most one open per kind and subject) and
// alarm_events (each raise and clear, with whether it has gone to the platforms and the HTTP
// endpoint yet). Raises and clears are audited in the same transaction. Used by the service and,
// for a failed check run from the CLI without a service, directly on the database: the service
// delivers those events when it next runs.
import type { AuditLog } from "../audit/log.js";
import type { Db } from "../store/db.js";
import { cachedStatement, migrate } from "../store/db.js";
import { alarmStep, type AlarmKind, type AlarmStep } from "./state.js";

const MIGRATIONS = [
  `CREATE TABLE alarms (
     id INTEGER PRIMARY KEY,
     kind TEXT NOT NULL,              -- exceedance, equipment-fault, comms-lost, calibration-failed, door-open, disk-low
     subject TEXT NOT NULL,           -- what it is about: analyzer id, code@analyzer, "station", the data directory
     analyzer TEXT,
     code TEXT,
     message TEXT NOT NULL,
     raised_at INTEGER NOT NULL,
     cleared_at INTEGER,              -- NULL: open
     count INTEGER NOT NULL DEFAULT 1,-- times the condition was seen while open
     last_value REAL,
     last_at INTEGER NOT NULL
   );
   CREATE UNIQUE INDEX alarms_one_open ON alarms (kind, subject) WHERE cleared_at IS NULL;
   CREATE TABLE alarm_events (
     id INTEGER PRIMARY KEY,
     alarm_id INTEGER NOT NULL,
     event TEXT NOT NULL,             -- raise | clear
     ts INTEGER NOT NULL,
     uplink_done INTEGER NOT NULL DEFAULT 0,
     http_done INTEGER NOT NULL DEFAULT 0
   );`,
];

export interface Alarm {
  id: number;
  kind: AlarmKind;
  subject: string;
  analyzer: string | null;
  code: string | null;
  message: string;
  raisedAt: number;
  clearedAt: number | null;
  count: number;
  lastValue: number | null;
  lastAt: number;
}

export interface AlarmEvent {
  id: number;
  event: "raise" | "clear";
  ts: number;
  alarm: Alarm;
}

export interface Observation {
  kind: AlarmKind;
  subject: string;
  analyzer?: string | null;
  code?: string | null;
  message: string;
  value?: number | null;
}

type Row = { id: number; kind: AlarmKind; subject: string; analyzer: string | null; code: string | null; message: string; raised_at: number; cleared_at: number | null; count: number; last_value: number | null; last_at: number };
const toAlarm = (r: Row): Alarm => ({
  id: r.id, kind: r.kind, subject: r.subject, analyzer: r.analyzer, code: r.code, message: r.message,
  raisedAt: r.raised_at, clearedAt: r.cleared_at, count: r.count, lastValue: r.last_value, lastAt: r.last_at,
});

export type Sink = "uplink" | "http";

/** Events recorded through each connection (by any AlarmLog on it). */
const EVENT_WRITES = new WeakMap<Db, number>();

export class AlarmLog {
  /** Events this connection has recorded: with PRAGMA data_version (other connections), tells the notifier nothing new can be pending. */
  get eventWrites(): number {
    return EVENT_WRITES.get(this.db) ?? 0;
  }

  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
  ) {
    migrate(db, "alarms", MIGRATIONS);
  }

  openOne(kind: AlarmKind, subject: string): Alarm | undefined {
    const r = this.db.prepare("SELECT * FROM alarms WHERE kind = ? AND subject = ? AND cleared_at IS NULL").get(kind, subject) as Row | undefined;
    return r && toAlarm(r);
  }

  /** Applies what was seen: raises, counts up, clears, or nothing (state.ts). */
  observe(o: Observation, active: boolean, now = Date.now()): AlarmStep {
    return this.db.transaction((): AlarmStep => {
      const open = this.openOne(o.kind, o.subject);
      const step = alarmStep(open !== undefined, active);
      if (step === "raise") {
        const id = Number(
          this.db
            .prepare("INSERT INTO alarms (kind, subject, analyzer, code, message, raised_at, last_value, last_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            .run(o.kind, o.subject, o.analyzer ?? null, o.code ?? null, o.message, now, o.value ?? null, now).lastInsertRowid,
        );
        this.event(id, "raise", now);
        this.audit.append({ actor: "agent", action: "alarm.raise", reason: o.message, details: { alarm: id, kind: o.kind, subject: o.subject, analyzer: o.analyzer ?? undefined, code: o.code ?? undefined, value: o.value ?? null } }, now);
      } else if (step === "repeat" && open) {
        this.db.prepare("UPDATE alarms SET count = count + 1, last_value = ?, last_at = ?, message = ? WHERE id = ?").run(o.value ?? open.lastValue, now, o.message, open.id);
      } else if (step === "clear" && open) {
        this.db.prepare("UPDATE alarms SET cleared_at = ? WHERE id = ?").run(now, open.id);
        this.event(open.id, "clear", now);
        this.audit.append({ actor: "agent", action: "alarm.clear", details: { alarm: open.id, kind: open.kind, subject: open.subject, analyzer: open.analyzer ?? undefined, code: open.code ?? undefined, raisedAt: open.raisedAt, count: open.count } }, now);
      }
      return step;
    })();
  }

  raise(o: Observation, now = Date.now()): AlarmStep {
    return this.observe(o, true, now);
  }

  clear(kind: AlarmKind, subject: string, now = Date.now()): AlarmStep {
    return this.observe({ kind, subject, message: "" }, false, now);
  }

  /** Open alarms, or every alarm (newest first) with `all`. */
  list(opts: { all?: boolean; limit?: number } = {}): Alarm[] {
    const where = opts.all ? "" : "WHERE cleared_at IS NULL";
    return (this.db.prepare(`SELECT * FROM alarms ${where} ORDER BY raised_at DESC, id DESC LIMIT ?`).all(opts.limit ?? 1000) as Row[]).map(toAlarm);
  }

  /** Events not yet delivered to a sink, oldest first; ones older than `since` are marked done unsent (a sink configured late gets no backlog of old news). */
  pending(sink: Sink, since: number, limit = 100): AlarmEvent[] {
    const col = sink === "uplink" ? "uplink_done" : "http_done";
    // Cached: the notifier asks every 2 s for each sink, and preparing cost more than running.
    cachedStatement(this.db, `UPDATE alarm_events SET ${col} = 1 WHERE ${col} = 0 AND ts < ?`).run(since);
    const rows = cachedStatement(this.db, `SELECT e.id AS eid, e.event, e.ts AS ets, a.* FROM alarm_events e JOIN alarms a ON a.id = e.alarm_id WHERE e.${col} = 0 ORDER BY e.id LIMIT ?`).all(limit) as Array<Row & { eid: number; event: "raise" | "clear"; ets: number }>;
    return rows.map(({ eid, event, ets, ...r }) => ({ id: eid, event, ts: ets, alarm: toAlarm(r) }));
  }

  markDone(sink: Sink, ids: readonly number[]): void {
    if (!ids.length) return; // the notifier's usual case: nothing was pending
    const col = sink === "uplink" ? "uplink_done" : "http_done";
    const stmt = cachedStatement(this.db, `UPDATE alarm_events SET ${col} = 1 WHERE id = ?`);
    this.db.transaction(() => ids.forEach((id) => stmt.run(id)))();
  }

  private event(alarmId: number, event: "raise" | "clear", ts: number): void {
    this.db.prepare("INSERT INTO alarm_events (alarm_id, event, ts) VALUES (?, ?, ?)").run(alarmId, event, ts);
    EVENT_WRITES.set(this.db, this.eventWrites + 1);
  }
}

/** Reads alarms from a database opened read-only (the CLI without a service): none when the table is not there yet. */
export function readAlarms(db: Db, opts: { all?: boolean; limit?: number } = {}): Alarm[] {
  if (!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'alarms'").get()) return [];
  const where = opts.all ? "" : "WHERE cleared_at IS NULL";
  return (db.prepare(`SELECT * FROM alarms ${where} ORDER BY raised_at DESC, id DESC LIMIT ?`).all(opts.limit ?? 1000) as Row[]).map(toAlarm);
}
