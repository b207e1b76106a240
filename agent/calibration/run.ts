// One check, start to end: open the C window, drive the instrument, wait, read, always send the
// instrument back to measuring, judge, record, audit, and raise or clear the alarm. The same code runs
// in the service (writes through the bus's poller, readings from the store) and in the CLI without a
// service (its own connection and poll loop): only CheckIo differs.
import type { AnalyzerConfig } from "../../config/schema.js";
import type { CommandWrite } from "../bus/readings.js";
import type { Logger } from "../log.js";
import { maintenanceOn, type QcDeps } from "../qc/actions.js";
import type { Hj212Flag } from "../types.js";
import { consecutiveFailures, judge, stabilisedValue } from "./drift.js";
import type { CheckPlan } from "./plan.js";
import type { CalibrationStore, Trigger } from "./store.js";

/** How a check reaches its instrument and sees its readings. */
export interface CheckIo {
  /** Sends one command write to the analyzer. */
  write(analyzer: AnalyzerConfig, w: CommandWrite): Promise<void>;
  /** A mark in the flow of readings: readingsSince(mark) returns those that arrived after it. */
  mark(): number;
  /** Readings of one analyzer channel that arrived after the mark, oldest first. */
  readingsSince(mark: number, analyzer: string, channel: string): Array<{ ts: number; value: number | null; flag: Hj212Flag }>;
  /** Waits; rejects when the check is aborted (the agent stops). */
  sleep(ms: number): Promise<void>;
}

/** The alarm module's side a check needs (agent/alarms). */
export interface CalibrationAlarms {
  raise(a: { kind: "calibration-failed"; subject: string; analyzer: string; message: string; value: number | null }, now?: number): unknown;
  clear(kind: "calibration-failed", subject: string, now?: number): unknown;
}

export interface CheckDeps {
  qc: QcDeps;
  calibrations: CalibrationStore;
  io: CheckIo;
  alarms?: CalibrationAlarms;
  log?: Logger;
  now?: () => number;
}

export interface CheckResult {
  id: number;
  analyzer: string;
  kind: string;
  channel: string;
  reading: number | null;
  reference: number;
  drift: number | null;
  limit: number;
  unit: string;
  pass: boolean;
  /** Why the check did not complete (bus error, aborted); null when it did. */
  error: string | null;
  started: number;
  ended: number;
  /** Readings are flagged C from started until this (ended + purge). */
  flaggedUntil: number;
  maintenance: boolean;
}

const RESULT_POLL_MS = 250;

/** The reading: the stabilised mean, or (result register) the first new result, waiting up to stabiliseMs. */
async function takeReading(plan: CheckPlan, io: CheckIo, mark: number, started: number, now: () => number): Promise<number | null> {
  const a = plan.analyzer.id;
  if (!plan.resultRegister) {
    await io.sleep(plan.stabiliseMs);
    // Readings still in the service's write batch are committed within batch_ms: give them a moment.
    await io.sleep(Math.min(500, plan.stabiliseMs));
    const rows = io.readingsSince(mark, a, plan.channel).filter((r) => r.flag !== "B" && r.ts <= started + plan.stabiliseMs + 250);
    return stabilisedValue(rows, started + plan.stabiliseMs - plan.averageMs);
  }
  for (;;) {
    const got = io.readingsSince(mark, a, plan.channel).filter((r) => r.value !== null);
    if (got.length) return got[got.length - 1].value;
    if (now() - started >= plan.stabiliseMs) return null;
    await io.sleep(RESULT_POLL_MS);
  }
}

