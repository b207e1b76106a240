// Human interventions on data quality: maintenance on/off and manual flags. Each is one
// transaction with its audit entry, so there is never a flag without its trace or a trace
// without its flag. Used by the running service (control commands) and by the CLI directly on
// the database when no service runs.
import type { AuditLog } from "../audit/log.js";
import type { Hj212Flag } from "../types.js";
import type { Db } from "../store/db.js";
import type { QcStore, QcWindow } from "./store.js";

export class QcActionError extends Error {
  readonly qcActionError = true;
  constructor(message: string, readonly action: string) {
    super(message);
    this.name = "QcActionError";
  }
}

export interface QcDeps {
  db: Db;
  qc: QcStore;
  audit: AuditLog;
  /** Analyzer ids of the station, to refuse typos. */
  analyzers: readonly string[];
  /** Recompute closed aggregates for from ≤ ts < to (their packets are sent again if they change). */
  markDirty: (from: number, to: number) => void;
}

export interface MaintenanceArgs {
  /** null: the whole station. */
  analyzer: string | null;
  reason: string;
  actor: string;
}

function checkAnalyzer(deps: QcDeps, analyzer: string | null, action: string): void {
  if (analyzer !== null && !deps.analyzers.includes(analyzer))
    throw new QcActionError(`unknown analyzer "${analyzer}" (known: ${deps.analyzers.join(", ") || "none"})`, action);
}

function requireReason(reason: string | undefined, action: string): string {
  const r = (reason ?? "").trim();
  if (!r) throw new QcActionError("a reason is required (--reason TEXT): every intervention says why", action);
  return r;
}

const scope = (analyzer: string | null) => analyzer ?? "the whole station";

/** Starts maintenance: readings of the analyzer (or every analyzer) are flagged M until it ends. */
export function maintenanceOn(deps: QcDeps, args: MaintenanceArgs, now = Date.now()): QcWindow {
  const reason = requireReason(args.reason, "maintenance.on");
  checkAnalyzer(deps, args.analyzer, "maintenance.on");
  return deps.db.transaction(() => {
    const open = deps.qc.windows({ kind: "maintenance", open: true }).find((w) => w.analyzer === args.analyzer);
    if (open) throw new QcActionError(`maintenance of ${scope(args.analyzer)} is already on (since ${new Date(open.fromTs).toISOString()}, by ${open.actor})`, "maintenance.on");
    const w = deps.qc.openWindow({ kind: "maintenance", analyzer: args.analyzer, channel: null, fromTs: now, toTs: null, flag: "M", reason, actor: args.actor }, now);
    deps.audit.append({ actor: args.actor, action: "maintenance.on", reason, details: { analyzer: args.analyzer, window: w.id } }, now);
    return w;
  })();
}

/** Ends maintenance started for the same scope. */
export function maintenanceOff(deps: QcDeps, args: MaintenanceArgs, now = Date.now()): QcWindow {
  const reason = requireReason(args.reason, "maintenance.off");
  checkAnalyzer(deps, args.analyzer, "maintenance.off");
  return deps.db.transaction(() => {
    const open = deps.qc.windows({ kind: "maintenance", open: true }).find((w) => w.analyzer === args.analyzer);
    if (!open) throw new QcActionError(`maintenance of ${scope(args.analyzer)} is not on`, "maintenance.off");
    deps.qc.closeWindow(open.id, now);
    deps.audit.append({ actor: args.actor, action: "maintenance.off", reason, details: { analyzer: args.analyzer, window: open.id, from: open.fromTs, to: now } }, now);
    return { ...open, toTs: now };
  })();
}

export interface ManualFlagArgs {
  analyzer: string;
  /** null: every channel of the analyzer. */
  channel: string | null;
  from: number;
  to: number;
  flag: Hj212Flag;
  reason: string;
  actor: string;
}

/**
 * A technician's flag over a time window: stored as a window (readings arriving later inside it
 * are flagged too), applied to the readings already there, audited, and the closed aggregates
 * of the window recomputed (and sent again where they change).
 */
export function manualFlag(deps: QcDeps, args: ManualFlagArgs, now = Date.now()): { window: QcWindow; readings: number } {
  const reason = requireReason(args.reason, "flag.manual");
  checkAnalyzer(deps, args.analyzer, "flag.manual");
  if (args.flag === "N") throw new QcActionError("N cannot be set by hand: a manual flag can only add doubt, never remove it", "flag.manual");
  if (!(args.to > args.from)) throw new QcActionError("--to must be after --from", "flag.manual");
  return deps.db.transaction(() => {
    const w = deps.qc.openWindow({ kind: "manual", analyzer: args.analyzer, channel: args.channel, fromTs: args.from, toTs: args.to, flag: args.flag, reason, actor: args.actor }, now);
    const applied = deps.qc.applyWindow(w);
    deps.markDirty(args.from, args.to);
    deps.audit.append(
      { actor: args.actor, action: "flag.manual", reason, details: { analyzer: args.analyzer, channel: args.channel, from: args.from, to: args.to, flag: args.flag, window: w.id, readings: applied.readings } },
      now,
    );
    return { window: w, readings: applied.readings };
  })();
}
