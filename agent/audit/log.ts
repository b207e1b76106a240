// The audit trail: an append-only, hash-chained log of every intervention (software start/stop
// with the config's hash, maintenance, manual flags, calibration, platform commands, resends…).
// Who (OS user or "platform:<id>"), when, what, why. Each entry carries the hash of the previous
// one, so changing, inserting or removing an entry breaks the chain from there on; triggers make
// UPDATE and DELETE fail outright, so only someone who first drops them (sqlite3 by hand) can
// tamper, and `audit verify` then finds the first broken link.
import { createHash } from "node:crypto";
import { userInfo } from "node:os";
import type { Db } from "../store/db.js";
import { migrate } from "../store/db.js";
import { canonicalJson, GENESIS_HASH, sha256 } from "./hash.js";
import { impliedRows, recordRows, type RowRef } from "./ledger.js";

const MIGRATIONS = [
  `CREATE TABLE audit_log (
     id INTEGER PRIMARY KEY,
     ts INTEGER NOT NULL,             -- ms since epoch, UTC
     actor TEXT NOT NULL,             -- OS user, or "platform:<id>", or "agent"
     action TEXT NOT NULL,            -- e.g. software.start, maintenance.on, flag.manual
     reason TEXT,
     details TEXT NOT NULL,           -- canonical JSON
     prev_hash TEXT NOT NULL,
     hash TEXT NOT NULL               -- sha256(prev_hash + canonical row)
   );
   CREATE INDEX audit_log_ts ON audit_log (ts);
   CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
     BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
   CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
     BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;`,
];

export interface AuditInput {
  actor: string;
  action: string;
  reason?: string;
  details?: Record<string, unknown>;
  /** Protected rows this entry vouches for, beyond those its details name (ledger.ts). */
  rows?: RowRef[];
}

export interface AuditEntry {
  id: number;
  ts: number;
  actor: string;
  action: string;
  reason: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

interface Row {
  id: number;
  ts: number;
  actor: string;
  action: string;
  reason: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

/** The bytes an entry's hash covers: every column but the hash itself, in a fixed order. */
export function entryHash(prevHash: string, e: { id: number; ts: number; actor: string; action: string; reason: string | null; details: string }): string {
  // canonicalJson of an array of primitives is JSON.stringify's own output: written directly, as
  // verifying a year of entries (1,000,000) hashes each of them once.
  return createHash("sha256").update(prevHash).update("\n").update(JSON.stringify([e.id, e.ts, e.actor, e.action, e.reason ?? null, e.details])).digest("hex");
}

const toEntry = (r: Row): AuditEntry => ({
  id: r.id,
  ts: r.ts,
  actor: r.actor,
  action: r.action,
  reason: r.reason,
  details: JSON.parse(r.details) as Record<string, unknown>,
  prevHash: r.prev_hash,
  hash: r.hash,
});

/**
 * How an actor is written: the OS user (from the kernel), "alice (sudo)" when root acts for the
 * user who ran sudo, and beside it the name given with `--actor`: `alice (sudo) as "Zhang San"`.
 */
export function formatActor(user: string, opts: { sudoUser?: string; name?: string } = {}): string {
  // The kernel's user always stays in the text: a SUDO_USER claimed by anyone but root says so.
  const su = opts.sudoUser && opts.sudoUser !== user ? opts.sudoUser : "";
  const base = !su ? user : user === "root" ? `${su} (sudo)` : `${su} (sudo -u ${user})`;
  const name = (opts.name ?? "").replace(/["\r\n]/g, "").trim().slice(0, 64);
  return name ? `${base} as "${name}"` : base;
}

/**
 * The person at the keyboard of this process: the OS user this process runs as (the kernel's
 * uid, not $USER), with sudo the user who ran it, and the `--actor` name (STATION_AGENT_ACTOR).
 * Through the control socket the service does not take this on trust: it learns the caller's uid
 * from the kernel (control/peer.ts).
 */
export function osActor(env: NodeJS.ProcessEnv = process.env): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = `uid:${process.getuid?.() ?? "?"}`;
  }
  return formatActor(user, { sudoUser: env.SUDO_USER, name: env.STATION_AGENT_ACTOR });
}

export class AuditLog {
  constructor(private readonly db: Db) {
    migrate(db, "audit", MIGRATIONS);
  }

  /**
   * Appends one entry and returns it. Reads the previous hash inside the same write
   * transaction, so two writers (the service and a CLI run without it) cannot fork the chain.
   */
  append(input: AuditInput, now = Date.now()): AuditEntry {
    if (!input.actor) throw new Error("audit entry without actor");
    if (!input.action) throw new Error("audit entry without action");
    const run = this.db.transaction(() => {
      const last = this.db.prepare("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").get() as { id: number; hash: string } | undefined;
      const prevHash = last?.hash ?? GENESIS_HASH;
      const details = { ...(input.details ?? {}) };
      const rows = recordRows(this.db, [...impliedRows(input.action, details), ...(input.rows ?? [])]);
      if (rows.length) details._rows = rows;
      const row = { id: (last?.id ?? 0) + 1, ts: now, actor: input.actor, action: input.action, reason: input.reason ?? null, details: canonicalJson(details) };
      const hash = entryHash(prevHash, row);
      this.db
        .prepare("INSERT INTO audit_log (id, ts, actor, action, reason, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        .run(row.id, row.ts, row.actor, row.action, row.reason, row.details, prevHash, hash);
      return toEntry({ ...row, prev_hash: prevHash, hash });
    });
    return this.db.inTransaction ? run() : run.immediate();
  }

  list(opts: { since?: number; until?: number; limit?: number } = {}): AuditEntry[] {
    const rows = this.db
      .prepare("SELECT * FROM audit_log WHERE ts >= ? AND ts < ? ORDER BY id DESC LIMIT ?")
      .all(opts.since ?? 0, opts.until ?? Number.MAX_SAFE_INTEGER, opts.limit ?? 1000) as Row[];
    return rows.reverse().map(toEntry);
  }

  head(): { id: number; hash: string } | null {
    return (this.db.prepare("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").get() as { id: number; hash: string } | undefined) ?? null;
  }
}

export type AuditVerdict = { ok: true; entries: number } | { ok: false; brokenAt: number; reason: string; entries: number };

/**
 * Recomputes the chain from the first entry. Reports the first entry whose stored hash or
 * link to its predecessor does not hold: the row changed, or a row before it was removed or
 * inserted. (Removing the newest entries leaves a valid, shorter chain: the readings chain
 * and the platforms' copies are what reveal that.)
 */
export function verifyAudit(db: Db): AuditVerdict {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'").get();
  if (!exists) return { ok: true, entries: 0 };
  let prev = GENESIS_HASH;
  let expectId = 1;
  let n = 0;
  for (const r of db.prepare("SELECT * FROM audit_log ORDER BY id").iterate() as IterableIterator<Row>) {
    n++;
    if (r.id !== expectId) return { ok: false, brokenAt: r.id, reason: `entry ${expectId} is missing (the next entry is ${r.id})`, entries: n };
    if (r.prev_hash !== prev) return { ok: false, brokenAt: r.id, reason: "its prev_hash is not the hash of the entry before it", entries: n };
    if (entryHash(prev, r) !== r.hash) return { ok: false, brokenAt: r.id, reason: "its content does not match its hash (the row was changed)", entries: n };
    prev = r.hash;
    expectId++;
  }
  return { ok: true, entries: n };
}
