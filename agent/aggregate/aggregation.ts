// Aggregation as a feature: minute, hour and day values of every channel with their validity
// rules (store.ts, compute.ts), kept in the aggregates table. Closing ended periods and queueing
// them for the platforms is the outbox's step (agent/uplink/period-uploads.ts).
import type { StationConfig } from "../../config/schema.js";
import type { Feature } from "../feature.js";
import type { Storage } from "../store/storage.js";
import { isSoundLevel } from "./noise.js";
import { AggregateStore } from "./store.js";
import { validityLookup } from "./validity.js";

export interface AggregationDeps {
  cfg: StationConfig;
  storage: Storage;
}

export class Aggregation implements Feature {
  aggregates!: AggregateStore;

  constructor(private readonly deps: AggregationDeps) {}

  start(): void {
    const { cfg, storage } = this.deps;
    this.aggregates = new AggregateStore(storage.db!, storage.readings, cfg.station.timezone, {
      validity: validityLookup(cfg),
      energy: (a, c, unit) => isSoundLevel(unit, cfg.analyzers.find((x) => x.id === a)?.channels[c]?.energy_average),
      dayHours: { start: cfg.aggregation.noise_day_start_hour, end: cfg.aggregation.noise_night_start_hour },
    });
  }

  stop(): void {}
}
