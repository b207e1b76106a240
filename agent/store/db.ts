// Opens the station database and applies each module's versioned migrations.
// Each module owns its tables and declares its own migrations; this file knows none of them.
import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";

export type Db = Database.Database;

export class StoreError extends Error {
  readonly storeError = true;
  constructor(message: string, readonly path: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreError";
  }
}

export interface OpenOptions {
  readonly?: boolean;
}

/**
 * Opens (creating if needed) the database in WAL mode with full fsync on commit: a committed
 * reading survives a power cut. Readers (the CLI while the service runs) open read-only and
 * never block the writer.
 */
export function openDb(path: string, opts: OpenOptions = {}): Db {
  let db: Db;
  try {
    if (!opts.readonly) mkdirSync(dirname(path), { recursive: true });
    db = new Database(path, { readonly: !!opts.readonly, fileMustExist: !!opts.readonly });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === "SQLITE_CANTOPEN" && opts.readonly
        ? "the database does not exist yet (has the agent ever run with this config?)"
        : code === "EACCES"
          ? "permission denied (run as the station-agent user, or check the directory's owner)"
          : (err as Error).message;
    throw new StoreError(`cannot open database ${path}: ${why}`, path, { cause: err });
  }
  db.pragma("busy_timeout = 5000");
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
  }
  return db;
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
