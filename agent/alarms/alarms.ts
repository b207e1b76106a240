// Alarms as a feature: conditions checked on a timer and raised/cleared as they come and go
// (service.ts), kept in the alarm log (store.ts), and sent on as they change (notify.ts): to the
// HJ 212 and MQTT platforms through the outbox, and to a webhook.
import { isHj212Platform, type StationConfig } from "../../config/schema.js";
import type { Aggregation } from "../aggregate/aggregation.js";
import type { AuditTrail } from "../audit/trail.js";
import type { EventBus } from "../events.js";
import type { ControlCommands, Feature } from "../feature.js";
import type { Logger } from "../log.js";
import type { Quality } from "../qc/quality.js";
import type { Storage } from "../store/storage.js";
import type { ChannelLookup } from "../uplink/packets.js";
import type { Platforms } from "../uplink/platforms.js";
import { AlarmNotifier } from "./notify.js";
import { AlarmService } from "./service.js";
import { AlarmLog } from "./store.js";

export interface AlarmsDeps {
  cfg: StationConfig;
  tz: string;
  lookup: ChannelLookup;
  events: EventBus;
  storage: Storage;
  trail: AuditTrail;
  quality: Quality;
  aggregation: Aggregation;
  platforms: Platforms;
  commands: ControlCommands;
  log: Logger;
}

export class Alarms implements Feature {
  log!: AlarmLog;
  service: AlarmService | null = null;
  private notifier: AlarmNotifier | null = null;

  constructor(private readonly deps: AlarmsDeps) {}

  start(): void {
    const { cfg, tz, storage, platforms, log } = this.deps;
    const db = storage.db!;
    this.log = new AlarmLog(db, this.deps.trail.log);
    this.notifier = new AlarmNotifier({
      db, alarms: this.log, cfg: cfg.alarms, station: { name: cfg.station.name, mn: cfg.station.mn }, tz,
      platforms: () => cfg.platforms.filter((p) => p.enabled && (isHj212Platform(p) || p.protocol === "mqtt")).map((p) => p.id),
      outbox: platforms.outbox, polIdOf: (a) => platforms.codesOf(a)[0], log,
      onQueued: (p, n) => this.deps.events.emit("packetsQueued", p, n),
    });
    this.service = new AlarmService({
      cfg, alarms: this.log, readings: storage.readings, aggregates: this.deps.aggregation.aggregates, lookup: this.deps.lookup,
      effective: (rows) => this.deps.quality.engine.store.withEffectiveFlags(rows), log, onChange: () => this.notifier?.kick(),
    });
    this.deps.commands.on("alarms", (_c, a) => this.log.list({ all: a.all === true }));
    this.service.start();
    this.notifier.start();
  }

  stop(): void {
    this.notifier?.stop();
    this.service?.stop();
  }
}
