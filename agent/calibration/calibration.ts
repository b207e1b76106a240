// Calibration as a feature: zero/span/standard checks on their schedules, from the CLI
// (`calibrate` over the control socket) and from platforms (3011), each window flagged C (service.ts).
// Alarms and 2062 uploads lie above calibration in the flow: they come in as functions.
import type { StationConfig } from "../../config/schema.js";
import type { BusPoller } from "../bus/poller.js";
import type { ControlCommands, Feature } from "../feature.js";
import type { Logger } from "../log.js";
import type { Quality } from "../qc/quality.js";
import type { Storage } from "../store/storage.js";
import type { CheckResult } from "./run.js";
import { CalibrationService, type CalibrationServiceDeps } from "./service.js";
import { CalibrationStore } from "./store.js";

export interface CalibrationDeps {
  cfg: StationConfig;
  storage: Storage;
  quality: Quality;
  pollers: () => readonly BusPoller[];
  codesOf: (analyzer: string) => readonly string[];
  /** The alarm service, once it runs (agent/alarms/). */
  alarms: () => NonNullable<CalibrationServiceDeps["alarms"]> | null;
  onResult: (r: CheckResult) => void;
  commands: ControlCommands;
  log: Logger;
}

export class Calibration implements Feature {
  service: CalibrationService | null = null;

  constructor(private readonly deps: CalibrationDeps) {}

  start(): void {
    const { cfg, storage, quality } = this.deps;
    this.service = new CalibrationService({
      cfg, calibrations: new CalibrationStore(storage.db!), readings: storage.readings, pollers: this.deps.pollers, codesOf: this.deps.codesOf, log: this.deps.log,
      qc: () => quality.actionDeps(),
      alarms: { raise: (a, now) => this.deps.alarms()?.raise(a, now), clear: (k, s, now) => this.deps.alarms()?.clear(k, s, now) },
      onResult: (r) => this.deps.onResult(r),
    });
    this.deps.commands.on("calibrate", this.service.controlHandler());
    this.service.start();
  }

  /** A check in progress sends its instrument back to measuring while the bus is still up. */
  async stop(): Promise<void> {
    await this.service?.stop();
  }
}
