// Traceability of an uploaded value: from a code and a DataTime back to the aggregate, the
// parts it was built from, the readings with their raw register words and driver version, their
// QC flags and reasons, and the packets that carried it to each platform. Read-only.
import type { Db } from "../store/db.js";
import type { Aggregate, Hj212Flag } from "../types.js";
import { effectiveFlag } from "../../config/flags.js";
import { QcStore, type StoredQcFlag } from "../qc/store.js";
import { UPLOAD_CN } from "../types.js";
import { sourcePeriod } from "./validity.js";

export interface TracedReading {
  id: number;
  ts: number;
  analyzer: string;
  channel: string;
  value: number | null;
  unit: string;
  /** The register words as on the wire, hex. */
  raw: string | null;
  /** driver-id@version */
  source: string;
  state: string;
  /** The flag the instrument state implied, as stored. */
  instrumentFlag: Hj212Flag;
  qc: Omit<StoredQcFlag, "readingId">[];
  effectiveFlag: Hj212Flag;
}

export interface TracedPacket {
  platform: string;
  qn: string;
  cn: string;
  createdAt: number;
  attempts: number;
  ackedAt: number | null;
}

export interface Trace {
  code: string;
  periodStart: number;
  /** Every stored aggregate of the code starting then (minute, N-minute, hour, day). */
  aggregates: Aggregate[];
  /** The period traced down to readings. */
  periodS: number | null;
  /** The aggregates the traced one was built from (minutes of an hour, hours of a day). */
  parts: Aggregate[];
  readings: TracedReading[];
  /** Readings in the period, when more than were listed. */
  readingsTotal: number;
  packets: TracedPacket[];
}

const cnOf = (periodS: number) => (periodS === 3600 ? UPLOAD_CN.hour : periodS === 86400 ? UPLOAD_CN.day : UPLOAD_CN.minute);
const has = (db: Db, table: string) => !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table);

export function traceValue(db: Db, code: string, periodStart: number, opts: { periodS?: number; limit?: number } = {}): Trace {
  const aggregates = has(db, "aggregates")
    ? (db.prepare(
        `SELECT analyzer, channel, period_s AS periodS, period_start AS periodStart, code, unit, min, avg, max, count, total, flag, stats, note
         FROM aggregates WHERE code = ? AND period_start = ? ORDER BY period_s, analyzer, channel`,
      ).all(code, periodStart) as (Aggregate & { stats: string | null; note: string | null })[]).map((a) => ({ ...a, stats: a.stats ? JSON.parse(a.stats) : undefined, note: a.note ?? undefined }))
    : [];
  const periodS = opts.periodS ?? (aggregates.length ? aggregates[aggregates.length - 1].periodS : null);
  const trace: Trace = { code, periodStart, aggregates, periodS, parts: [], readings: [], readingsTotal: 0, packets: [] };
  if (periodS === null) return trace;
  const end = periodStart + periodS * 1000;
  const src = sourcePeriod(periodS);
  if (src !== null && has(db, "aggregates"))
    trace.parts = db
      .prepare(`SELECT analyzer, channel, period_s AS periodS, period_start AS periodStart, code, unit, min, avg, max, count, total, flag, note FROM aggregates WHERE code = ? AND period_s = ? AND period_start >= ? AND period_start < ? ORDER BY period_start`)
      .all(code, src, periodStart, end) as Aggregate[];

  const where = "code = ? AND ts >= ? AND ts < ?";
  trace.readingsTotal = (db.prepare(`SELECT COUNT(*) AS n FROM readings WHERE ${where}`).get(code, periodStart, end) as { n: number }).n;
  const rows = db.prepare(`SELECT * FROM readings WHERE ${where} ORDER BY ts, id LIMIT ?`).all(code, periodStart, end, opts.limit ?? 1000) as {
    id: number; ts: number; analyzer: string; channel: string; value: number | null; unit: string; raw: Buffer | null; source: string; state: string; flag: Hj212Flag;
  }[];
  const qc = has(db, "qc_flags") ? new QcStore(db).flagsOf(rows.map((r) => r.id)) : new Map<number, StoredQcFlag[]>();
  trace.readings = rows.map((r) => {
    const flags = (qc.get(r.id) ?? []).map(({ rule, flag, reason }) => ({ rule, flag, reason }));
    return {
      id: r.id, ts: r.ts, analyzer: r.analyzer, channel: r.channel, value: r.value, unit: r.unit,
      raw: r.raw ? Buffer.from(r.raw).toString("hex").toUpperCase() : null, source: r.source, state: r.state,
      instrumentFlag: r.flag, qc: flags, effectiveFlag: effectiveFlag([r.flag, ...flags.map((f) => f.flag)]),
    };
  });

  if (has(db, "outbox"))
    trace.packets = db
      .prepare(
        `SELECT platform, qn, cn, created_at AS createdAt, attempts, acked_at AS ackedAt FROM outbox
         WHERE data_time = ? AND cn = ? AND instr(cp, ?) > 0 ORDER BY id`,
      )
      .all(periodStart, cnOf(periodS), `${code}-`) as TracedPacket[];
  return trace;
}
