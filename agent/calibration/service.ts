// Scheduled checks in the running service: one node-cron task per configured check (station local
// time), one check at a time per analyzer (a scheduled one waits its turn, a CLI or platform one is
// refused as busy), the control command `calibrate` for the CLI and 3011 for the platforms.
// A check the agent was killed in the middle of is closed at the next start, its coil switched off.
import { schedule, type ScheduledTask } from "node-cron";
import type { StationConfig } from "../../config/schema.js";
import { CHECK_KINDS, type CheckKind } from "../../config/schema-calibration.js";
import type { BusPoller } from "../bus/poller.js";
import type { ControlHandler } from "../feature.js";
import type { Logger } from "../log.js";
import type { QcDeps } from "../qc/actions.js";
import type { ReadingStore } from "../store/readings.js";
import { EXE_RTN } from "../uplink/hj212/returns.js";
import { serviceIo } from "./io.js";
import { CalibrationError, planCheck, type PlanOverrides } from "./plan.js";
import { runCheck, type CalibrationAlarms, type CheckResult } from "./run.js";
import type { CalibrationStore, Trigger } from "./store.js";

export interface CalibrationServiceDeps {
  cfg: StationConfig;
  qc: () => QcDeps;
  calibrations: CalibrationStore;
  readings: ReadingStore;
  pollers: () => readonly BusPoller[];
  /** HJ 212 codes an analyzer uploads: a 3011's PolId names the analyzer by one of them (or by its id). */
  codesOf: (analyzer: string) => readonly string[];
  alarms?: CalibrationAlarms;
  log: Logger;
  /** Every check as it completes (HJ 212-2025 2062 uploads). */
  onResult?: (r: CheckResult) => void;
}

export interface RunRequest extends PlanOverrides {
  trigger: Trigger;
  actor: string;
}

export function parseKind(v: unknown, analyzer = ""): CheckKind {
  if (typeof v === "string" && (CHECK_KINDS as readonly string[]).includes(v)) return v as CheckKind;
  throw new CalibrationError(`unknown check "${String(v)}" (one of ${CHECK_KINDS.join(", ")})`, analyzer, String(v));
}

export class CalibrationService {
  private tasks: ScheduledTask[] = [];
  private readonly running = new Map<string, Promise<CheckResult>>();
  private abort = new AbortController();

  constructor(private readonly deps: CalibrationServiceDeps) {}

  start(): void {
    this.abort = new AbortController();
    this.recover();
    const tz = this.deps.cfg.station.timezone;
    for (const a of this.deps.cfg.analyzers.filter((x) => x.enabled && x.calibration)) {
      for (const kind of CHECK_KINDS) {
        const expr = a.calibration?.[kind]?.schedule;
        if (!expr) continue;
        this.tasks.push(schedule(expr, () => this.scheduled(a.id, kind), { timezone: tz, name: `calibration ${a.id} ${kind}` }));
      }
    }
    if (this.tasks.length) this.deps.log.info(`calibration: ${this.tasks.length} scheduled check(s)`);
  }

  /** Stops the schedules and aborts running checks; each still sends its instrument back to measuring. */
  async stop(): Promise<void> {
    for (const t of this.tasks) await t.destroy();
    this.tasks = [];
    this.abort.abort();
    await Promise.allSettled([...this.running.values()]);
  }

  /** Runs a check now; refused (CalibrationError with busy) while another check of the analyzer runs. */
  run(analyzerId: string, kind: CheckKind, req: RunRequest): Promise<CheckResult> {
    const a = this.deps.cfg.analyzers.find((x) => x.id === analyzerId);
    if (!a) throw new CalibrationError(`unknown analyzer "${analyzerId}" (known: ${this.deps.cfg.analyzers.map((x) => x.id).join(", ") || "none"})`, analyzerId, kind);
    if (this.running.has(a.id)) throw new CalibrationError(`a check of ${a.id} is already running`, a.id, kind, true);
    const plan = planCheck(a, kind, req);
    const io = serviceIo(this.deps.pollers, this.deps.readings, this.abort.signal);
    const p = runCheck({ qc: this.deps.qc(), calibrations: this.deps.calibrations, io, alarms: this.deps.alarms, log: this.deps.log }, plan, req)
      .then((r) => (this.deps.onResult?.(r), r))
      .finally(() => this.running.delete(a.id));
    this.running.set(a.id, p);
    return p;
  }

