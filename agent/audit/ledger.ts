// The intervention tables under the audit trail's protection: maintenance and manual-flag and
// calibration windows (qc_windows), calibration checks and results (calibrations), settings a
// platform changed (uplink_overrides). Every write to them is made in the transaction of its audit
// entry, and that entry records the hash of each row it wrote (`_rows` in its details), so the
// audit log is a ledger of what each row must contain. `audit verify` replays it: a row deleted,
// changed or inserted by hand no longer matches its last recorded state. Sealed entries cannot be
// rewritten unseen (seal.ts), so neither can the rows they vouch for.
//
// Entries name their rows by the fields they already carry: `window` (qc_windows.id), `calibration`
// (calibrations.id), and for the platform.set_* actions `platform` (its uplink_overrides rows).
import type { Db } from "../store/db.js";
import { canonicalJson } from "./hash.js";
import { rowHash, tableDigest } from "./seal.js";

export const PROTECTED_TABLES = { qc_windows: ["id"], calibrations: ["id"], uplink_overrides: ["platform", "key"] } as const;
export type ProtectedTable = keyof typeof PROTECTED_TABLES;
const TABLES = Object.keys(PROTECTED_TABLES) as ProtectedTable[];

/** Rows an entry vouches for: a table and column values that select them. */
export type RowRef = { table: ProtectedTable; where: Record<string, string | number> };

/** One recorded row: table, key (canonical JSON of its key columns), hash (null: gone). */
export interface LedgerRow {
  t: ProtectedTable;
  k: string;
  h: string | null;
}

const SET_ACTIONS = /^platform\.set_/;

/** The rows an entry names by convention (see the header). */
export function impliedRows(action: string, details: Record<string, unknown>): RowRef[] {
  const refs: RowRef[] = [];
  if (typeof details.window === "number") refs.push({ table: "qc_windows", where: { id: details.window } });
  if (typeof details.calibration === "number") refs.push({ table: "calibrations", where: { id: details.calibration } });
  if (SET_ACTIONS.test(action) && typeof details.platform === "string") refs.push({ table: "uplink_overrides", where: { platform: details.platform } });
  return refs;
}

function hasTable(db: Db, t: string): boolean {
  return !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(t);
}

const keyOf = (t: ProtectedTable, row: Record<string, unknown>) => canonicalJson(PROTECTED_TABLES[t].map((c) => row[c]));

/** The current hash of each row the refs select (call in the writing transaction). */
export function recordRows(db: Db, refs: readonly RowRef[]): LedgerRow[] {
  const out: LedgerRow[] = [];
  for (const r of refs) {
    if (!hasTable(db, r.table)) continue;
    const cols = Object.keys(r.where);
    const rows = db.prepare(`SELECT * FROM ${r.table} WHERE ${cols.map((c) => `"${c}" = ?`).join(" AND ") || "1"}`).all(...cols.map((c) => r.where[c])) as Record<string, unknown>[];
    if (!rows.length && PROTECTED_TABLES[r.table].length === 1) out.push({ t: r.table, k: canonicalJson([r.where.id]), h: null });
    for (const row of rows) {
      out.push({ t: r.table, k: keyOf(r.table, row), h: rowHash(r.table, row) });
      // A check's C window changes with its result: an entry naming the check vouches for both.
      if (r.table === "calibrations" && typeof row.window_id === "number" && !refs.some((x) => x.table === "qc_windows" && x.where.id === row.window_id))
        out.push(...recordRows(db, [{ table: "qc_windows", where: { id: row.window_id } }]));
    }
  }
  return out;
}

/** Every row of every protected table with its hash, keyed by table. */
export function currentRows(db: Db): Map<ProtectedTable, Map<string, string>> {
  const out = new Map<ProtectedTable, Map<string, string>>();
  for (const t of TABLES) {
    const m = new Map<string, string>();
    if (hasTable(db, t)) for (const row of db.prepare(`SELECT * FROM ${t}`).iterate() as IterableIterator<Record<string, unknown>>) m.set(keyOf(t, row), rowHash(t, row));
    out.set(t, m);
  }
  return out;
}

/**
 * The digest of each protected table as it is now (what a seal covers). With a cache (the
 * sealer's), a row whose columns SQLite renders to the same text as at the last seal keeps its
 * hash: a seal then costs one scan in SQLite, not a hash per row in JavaScript.
 */
