// One scheduler per bus (style.md, agent/bus/): every analyzer ticks on its own interval, and its poll
// goes through the bus's one line (line.ts), whose scheduler orders the requests: serialized with the
// t3.5 silence on RTU, concurrent across slaves on Modbus TCP. A poll that fails yields B readings for
// every enabled channel; an analyzer that keeps failing is probed less often (doubling, capped), while
// its B readings still come at its normal interval without touching the wire, so a dead device costs
// its neighbours little bus time.
import type { AnalyzerConfig, BusConfig } from "../../config/schema.js";
import type { Reading } from "../types.js";
import { BusClosedError } from "./errors.js";
import { connectBus, type Line, type Polled } from "./line.js";
import type { PollOutcome } from "./poll.js";
import type { AsciiPort } from "./ascii-port.js";
import type { BusLog, Transport } from "./transport.js";

export type { BusLog } from "./transport.js";
export { pollPlan, type PollOutcome } from "./poll.js";

export interface PollerDeps {
  onReadings: (readings: Reading[]) => void;
  log?: BusLog;
  /** Injected transport (default: modbus-serial over the bus config). */
  transport?: Transport;
  /** Injected port for an ASCII instrument (default: serialport on the bus's path). */
  asciiPort?: AsciiPort;
  /** First probe back-off of a failing analyzer (ms, default 1000; never below its interval). */
  backoffMinMs?: number;
  /** Cap of the probe back-off (ms, default 60000; never below its interval). */
  backoffMaxMs?: number;
  /** Transport reopen back-off. */
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

interface Slot {
  polled: Polled;
  intervalMs: number;
  timeoutMs: number;
  /** performance.now() of the next tick. */
  nextTick: number;
  /** While backed off: performance.now() when the wire is tried next (stats.nextProbeAt is its wall-clock twin). */
  probeAt: number | null;
  timer: NodeJS.Timeout | null;
  inFlight: boolean;
  /** A tick came while the previous poll was still waiting for the bus: poll again as soon as it ends. */
  owed: boolean;
  stats: AnalyzerStats;
}

const noLog: BusLog = { debug() {}, info() {}, warn() {}, error() {} };

export class BusPoller {
  private line: Line | null = null;
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
    // The tick grid runs on the monotonic clock: a wall clock stepped back (NTP, `date -s`) must not
    // stop polling until it catches up, nor a step forward fire a burst of ticks.
    const now = performance.now();
    const { line, polled } = connectBus(
      this.bus,
      this.analyzers.filter((a) => a.enabled !== false),
      { log: this.log, transport: this.deps.transport, asciiPort: this.deps.asciiPort, reconnectMinMs: this.deps.reconnectMinMs, reconnectMaxMs: this.deps.reconnectMaxMs },
    );
    this.slots = polled.map((p) => ({
      polled: p,
      intervalMs: p.analyzer.interval_s * 1000,
      timeoutMs: p.analyzer.timeout_ms ?? this.bus.timeout_ms,
      nextTick: now,
      probeAt: null,
      timer: null,
      inFlight: false,
      owed: false,
      stats: { polls: 0, failures: 0, lastOk: null, consecutiveFailures: 0, lastError: null, nextProbeAt: null },
    }));
    this.line = line;
    this.running = true;
    try {
      await line.open();
    } catch (e) {
      // Keep going: the line reopens by itself, and until then every poll yields B readings.
      this.log.error((e as Error).message, { bus: this.bus.id });
    }
    for (const slot of this.slots) this.arm(slot);
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const slot of this.slots) if (slot.timer) clearTimeout(slot.timer);
    await this.line?.close();
    this.line = null;
  }

  stats(): Record<string, AnalyzerStats> {
    return Object.fromEntries(this.slots.map((s) => [s.polled.analyzer.id, { ...s.stats }]));
  }

  /**
   * One Modbus write to an analyzer polled here (a calibration command, agent/calibration), on the
   * bus's own line: its scheduler orders it between polls, so nothing else opens the port.
   */
  async writeCommand(analyzerId: string, w: { fc: 5 | 6 | 16; address: number; values: number[] | boolean[] }): Promise<void> {
    const slot = this.slots.find((s) => s.polled.analyzer.id === analyzerId);
    const line = this.line as (Line & Partial<Pick<Transport, "write">>) | null;
    if (!slot || !line || !this.running) throw new BusClosedError({ bus: this.bus.id, detail: `analyzer ${analyzerId} is not polled (now)` });
    if (typeof line.write !== "function") throw new Error(`analyzer ${analyzerId} is not a Modbus instrument: it takes no command writes`);
    await line.write(slot.polled.analyzer.slave, w.fc, w.address, w.values, slot.timeoutMs);
  }

  /** Next tick on the analyzer's fixed grid; ticks missed while the event loop was blocked are skipped, not bunched. */
  private arm(slot: Slot): void {
    if (!this.running) return;
    const delay = Math.max(0, slot.nextTick - performance.now());
    slot.timer = setTimeout(() => {
      slot.nextTick += slot.intervalMs;
      while (slot.nextTick <= performance.now()) slot.nextTick += slot.intervalMs;
      this.arm(slot);
      void this.tick(slot);
    }, delay);
  }

  private async tick(slot: Slot): Promise<void> {
    const { stats, polled } = slot;
    if (slot.inFlight) {
      // Not skipped (that would be a silent interval): one poll is owed and runs when this one ends.
      slot.owed = true;
      return;
    }
    if (slot.probeAt !== null && performance.now() < slot.probeAt) {
      this.emit(polled.noAnswer(Date.now()));
      return;
    }
    slot.inFlight = true;
    let outcome: PollOutcome;
    try {
      // Retries are for a device that answered last time; a failing one gets one try per probe,
      // so it holds the bus as briefly as possible.
      outcome = await polled.poll(slot.timeoutMs, stats.consecutiveFailures > 0 ? 0 : polled.analyzer.retries);
    } finally {
      slot.inFlight = false;
    }
    if (!this.running) return;
    stats.polls++;
    if (outcome.ok) this.succeeded(slot, outcome.readings);
    else this.failed(slot, outcome.error);
    this.emit(outcome.readings);
    if (slot.owed && this.running) {
      slot.owed = false;
      void this.tick(slot);
    }
  }

  private succeeded(slot: Slot, readings: Reading[]): void {
    const { stats } = slot;
    if (stats.consecutiveFailures > 0) this.log.info("analyzer answers again", { analyzer: slot.polled.analyzer.id, after: stats.consecutiveFailures });
    stats.consecutiveFailures = 0;
    stats.nextProbeAt = null;
    slot.probeAt = null;
    stats.lastOk = Date.now(); // when it answered, not the sample time an instrument reports (water-dbs)
  }

  private failed(slot: Slot, error: Error): void {
    const { stats, polled } = slot;
    stats.failures++;
    stats.consecutiveFailures++;
    stats.lastError = error.message;
    // A closed bus fails at once without touching the wire, and is not the device's fault: no back-off,
    // so the analyzer is probed at its next tick after the port reopens. Otherwise the second failure
    // in a row starts the back-off: from max(interval, backoffMinMs), doubling up to the cap. The floor
    // matters on fast polls: a 100 ms analyzer that died must not be probed ten times a second.
    const backOff = stats.consecutiveFailures > 1 && !(error instanceof BusClosedError);
    const first = Math.max(slot.intervalMs, this.deps.backoffMinMs ?? 1000);
    const cap = Math.max(this.deps.backoffMaxMs ?? 60_000, slot.intervalMs);
    const wait = Math.min(first * 2 ** (stats.consecutiveFailures - 2), cap);
    slot.probeAt = backOff ? performance.now() + wait - slot.intervalMs / 2 : null;
    stats.nextProbeAt = backOff ? Date.now() + wait - slot.intervalMs / 2 : null;
    const fields = { analyzer: polled.analyzer.id, slave: polled.analyzer.slave, error: error.message, failures: stats.consecutiveFailures };
    if (stats.consecutiveFailures === 1) this.log.warn("poll failed", fields);
    else this.log.debug("poll failed again", backOff ? { ...fields, nextProbeInMs: wait } : fields);
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

export type ProbeResult = PollOutcome & {
  analyzer: string;
  source: string;
  durationMs: number;
  /** The requests the poll ended with (Modbus): a coalesced read refused over a hole shows split. */
  plan?: Array<{ fc: number; address: number; count: number }>;
};

/** Reads an analyzer once on its own connection (for the `probe` command): readings, state or the error. */
export async function probeOnce(
  analyzer: AnalyzerConfig,
  bus: BusConfig,
  opts: { transport?: Transport; asciiPort?: AsciiPort; log?: BusLog } = {},
): Promise<ProbeResult> {
  const { line, polled } = connectBus(bus, [analyzer], opts);
  const [p] = polled;
  const injected = opts.transport !== undefined || opts.asciiPort !== undefined;
  const started = Date.now();
  const base = { analyzer: analyzer.id, source: p.source };
  try {
    if (!injected) await line.open();
    // An instrument that sends by itself (no requests) is given its interval to send something.
    const timeout = analyzer.timeout_ms ?? bus.timeout_ms;
    const outcome = await p.poll(p.requestsPerPoll === 0 ? Math.max(timeout, analyzer.interval_s * 1000 + timeout) : timeout, analyzer.retries);
    return { ...outcome, ...base, durationMs: Date.now() - started, ...(p.requests ? { plan: p.requests() } : {}) };
  } catch (e) {
    return { ok: false, readings: p.noAnswer(Date.now()), error: e as Error, ...base, durationMs: Date.now() - started };
  } finally {
    if (!injected) await line.close();
  }
}
