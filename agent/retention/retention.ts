// Retention as a feature: a minute after start (not in the way of start-up), then every 6 hours,
// old raw readings, aggregates and delivered packets are pruned (store/retention.ts says what may
// go: never anything a platform has not acknowledged), with the reading chain's links to them and
// platform history requests past their time to live.
import { isHj212Platform, type StationConfig } from "../../config/schema.js";
import type { Aggregation } from "../aggregate/aggregation.js";
import type { AuditTrail } from "../audit/trail.js";
import type { Feature } from "../feature.js";
import type { Logger } from "../log.js";
import { prune, type RetentionResult } from "../store/retention.js";
import type { Storage } from "../store/storage.js";
import type { Platforms } from "../uplink/platforms.js";

export interface RetentionDeps {
  cfg: StationConfig;
  storage: Storage;
  trail: AuditTrail;
  aggregation: Aggregation;
  platforms: Platforms;
  log: Logger;
}

export class Retention implements Feature {
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(private readonly deps: RetentionDeps) {}

  start(): void {
    const run = () => void this.run();
    this.timers.push(setTimeout(run, 60_000), setInterval(run, 6 * 3600_000));
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
  }

  async run(now = Date.now()): Promise<RetentionResult | null> {
    const { cfg, storage, log } = this.deps;
    const db = storage.db;
    if (!db) return null;
    try {
      this.deps.platforms.history?.dropStale(cfg.platforms.filter(isHj212Platform).filter((p) => p.enabled), now); // request_ttl_days
      const stores = { readings: storage.readings, aggregates: this.deps.aggregation.aggregates, outbox: this.deps.platforms.outbox };
      const r = await prune(db, stores, { rawDays: cfg.storage.raw_retention_days, aggregateDays: cfg.storage.aggregate_retention_days }, now);
      this.deps.trail.readingChain.prune(); // links whose readings retention took
      if (r.readings + r.aggregates + r.packets) log.info("retention: old data pruned", { ...r });
      return r;
    } catch (err) {
      log.error(`retention failed: ${(err as Error).message}`);
      return null;
    }
  }
}
