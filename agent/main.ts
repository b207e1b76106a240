// The composition root: every feature of the agent (agent/feature.ts), each given only what it
// needs, listed once. They start in that order and stop in reverse: the stores first, in flow
// order (the database, the audit trail, quality, aggregates, the outbox and its platforms), then
// the moving parts from the uplink back to the pollers, so that at stop the pollers go first, the
// readings in hand are committed, the periods they end are closed, and only then do the platforms
// go, the audit trail write its stop entry and last seal, and the database close.
import type { LoadedConfig } from "../config/load.js";
import { dirname } from "node:path";
import { Aggregation } from "./aggregate/aggregation.js";
import { Alarms } from "./alarms/alarms.js";
import { AuditGuard } from "./audit/guard.js";
import { AuditTrail } from "./audit/trail.js";
import { Polling } from "./bus/polling.js";
import { Calibration } from "./calibration/calibration.js";
import { Control } from "./control/control.js";
import type { Feature } from "./feature.js";
import type { GpioClass } from "./health/gpio.js";
import { HeapTrim } from "./health/heap-trim.js";
import { hostSnapshot } from "./health/snapshot.js";
import { StationIo } from "./health/station-io.js";
import { Watchdog } from "./health/watchdog.js";
import { createLogger, type Logger } from "./log.js";
import { MetricsService } from "./metrics/service.js";
import { Quality } from "./qc/quality.js";
import { Retention } from "./retention/retention.js";
import { AgentSurface } from "./surface.js";
import { IngestQueue } from "./store/ingest-queue.js";
import { Storage } from "./store/storage.js";
import { buildLookup } from "./uplink/channels.js";
import { LivePackets } from "./uplink/live-packets.js";
import { PeriodUploads } from "./uplink/period-uploads.js";
import { Platforms } from "./uplink/platforms.js";
import { WebServer } from "./web/server.js";

export interface AgentOptions {
  log?: Logger;
  /** Loads the GPIO class (default: onoff's); tests pass a stand-in, there being no pins off a Pi. */
  loadGpio?: () => Promise<GpioClass>;
  /** Listen on the control socket (default true). */
  control?: boolean;
}

/** How each configured analyzer channel is uploaded: code and conversion (agent/uplink/channels.ts). */
export { buildLookup as channelLookup } from "./uplink/channels.js";

export class Agent extends AgentSurface {
  private readonly features: Feature[];

  constructor(loaded: LoadedConfig, opts: AgentOptions = {}) {
    super(loaded, opts.log ?? createLogger(loaded.config.log));
    const cfg = loaded.config;
    const log = this.log;
    const { events, commands } = this;
    const tz = cfg.station.timezone;
    const lookup = buildLookup(cfg);
    // The stores, in flow order: store → audit trail → quality → aggregate → outbox and platforms.
    const storage = (this.storage = new Storage({ path: cfg.storage.path, log }));
    const trail = (this.trail = new AuditTrail({ storage, configFile: loaded.file }));
    const markDirty = (from: number, to: number) => aggregation.aggregates.markDirtyRange(from, to);
    const quality = (this.quality = new Quality({ cfg, storage, trail, markDirty, commands }));
    const aggregation = (this.aggregation = new Aggregation({ cfg, storage }));
    const platforms: Platforms = (this.platforms = new Platforms({
      cfg, tz, events, log: log.child("uplink"), lookup, baseDir: loaded.dir, startedAt: this.startedAt, storage, trail, quality, aggregation, commands,
      pollers: () => polling.pollers, calibration: () => calibration.service, alarms: () => alarms.service,
      diskCritical: () => ingest.disk === "critical", doorOpen: () => io.doorOpen, host: () => hostSnapshot(dirname(cfg.storage.path)),
    }));
    const guard = new AuditGuard({
      storage, trail, configFile: loaded.file, dbPath: cfg.storage.path, intervalMin: cfg.audit.seal_interval_min, tz, commands, log: log.child("audit"),
      platforms: () => (cfg.audit.upload_seals ? cfg.platforms.filter((p) => p.enabled).map((p) => p.id) : []),
      outbox: () => platforms.outbox, onQueued: (p, n) => events.emit("packetsQueued", p, n),
    });
    // The moving parts, from the uplink back to the pollers: at stop the pollers go first, the
    // readings in hand are committed, then the periods they end are closed and queued.
    const periods = new PeriodUploads({ cfg, tz, lookup, events, log, storage, quality, aggregation, platforms });
    const ingest = (this.ingestQueue = new IngestQueue({
      batchMs: cfg.storage.batch_ms, dataDir: dirname(cfg.storage.path), events, log,
      parts: () => storage.db && { db: storage.db, readings: storage.readings, readingChain: trail.readingChain, qc: quality.engine, aggregates: aggregation.aggregates, log },
    }));
    const polling = (this.polling = new Polling({ cfg, onReadings: (r) => this.ingest(r), audit: () => (storage.db ? trail.log : null), commands, log }));
    // Around the flow: what operates analyzers, watches the station, and shows it.
    const calibration = (this.calibrationFeature = new Calibration({
      cfg, storage, quality, pollers: () => polling.pollers, codesOf: (a) => platforms.codesOf(a), alarms: () => alarms.service,
      onResult: (r) => platforms.hj2025?.onCheckResult(r), commands, log: log.child("calibration"),
    }));
    const alarms = (this.alarmsFeature = new Alarms({ cfg, tz, lookup, events, storage, trail, quality, aggregation, platforms, commands, log: log.child("alarms") }));
    const io = new StationIo({
      cfg, loadGpio: opts.loadGpio, pollerStats: (a) => polling.stats(a), platformsDown: () => [...platforms.sessions.values()].filter((s) => !s.state().connected).length,
      qc: () => quality.actionDeps(), audit: () => trail.log, doorAlarm: (open) => alarms.service?.door(open), log: log.child("gpio"),
    });
    const live = new LivePackets({ cfg, tz, lookup, events, log, storage, quality, platforms });
    const metrics = (this.metrics = new MetricsService(cfg.metrics, { agent: this, events, log: log.child("metrics"), baseDir: loaded.dir }));
    const retention = (this.retention = new Retention({ cfg, storage, trail, aggregation, platforms, log }));
    const web = (this.web = new WebServer(cfg.web, this, log.child("web")));
    const control = new Control({ dbPath: cfg.storage.path, commands, enabled: opts.control !== false });
    commands.on("ping", () => ({ pid: process.pid }));
    commands.on("status", () => this.status());
    // Last to start: READY=1 once everything runs.
    const watchdog = new Watchdog({ cfg, polling: () => polling.pollers.length > 0, lastIngestAt: () => ingest.lastIngestAt, log });
    const heap = new HeapTrim({ log: log.child("heap") });
    this.features = [storage, trail, quality, aggregation, platforms, guard, periods, ingest, polling, calibration, alarms, io, live, metrics, retention, web, control, heap, watchdog];
  }

  async start(): Promise<void> {
    for (const f of this.features) await f.start();
    this.storage.failFast();
    const cfg = this.loaded.config;
    this.log.info(`station ${cfg.station.name} (${cfg.station.mn}) started`, { analyzers: cfg.analyzers.length, platforms: this.sessions.size, db: cfg.storage.path });
  }

  /** Graceful stop: readings in hand are committed, connections and the database closed. */
  async stop(): Promise<void> {
    for (const f of [...this.features].reverse()) await f.stop();
    this.log.info("stopped");
  }
}
