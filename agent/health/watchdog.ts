// The systemd watchdog as a feature (sd-notify.ts): READY=1 once everything has started (it is
// the last feature), then WATCHDOG=1 while the poll loop is alive, i.e. readings (B readings
// included: a dead analyzer still yields them) arrived lately. With no analyzer there is no
// loop to watch.
import type { StationConfig } from "../../config/schema.js";
import type { Feature } from "../feature.js";
import type { Logger } from "../log.js";
import { SdNotify } from "./sd-notify.js";

export interface WatchdogDeps {
  cfg: StationConfig;
  polling: () => boolean;
  lastIngestAt: () => number;
  log: Logger;
}

export class Watchdog implements Feature {
  private sd: SdNotify | null = null;

  constructor(private readonly deps: WatchdogDeps) {}

  start(): void {
    this.sd = new SdNotify(this.deps.log);
    this.sd.start(() => this.pollLoopHealthy());
  }

  stop(): void {
    this.sd?.stop();
  }

  pollLoopHealthy(now = Date.now()): boolean {
    if (!this.deps.polling()) return true;
    const slowest = Math.max(...this.deps.cfg.analyzers.filter((a) => a.enabled).map((a) => a.interval_s), 1);
    return now - this.deps.lastIngestAt() < Math.max(60, 3 * slowest) * 1000;
  }
}
