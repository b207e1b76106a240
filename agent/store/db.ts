// Opens the station database and applies each module's versioned migrations.
// Each module owns its tables and declares its own migrations; this file knows none of them.
import Database from "better-sqlite3";
import { existsSync, mkdirSync, renameSync } from "node:fs";
import { dirname } from "node:path";

export type Db = Database.Database;

export type StoreProblem = "missing" | "permission" | "corrupt" | "locked" | "other";

export class StoreError extends Error {
  readonly storeError = true;
  constructor(
    message: string,
    readonly path: string,
    readonly problem: StoreProblem = "other",
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "StoreError";
  }
}

export interface OpenOptions {
  readonly?: boolean;
  /**
   * What to do with a file that is not a readable SQLite database: "move-aside" renames it to
   * `<path>.corrupt-<time>` (kept for recovery with `sqlite3 … .recover`) and starts a new one,
   * so a station keeps collecting data; "fail" (the default, and always for readers) throws.
   */
  onCorrupt?: "move-aside" | "fail";
  /** How long to wait for another process's lock before giving up (ms, default 5000). */
  busyTimeoutMs?: number;
  /** Told when a corrupt file was moved aside. */
  onMovedAside?: (movedTo: string, reason: string) => void;
}

function classify(err: unknown): StoreProblem {
  const code = String((err as { code?: string }).code ?? "");
  if (code === "SQLITE_NOTADB" || code.startsWith("SQLITE_CORRUPT")) return "corrupt";
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) return "locked";
  if (code === "EACCES" || code === "SQLITE_READONLY" || code.startsWith("SQLITE_PERM")) return "permission";
  if (code === "SQLITE_CANTOPEN") return "missing";
  return "other";
}

const ADVICE: Record<StoreProblem, string> = {
  missing: "the database does not exist yet (has the agent ever run with this config?)",
  permission: "permission denied (run as the station-agent user, or check the directory's owner)",
  corrupt: "the file is not a readable SQLite database (corrupt or overwritten)",
  locked: "the database is locked by another process (a sqlite3 shell with an open transaction? another agent?)",
  other: "",
};

/**
 * Page cache per connection, KiB: 256 pages. What a station touches again is small (a minute of
 * readings is ~110 pages, plus the right edges of the indexes, the outbox and the aggregates); A/B
 * against SQLite's own default of 2 MB: the same CPU, ~0.7 MB less RSS once the cache has filled.
 */
export const CACHE_KIB = 1024;

/**
 * Opens (creating if needed) the database in WAL mode with full fsync on commit: a committed
 * reading survives a power cut. Readers (the CLI while the service runs) open read-only and
 * never block the writer.
 */
export function openDb(path: string, opts: OpenOptions = {}): Db {
  try {
    return openChecked(path, opts);
  } catch (err) {
    const problem = classify(err);
    if (problem === "corrupt" && opts.onCorrupt === "move-aside" && !opts.readonly) {
      const movedTo = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, "-")}`;
      for (const suffix of ["", "-wal", "-shm"]) if (existsSync(path + suffix)) renameSync(path + suffix, movedTo + suffix);
      opts.onMovedAside?.(movedTo, (err as Error).message);
      return openChecked(path, opts);
    }
    throw new StoreError(`cannot open database ${path}: ${ADVICE[problem] || (err as Error).message}`, path, problem, { cause: err });
  }
}

function openChecked(path: string, opts: OpenOptions): Db {
  if (!opts.readonly) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { readonly: !!opts.readonly, fileMustExist: !!opts.readonly });
  try {
    db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
    // better-sqlite3 builds SQLite with a 16 MB page cache per connection (SQLITE_DEFAULT_CACHE_SIZE
    // =-16000, deps/defines.gypi), which fills as pages are touched and is never given back: over
    // hours at a station, at once when a platform asks for a year of history.
    db.pragma(`cache_size = -${CACHE_KIB}`);
    // Reading the schema is the first real access: a file that is not a database fails here.
    db.prepare("SELECT COUNT(*) FROM sqlite_master").get();
    if (!opts.readonly) {
      // Freed pages are reused and returned in small steps, so the file never needs a full VACUUM.
      // (Takes effect only on a new, empty database: hence before anything else writes to it.)
      if (db.pragma("auto_vacuum", { simple: true }) !== 2) db.pragma("auto_vacuum = INCREMENTAL");
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = FULL");
      db.pragma("foreign_keys = ON");
      db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        module TEXT NOT NULL, version INTEGER NOT NULL, applied_at INTEGER NOT NULL,
        PRIMARY KEY (module, version))`);
      // A writer must be able to write: a lock held by another process (a sqlite3 shell in a
      // transaction) shows here as "locked", not later as the first write's bare SQLITE_BUSY.
      db.exec("BEGIN IMMEDIATE; COMMIT");
    }
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * Applies the migrations of one module that have not run yet, each in its own transaction.
 * `steps[i]` is version i+1; versions are never edited once released, only appended.
 */
export function migrate(db: Db, module: string, steps: readonly string[]): void {
  if (db.readonly) return;
  const row = db
    .prepare("SELECT MAX(version) AS v FROM schema_migrations WHERE module = ?")
    .get(module) as { v: number | null };
  const current = row.v ?? 0;
  for (let v = current + 1; v <= steps.length; v++) {
    db.transaction(() => {
      db.exec(steps[v - 1]);
      db.prepare("INSERT INTO schema_migrations (module, version, applied_at) VALUES (?, ?, ?)").run(module, v, Date.now());
    })();
  }
}

const STATEMENTS = new WeakMap<Db, Map<string, Database.Statement>>();

/**
 * The prepared statement for `sql` on this connection, prepared once. For queries that run every
 * second or every batch: preparing compiles the SQL each time, which cost more than running it.
 * (A statement is not re-entrant while .iterate() walks it: use this for .get/.all/.run only.)
 */
export function cachedStatement(db: Db, sql: string): Database.Statement {
  let byDb = STATEMENTS.get(db);
  if (!byDb) STATEMENTS.set(db, (byDb = new Map()));
  let st = byDb.get(sql);
  if (!st) byDb.set(sql, (st = db.prepare(sql)));
  return st;
}
