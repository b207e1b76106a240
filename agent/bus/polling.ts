// Polling as a feature: one poller per bus with enabled analyzers (poller.ts), handing every
// poll's readings to the store step. A technician can step a bus's poller aside to talk on the
// line by hand (`bus-pause`); it resumes by itself, so a forgotten pause cannot stop polling.
import type { StationConfig } from "../../config/schema.js";
import type { AuditSink, ControlCommands, Feature } from "../feature.js";
import type { Logger } from "../log.js";
import type { Reading } from "../types.js";
import { BusPoller, type AnalyzerStats } from "./poller.js";

export interface PollingDeps {
  cfg: StationConfig;
  /** The store step (agent/store/ingest-queue.ts), given by the composition root. */
  onReadings: (rows: Reading[]) => void;
  /** The audit trail, while the database is open. */
  audit: () => AuditSink | null;
  commands: ControlCommands;
  log: Logger;
}

export class Polling implements Feature {
  readonly pollers: BusPoller[] = [];
  private readonly pauseTimers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly deps: PollingDeps) {}

  async start(): Promise<void> {
    const { cfg, commands, log } = this.deps;
    commands.on("bus-pause", (_c, a) => this.pauseBus(String(a.bus), Number(a.seconds ?? 60), String(a.reason ?? ""), String(a.actor ?? "unknown")));
    commands.on("bus-resume", (_c, a) => this.resumeBus(String(a.bus), String(a.actor ?? "unknown")));
    for (const bus of cfg.buses) {
      const analyzers = cfg.analyzers.filter((a) => a.bus === bus.id && a.enabled);
      if (!analyzers.length) continue;
      this.pollers.push(new BusPoller(bus, analyzers, { onReadings: (r) => this.deps.onReadings(r), log: log.child(`bus ${bus.id}`) }));
    }
    for (const p of this.pollers) await p.start();
  }

  async stop(): Promise<void> {
    for (const t of this.pauseTimers.values()) clearTimeout(t);
    for (const p of [...this.pollers].reverse()) await p.stop();
  }

  /** The poll statistics of an analyzer, from whichever poller polls it. */
  stats(analyzer: string): AnalyzerStats | undefined {
    for (const p of this.pollers) {
      const s = p.stats()[analyzer];
      if (s) return s;
    }
    return undefined;
  }

  /**
   * Steps a bus's poller aside so a technician can talk on the line by hand (`read`/`write`/`scan`
   * with --force). It resumes by itself after `seconds`, so a forgotten pause cannot stop polling.
   */
  async pauseBus(busId: string, seconds: number, reason: string, actor = "unknown"): Promise<{ bus: string; resumesAt: number }> {
    const poller = this.pollers.find((p) => p.bus.id === busId);
    if (!poller) throw new Error(`no poller for bus "${busId}" (polled buses: ${this.pollers.map((p) => p.bus.id).join(", ")})`);
    const s = Math.min(Math.max(seconds, 1), 3600);
    clearTimeout(this.pauseTimers.get(busId));
    await poller.stop();
    this.pauseTimers.set(busId, setTimeout(() => void this.resumeBus(busId, "agent"), s * 1000));
    this.deps.audit()?.append({ actor, action: "bus.pause", reason: reason || undefined, details: { bus: busId, seconds: s } });
    this.deps.log.warn(`bus ${busId} paused for ${s} s${reason ? `: ${reason}` : ""}`);
    return { bus: busId, resumesAt: Date.now() + s * 1000 };
  }

  async resumeBus(busId: string, actor = "unknown"): Promise<{ bus: string }> {
    const poller = this.pollers.find((p) => p.bus.id === busId);
    if (!poller) throw new Error(`no poller for bus "${busId}"`);
    clearTimeout(this.pauseTimers.get(busId));
    const wasPaused = this.pauseTimers.delete(busId);
    await poller.start();
    if (wasPaused) this.deps.audit()?.append({ actor, action: "bus.resume", reason: actor === "agent" ? "the pause ran out" : undefined, details: { bus: busId } });
    this.deps.log.info(`bus ${busId} resumed`);
    return { bus: busId };
  }
}
