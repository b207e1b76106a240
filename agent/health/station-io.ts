// The station's wired I/O as a feature (gpio.ts): the status LED, relays that power-cycle an
// analyzer that stopped answering, and the door contact. The door puts the whole station in
// maintenance while it is open (data flagged M), audited like a technician's `maintenance on`;
// closing it ends only the maintenance the door started: one a technician started stays.
import type { StationConfig } from "../../config/schema.js";
import type { AnalyzerStats } from "../bus/poller.js";
import type { AuditSink, Feature } from "../feature.js";
import type { Logger } from "../log.js";
import { maintenanceOff, maintenanceOn, type QcDeps } from "../qc/actions.js";
import type { QcStore } from "../qc/store.js";
import { ledPattern, StationGpio, type GpioClass } from "./gpio.js";

export interface StationIoDeps {
  cfg: StationConfig;
  /** Loads the GPIO class (default: onoff's); tests pass a stand-in, there being no pins off a Pi. */
  loadGpio?: () => Promise<GpioClass>;
  pollerStats: (analyzer: string) => AnalyzerStats | undefined;
  platformsDown: () => number;
  qc: () => QcDeps & { qc: QcStore };
  audit: () => AuditSink;
  /** The door alarm (agent/alarms/). */
  doorAlarm: (open: boolean) => void;
  log: Logger;
}

const DOOR_ACTOR = "door-contact";

export class StationIo implements Feature {
  gpio: StationGpio | null = null;

  constructor(private readonly deps: StationIoDeps) {}

  /** The door contact: null when there is none. */
  get doorOpen(): boolean | null {
    return this.deps.cfg.gpio?.door ? (this.gpio?.doorOpen ?? null) : null;
  }

  async start(): Promise<void> {
    const { cfg, pollerStats } = this.deps;
    this.gpio = new StationGpio(cfg.gpio, {
      log: this.deps.log,
      onDoor: (open) => this.onDoor(open),
      onPowerCycle: (analyzer, offS) =>
        this.deps.audit().append({ actor: "agent", action: "analyzer.power_cycle", reason: "the analyzer stopped answering", details: { analyzer, off_s: offS } }),
      lastOk: (analyzer) => pollerStats(analyzer)?.lastOk ?? null,
      pattern: () =>
        ledPattern({
          analyzersFailing: cfg.analyzers.filter((a) => (pollerStats(a.id)?.consecutiveFailures ?? 0) > 0).length,
          platformsDown: this.deps.platformsDown(),
        }),
    }, this.deps.loadGpio);
    await this.gpio.start();
  }

  stop(): void {
    this.gpio?.stop();
  }

  private onDoor(open: boolean): void {
    this.deps.doorAlarm(open);
    const deps = this.deps.qc();
    try {
      if (open) maintenanceOn(deps, { analyzer: null, reason: "station door opened", actor: DOOR_ACTOR });
      else if (deps.qc.windows({ kind: "maintenance", open: true }).some((w) => w.analyzer === null && w.actor === DOOR_ACTOR))
        maintenanceOff(deps, { analyzer: null, reason: "station door closed", actor: DOOR_ACTOR });
    } catch (err) {
      this.deps.log.info(`door ${open ? "opened" : "closed"}: ${(err as Error).message}`);
    }
  }
}