export function tableDigests(db: Db, cache?: Map<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  if (!cache) {
    for (const [t, rows] of currentRows(db)) out[t] = tableDigest(rows);
    return out;
  }
  let seen = 0;
  for (const t of TABLES) {
    const rows: [string, string][] = [];
    if (hasTable(db, t)) {
      const cols = (db.prepare(`PRAGMA table_info(${t})`).all() as { name: string }[]).map((c) => c.name);
      const byRowid = db.prepare(`SELECT * FROM ${t} WHERE rowid = ?`);
      for (const r of db.prepare(`SELECT rowid AS _r, json_array(${cols.map((c) => `"${c}"`).join(", ")}) AS j FROM ${t}`).iterate() as IterableIterator<{ _r: number; j: string }>) {
        const ck = `${t}\u0000${r.j}`;
        let v = cache.get(ck);
        if (v === undefined) {
          const row = byRowid.get(r._r) as Record<string, unknown>;
          v = `${keyOf(t, row)}\u0000${rowHash(t, row)}`;
          cache.set(ck, v);
        }
        const at = v.indexOf("\u0000");
        rows.push([v.slice(0, at), v.slice(at + 1)]);
        seen++;
      }
    }
    out[t] = tableDigest(rows);
  }
  if (cache.size > 2 * seen + 1000) cache.clear(); // rows that changed since: stale entries go
  return out;
}

export interface LedgerFinding {
  table: ProtectedTable;
  key: string;
  problem: "deleted" | "changed" | "unrecorded";
  /** The audit entry that last recorded the row (none for an unrecorded row). */
  entry: number | null;
}

/** What the audit log says each protected row must be: fed entry by entry, in id order. */
export class LedgerReplay {
  private readonly expected = new Map<ProtectedTable, Map<string, { h: string | null; entry: number }>>(TABLES.map((t) => [t, new Map()]));
  private readonly dirty = new Set<ProtectedTable>(TABLES);
  private readonly digests: Record<string, string> = {};

  add(entryId: number, details: Record<string, unknown>): void {
    const rows = details._rows;
    if (!Array.isArray(rows)) return;
    for (const r of rows as LedgerRow[]) {
      const m = this.expected.get(r.t);
      if (!m) continue;
      m.set(r.k, { h: r.h, entry: entryId });
      this.dirty.add(r.t);
    }
  }

  /** The digests the tables must have had when the entries so far were all there is. */
  tableDigests(): Record<string, string> {
    for (const t of this.dirty) this.digests[t] = tableDigest([...this.expected.get(t)!].filter(([, v]) => v.h !== null).map(([k, v]) => [k, v.h!]));
    this.dirty.clear();
    return { ...this.digests };
  }

  /** The entry that last recorded a row. */
  lastEntry(t: ProtectedTable, key: string): number | null {
    return this.expected.get(t)?.get(key)?.entry ?? null;
  }

  /** Rows that do not match their last recorded state, in table then key order. */
  compare(current: Map<ProtectedTable, Map<string, string>>): LedgerFinding[] {
    const out: LedgerFinding[] = [];
    for (const t of TABLES) {
      const exp = this.expected.get(t)!;
      const cur = current.get(t) ?? new Map<string, string>();
      for (const [k, v] of exp) {
        const h = cur.get(k);
        if (v.h !== null && h === undefined) out.push({ table: t, key: k, problem: "deleted", entry: v.entry });
        else if (h !== undefined && h !== v.h) out.push({ table: t, key: k, problem: "changed", entry: v.entry });
      }
      for (const k of cur.keys()) if (!exp.has(k)) out.push({ table: t, key: k, problem: "unrecorded", entry: null });
    }
    return out;
  }
}

/** The rows present before the ledger existed, to be recorded once (`audit.ledger_start`). */
export function allRowRefs(db: Db): RowRef[] {
  const refs: RowRef[] = [];
  for (const t of TABLES) {
    if (!hasTable(db, t)) continue;
    const cols = PROTECTED_TABLES[t];
    for (const row of db.prepare(`SELECT ${cols.map((c) => `"${c}"`).join(", ")} FROM ${t}`).all() as Record<string, string | number>[])
      refs.push({ table: t, where: Object.fromEntries(cols.map((c) => [c, row[c]])) });
  }
  return refs;
}

export function describeFinding(f: LedgerFinding): string {
  const what = `${f.table} row ${f.key}`;
  if (f.problem === "deleted") return `${what} was deleted (audit entry ${f.entry} recorded it)`;
  if (f.problem === "changed") return `${what} was changed after audit entry ${f.entry}, its last recorded state`;
  return `${what} is in no audit entry (inserted by hand)`;
}
