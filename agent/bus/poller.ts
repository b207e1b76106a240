// One poller per bus: each analyzer on its own interval, every request through the bus's one
// Transport (one request on the wire at a time). A poll that fails yields B readings for every enabled
// channel; an analyzer that keeps failing is probed less often (doubling, capped), while its B readings
// still come at its normal interval without touching the wire, so a dead device costs its neighbours
// little bus time.
import type { AnalyzerConfig, BusConfig } from "../../config/schema.js";
import { getDriver } from "../../drivers/index.js";
import type { Reading } from "../types.js";
import { BusClosedError, ModbusExceptionError } from "./errors.js";
import { decodePoll, noAnswerReadings, planAnalyzer, type AnalyzerPlan, type PollResponse, type ResolvedState } from "./readings.js";
import { createTransport, type BusLog, type Transport } from "./transport.js";

export type { BusLog } from "./transport.js";

export interface PollerDeps {
  onReadings: (readings: Reading[]) => void;
  log?: BusLog;
  /** Injected transport (default: modbus-serial over the bus config). */
  transport?: Transport;
  /** Cap of the probe back-off of a failing analyzer (ms, default 60000; never below its interval). */
  backoffMaxMs?: number;
  /** Transport reopen back-off, passed to createTransport. */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
}

export interface AnalyzerStats {
  polls: number;
  failures: number;
  /** When the last successful answer arrived (ms since the epoch), null if never. */
  lastOk: number | null;
  consecutiveFailures: number;
  lastError: string | null;
  /** While backed off: when the wire is tried next. */
  nextProbeAt: number | null;
}

/** Outcome of one poll on the wire. */
export type PollOutcome =
  | { ok: true; readings: Reading[]; state: ResolvedState }
  | { ok: false; readings: Reading[]; error: Error };

const noLog: BusLog = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Reads everything an analyzer's plan asks for, retrying each request up to `retries` times; a failure
 * becomes B readings.
 */
export async function pollPlan(transport: Transport, plan: AnalyzerPlan, timeoutMs: number, retries = plan.analyzer.retries): Promise<PollOutcome> {
  const { slave } = plan.analyzer;
  const responses: PollResponse[] = [];
  try {
    for (const request of plan.requests) {
      for (let attempt = 0; ; attempt++) {
        try {
          const data = await transport.read(slave, request.fc, request.address, request.count, timeoutMs);
          responses.push({ request, data, ts: Date.now() });
          break;
        } catch (e) {
          // Retry what may succeed on a second try: timeouts, garbled answers, busy slaves (as Telegraf does).
          const final = e instanceof BusClosedError || (e instanceof ModbusExceptionError && !e.retryable);
          if (final || attempt >= retries) throw e;
        }
      }
    }
  } catch (e) {
    return { ok: false, readings: noAnswerReadings(plan, Date.now()), error: e as Error };
  }
  return { ok: true, ...decodePoll(plan, responses) };
}

interface Slot {
  plan: AnalyzerPlan;
  intervalMs: number;
  timeoutMs: number;
  nextTick: number;
  timer: NodeJS.Timeout | null;
  inFlight: boolean;
  /** A tick came while the previous poll was still waiting for the bus: poll again as soon as it ends. */
  owed: boolean;
  stats: AnalyzerStats;
}

export class BusPoller {
  private transport: Transport | null = null;
  private slots: Slot[] = [];
  private running = false;
  private readonly log: BusLog;