  /** Control command `calibrate` (the CLI): {analyzer, kind, actor, stabilise_s?, purge_s?}. */
  controlHandler(): ControlHandler {
    return (_c, args) => {
      const analyzer = String(args.analyzer ?? "");
      const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
      return this.run(analyzer, parseKind(args.kind, analyzer), { trigger: "cli", actor: String(args.actor || "unknown"), stabilise_s: num(args.stabilise_s), purge_s: num(args.purge_s) });
    };
  }

  /** 3011 from a platform: the PolId names the analyzer (id or code); resolves to an ExeRtn. */
  async forPlatform(polId: string, what: "zero" | "span" | "zero-span" | "standard", platform = "platform"): Promise<number> {
    const a = this.deps.cfg.analyzers.find((x) => x.id === polId) ?? this.deps.cfg.analyzers.find((x) => this.deps.codesOf(x.id).includes(polId));
    if (!a) return EXE_RTN.conditionError;
    const kinds = (what === "zero-span" ? (["zero", "span"] as const) : [what]).filter((k) => a.calibration?.[k]);
    if (!kinds.length) return EXE_RTN.conditionError;
    for (const kind of kinds) {
      try {
        await this.run(a.id, kind, { trigger: "platform", actor: platform.startsWith("platform:") ? platform : `platform:${platform}` });
      } catch (err) {
        const e = err as CalibrationError;
        this.deps.log.warn(`calibration requested by ${platform} for ${a.id}: ${e.message}`);
        return e.calibrationError && e.busy ? EXE_RTN.busy : EXE_RTN.failed;
      }
    }
    return EXE_RTN.ok;
  }

  /** A scheduled check waits for one already running on the analyzer (a span right after a zero). */
  private async scheduled(analyzer: string, kind: CheckKind): Promise<void> {
    await this.running.get(analyzer)?.catch(() => undefined);
    if (this.abort.signal.aborted) return;
    try {
      await this.run(analyzer, kind, { trigger: "schedule", actor: "agent" });
    } catch (err) {
      this.deps.log.error(`calibration: scheduled ${kind} check of ${analyzer} could not run: ${(err as Error).message}`);
    }
  }

  /**
   * Checks cut short by a crash: their C window ends now (not never), the row says so, and the
   * instrument is told to leave calibration once the bus is up.
   */
  private recover(now = Date.now()): void {
    const qc = this.deps.qc();
    for (const row of this.deps.calibrations.unfinished()) {
      const error = "interrupted: the agent stopped during the check";
      qc.db.transaction(() => {
        if (row.windowId !== null) qc.qc.closeWindow(row.windowId, now);
        qc.markDirty(row.started, now);
        this.deps.calibrations.finish(row.id, { ended: now, reading: null, drift: null, pass: null, error });
        qc.audit.append({ actor: "agent", action: "calibration.result", reason: error, details: { analyzer: row.analyzer, kind: row.kind, calibration: row.id, pass: null } }, now);
      })();
      this.deps.log.warn(`calibration: the ${row.kind} check of ${row.analyzer} started ${new Date(row.started).toISOString()} was interrupted; closed`);
      const a = this.deps.cfg.analyzers.find((x) => x.id === row.analyzer);
      let end = null;
      try {
        end = a ? planCheck(a, row.kind).end : null;
      } catch {
        /* the config no longer has this check */
      }
      if (!a || !end) continue;
      const w = end;
      const t = setTimeout(() => {
        const p = this.deps.pollers().find((x) => x.bus.id === a.bus);
        p?.writeCommand(a.id, w).catch((err: Error) => this.deps.log.error(`calibration: could not send ${a.id} back to measuring: ${err.message}`));
      }, 2000);
      t.unref();
    }
  }
}