export async function runCheck(deps: CheckDeps, plan: CheckPlan, who: { trigger: Trigger; actor: string }): Promise<CheckResult> {
  const now = deps.now ?? Date.now;
  const { qc, calibrations, io } = deps;
  const a = plan.analyzer.id;
  const started = now();
  const reason = `${plan.kind} check (${who.trigger})`;
  // The row, the open C window and the start entry together: a check is never half-recorded.
  const { id, window } = qc.db.transaction(() => {
    const id = calibrations.begin({ analyzer: a, kind: plan.kind, channel: plan.channel, started, reference: plan.reference, limit: plan.limit, unit: plan.unit, trigger: who.trigger, actor: who.actor });
    // Every channel of the analyzer: the whole instrument is on check gas, not only the checked channel.
    const window = qc.qc.openWindow({ kind: "calibration", analyzer: a, channel: null, fromTs: started, toTs: null, flag: "C", reason, actor: who.actor }, started);
    calibrations.setWindow(id, window.id);
    qc.audit.append({ actor: who.actor, action: "calibration.start", reason, details: { analyzer: a, kind: plan.kind, command: plan.command, trigger: who.trigger, calibration: id, window: window.id } }, started);
    return { id, window };
  })();
  deps.log?.info(`calibration: ${plan.kind} check of ${a} started (${who.trigger})`, { command: plan.command, stabiliseS: plan.stabiliseMs / 1000 });

  const mark = io.mark();
  let reading: number | null = null;
  let error: string | null = null;
  try {
    await io.write(plan.analyzer, plan.start);
    reading = await takeReading(plan, io, mark, started, now);
  } catch (err) {
    error = (err as Error).message;
  } finally {
    // Whatever happened, the instrument goes back to measuring: a coil left ON is a day of C data.
    if (plan.end) {
      try {
        await io.write(plan.analyzer, plan.end);
      } catch (err) {
        error = error ?? `could not end the check: ${(err as Error).message}`;
        deps.log?.error(`calibration: could not send ${a} back to measuring: ${(err as Error).message}`);
      }
    }
  }
  const ended = now();
  const flaggedUntil = ended + plan.purgeMs;
  const v = judge(plan.kind, reading, plan.reference, plan.limit);
  // A check that could not run (bus down) is no verdict on the instrument: pass stays null.
  const pass = error === null ? v.pass : null;
  qc.db.transaction(() => {
    qc.qc.closeWindow(window.id, flaggedUntil);
    qc.qc.applyWindow({ ...window, toTs: flaggedUntil }); // readings stored before the window existed
    qc.markDirty(started, flaggedUntil);
    calibrations.finish(id, { ended, reading: v.reading, drift: v.drift, pass, error });
    qc.audit.append(
      {
        actor: who.actor,
        action: "calibration.result",
        reason: error ?? undefined,
        details: { analyzer: a, kind: plan.kind, calibration: id, reading: v.reading, reference: v.reference, drift: v.drift, limit: v.limit, unit: plan.unit, pass, flaggedUntil },
      },
      ended,
    );
  })();

  let maintenance = false;
  const subject = `${a}/${plan.kind}`;
  if (pass === false) {
    const why = v.reading === null ? "no valid reading" : `drift ${v.drift} ${plan.kind === "zero" ? plan.unit : "(fraction)"}, limit ${v.limit}`;
    deps.alarms?.raise({ kind: "calibration-failed", subject, analyzer: a, message: `${plan.kind} check of ${a} failed: ${why}`, value: v.drift }, ended);
    maintenance = putInMaintenance(deps, plan, ended);
  } else if (pass === true) deps.alarms?.clear("calibration-failed", subject, ended);
  deps.log?.[pass === false ? "warn" : "info"](`calibration: ${plan.kind} check of ${a} ${pass === null ? `did not complete: ${error}` : pass ? "passed" : "FAILED"}`, { reading: v.reading, drift: v.drift, limit: v.limit });
  return { id, analyzer: a, kind: plan.kind, channel: plan.channel, reading: v.reading, reference: v.reference, drift: v.drift, limit: v.limit, unit: plan.unit, pass: pass === true, error, started, ended, flaggedUntil, maintenance };
}

/** After maintenance_after_failures failures in a row, the analyzer's data is flagged M until a technician looks. */
function putInMaintenance(deps: CheckDeps, plan: CheckPlan, at: number): boolean {
  const n = plan.maintenanceAfter;
  if (n === 0) return false;
  const failures = consecutiveFailures(deps.calibrations.recent(plan.analyzer.id, plan.kind, 20).filter((r) => r.pass !== null));
  if (failures < n) return false;
  const on = deps.qc.qc.windows({ kind: "maintenance", open: true }).some((w) => w.analyzer === plan.analyzer.id || w.analyzer === null);
  if (on) return false;
  maintenanceOn(deps.qc, { analyzer: plan.analyzer.id, actor: "agent", reason: `${n} consecutive failed ${plan.kind} checks` }, at);
  return true;
}