  constructor(
    readonly bus: BusConfig,
    private readonly analyzers: AnalyzerConfig[],
    private readonly deps: PollerDeps,
  ) {
    this.log = deps.log ?? noLog;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const now = Date.now();
    this.slots = this.analyzers
      .filter((a) => a.enabled !== false)
      .map((a) => {
        if (a.bus !== this.bus.id) throw new Error(`analyzer ${a.id}: bus "${a.bus}" is not bus ${this.bus.id}`);
        const driver = getDriver(a.driver);
        if (!driver) throw new Error(`analyzer ${a.id}: unknown driver "${a.driver}"`);
        return {
          plan: planAnalyzer(a, driver),
          intervalMs: a.interval_s * 1000,
          timeoutMs: a.timeout_ms ?? this.bus.timeout_ms,
          nextTick: now,
          timer: null,
          inFlight: false,
          owed: false,
          stats: { polls: 0, failures: 0, lastOk: null, consecutiveFailures: 0, lastError: null, nextProbeAt: null },
        };
      });
    this.running = true;
    this.transport =
      this.deps.transport ??
      createTransport(this.bus, { log: this.log, reconnectMinMs: this.deps.reconnectMinMs, reconnectMaxMs: this.deps.reconnectMaxMs });
    try {
      await this.transport.open();
    } catch (e) {
      // Keep going: the transport reopens by itself, and until then every poll yields B readings.
      this.log.error((e as Error).message, { bus: this.bus.id });
    }
    for (const slot of this.slots) this.arm(slot);
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const slot of this.slots) if (slot.timer) clearTimeout(slot.timer);
    await this.transport?.close();
    this.transport = null;
  }

  stats(): Record<string, AnalyzerStats> {
    return Object.fromEntries(this.slots.map((s) => [s.plan.analyzer.id, { ...s.stats }]));
  }

  /** Next tick on the analyzer's fixed grid; ticks missed while the event loop was blocked are skipped, not bunched. */
  private arm(slot: Slot): void {
    if (!this.running) return;
    const now = Date.now();
    const delay = Math.max(0, slot.nextTick - now);
    slot.timer = setTimeout(() => {
      slot.nextTick += slot.intervalMs;
      while (slot.nextTick <= Date.now()) slot.nextTick += slot.intervalMs;
      this.arm(slot);
      void this.tick(slot);
    }, delay);
  }

  private async tick(slot: Slot): Promise<void> {
    const { stats, plan } = slot;
    if (slot.inFlight) {
      // Not skipped (that would be a silent interval): one poll is owed and runs when this one ends.
      slot.owed = true;
      return;
    }
    if (stats.nextProbeAt !== null && Date.now() < stats.nextProbeAt) {
      this.emit(noAnswerReadings(plan, Date.now()));
      return;
    }
    slot.inFlight = true;
    let outcome: PollOutcome;
    try {
      // Retries are for a device that answered last time; a failing one gets one try per probe,
      // so it holds the bus as briefly as possible.
      const retries = stats.consecutiveFailures > 0 ? 0 : plan.analyzer.retries;
      outcome = await pollPlan(this.transport!, plan, slot.timeoutMs, retries);
    } finally {
      slot.inFlight = false;
    }
    if (!this.running) return;
    stats.polls++;
    if (outcome.ok) {
      if (stats.consecutiveFailures > 0) this.log.info("analyzer answers again", { analyzer: plan.analyzer.id, after: stats.consecutiveFailures });
      stats.consecutiveFailures = 0;
      stats.nextProbeAt = null;
      stats.lastOk = outcome.readings[0]?.ts ?? Date.now();
    } else {
      stats.failures++;
      stats.consecutiveFailures++;
      stats.lastError = outcome.error.message;
      const cap = Math.max(this.deps.backoffMaxMs ?? 60_000, slot.intervalMs);
      const wait = Math.min(slot.intervalMs * 2 ** (stats.consecutiveFailures - 1), cap);
      // A closed bus fails at once without touching the wire, and is not the device's fault: no back-off,
      // so the analyzer is probed at its next tick after the port reopens.
      const backOff = stats.consecutiveFailures > 1 && !(outcome.error instanceof BusClosedError);
      stats.nextProbeAt = backOff ? Date.now() + wait - slot.intervalMs / 2 : null;
      const fields = { analyzer: plan.analyzer.id, slave: plan.analyzer.slave, error: outcome.error.message, failures: stats.consecutiveFailures };
      if (stats.consecutiveFailures === 1) this.log.warn("poll failed", fields);
      else this.log.debug("poll failed again", backOff ? { ...fields, nextProbeInMs: wait } : fields);
    }
    this.emit(outcome.readings);
    if (slot.owed && this.running) {
      slot.owed = false;
      void this.tick(slot);
    }
  }

  private emit(readings: Reading[]): void {
    if (!this.running || readings.length === 0) return;
    try {
      this.deps.onReadings(readings);
    } catch (e) {
      this.log.error("onReadings threw", { bus: this.bus.id, error: (e as Error).message });
    }
  }
}

export type ProbeResult = PollOutcome & { analyzer: string; source: string; durationMs: number };

/** Reads an analyzer once on its own connection (for the `probe` command): readings, state or the error. */
export async function probeOnce(analyzer: AnalyzerConfig, bus: BusConfig, opts: { transport?: Transport; log?: BusLog } = {}): Promise<ProbeResult> {
  const driver = getDriver(analyzer.driver);
  if (!driver) throw new Error(`analyzer ${analyzer.id}: unknown driver "${analyzer.driver}"`);
  const plan = planAnalyzer(analyzer, driver);
  const transport = opts.transport ?? createTransport(bus, { log: opts.log });
  const started = Date.now();
  const base = { analyzer: analyzer.id, source: plan.source };
  try {
    if (!opts.transport) await transport.open();
    const outcome = await pollPlan(transport, plan, analyzer.timeout_ms ?? bus.timeout_ms);
    return { ...outcome, ...base, durationMs: Date.now() - started };
  } catch (e) {
    return { ok: false, readings: noAnswerReadings(plan, Date.now()), error: e as Error, ...base, durationMs: Date.now() - started };
  } finally {
    if (!opts.transport) await transport.close();
  }
}
