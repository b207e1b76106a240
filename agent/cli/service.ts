// Commands that change something go through the running service when there is one (it owns
// the database and its in-memory state), and straight to the database when none runs, saying so.
import type { StationConfig } from "../../config/schema.js";
import { callControl, controlSocketPath } from "../control/socket.js";
import { openDb } from "../store/db.js";
import { ReadingStore } from "../store/readings.js";
import { AuditLog } from "../audit/log.js";
import { QcStore } from "../qc/store.js";
import { AggregateStore } from "../aggregate/store.js";
import type { QcDeps } from "../qc/actions.js";

export type Via = "service" | "database";

/** Whether a service answers on the control socket of this config's database. */
export async function serviceRunning(cfg: StationConfig): Promise<boolean> {
  try {
    await callControl(controlSocketPath(cfg.storage.path), "ping", {}, 2000);
    return true;
  } catch {
    return false;
  }
}

/** Runs `cmd` in the service, or `direct` on the database opened read-write when no service runs. */
export async function viaServiceOrDb<T>(cfg: StationConfig, cmd: string, args: Record<string, unknown>, direct: (deps: QcDeps) => T): Promise<{ via: Via; result: T }> {
  if (await serviceRunning(cfg)) return { via: "service", result: (await callControl(controlSocketPath(cfg.storage.path), cmd, args, 30_000)) as T };
  const db = openDb(cfg.storage.path);
  try {
    const readings = new ReadingStore(db);
    const aggregates = new AggregateStore(db, readings, cfg.station.timezone);
    const deps: QcDeps = { db, qc: new QcStore(db), audit: new AuditLog(db), analyzers: cfg.analyzers.map((a) => a.id), markDirty: (f, t) => aggregates.markDirtyRange(f, t) };
    return { via: "database", result: direct(deps) };
  } finally {
    db.close();
  }
}

/** Exit with a one-line message for errors that carry a marker field (typed errors), rethrow others. */
export function exitOnKnownError(err: unknown, json?: boolean): never {
  const e = err as Error & { qcActionError?: boolean; controlError?: boolean; storeError?: boolean; timeFormat?: boolean };
  if (e?.qcActionError || e?.controlError || e?.storeError || e?.timeFormat) {
    if (json) process.stdout.write(JSON.stringify({ ok: false, error: e.message }) + "\n");
    else process.stderr.write(`${e.message}\n`);
    process.exit(e.qcActionError || e.timeFormat ? 2 : 1);
  }
  throw err;
}
