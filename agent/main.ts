// The composition root: every feature of the agent, in the order data flows through them, each
// given only what it needs. They start in this order and stop in reverse: the stores first (the
// database, the audit trail, quality, aggregates, the outbox and its platforms), then the moving
// parts from the uplink back to the pollers, so that at stop the pollers go first, the readings in
// hand are committed, the periods they end are closed, and only then do the platforms go.
import type { LoadedConfig } from "../config/load.js";
import type { StationConfig } from "../config/schema.js";
import { dirname } from "node:path";
import { Aggregation } from "./aggregate/aggregation.js";
import { Alarms } from "./alarms/alarms.js";
import { AuditGuard } from "./audit/guard.js";
import { AuditTrail } from "./audit/trail.js";
import { Polling } from "./bus/polling.js";
import { Calibration } from "./calibration/calibration.js";
import { CommandRegistry, Control } from "./control/control.js";
import { EventBus } from "./events.js";
import type { ControlHandler, Feature } from "./feature.js";
import type { GpioClass } from "./health/gpio.js";
import { hostSnapshot } from "./health/snapshot.js";
import { StationIo } from "./health/station-io.js";
import { Watchdog } from "./health/watchdog.js";
import { createLogger, type Logger } from "./log.js";
import { MetricsService } from "./metrics/service.js";
import { Quality } from "./qc/quality.js";
import { Retention } from "./retention/retention.js";
import { collectStatus, type AgentStatus } from "./status.js";
import type { DiskLevel } from "./store/disk-guard.js";
import { IngestQueue } from "./store/ingest-queue.js";
import { Storage } from "./store/storage.js";
import type { Reading } from "./types.js";
import { buildLookup } from "./uplink/channels.js";
import { LivePackets } from "./uplink/live-packets.js";
import type { ChannelLookup } from "./uplink/packets.js";
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
export function channelLookup(cfg: StationConfig): ChannelLookup {
  return buildLookup(cfg);
}

export class Agent {
  readonly events = new EventBus();
  readonly log: Logger;
  readonly startedAt = Date.now();
  private readonly commands = new CommandRegistry();
  private readonly storage: Storage;
  private readonly trail: AuditTrail;
  private readonly quality: Quality;
  private readonly aggregation: Aggregation;
  private readonly platforms: Platforms;
  private readonly ingestQueue: IngestQueue;
  private readonly polling: Polling;
  private readonly calibrationFeature: Calibration;
  private readonly alarmsFeature: Alarms;
  private readonly retention: Retention;
  /** Prometheus metrics: listener and/or textfile (metrics/). */
  readonly metrics: MetricsService;
  /** The local status page (web/), when web.listen is set. */
  readonly web: WebServer;
  private readonly features: Feature[];

  constructor(
    readonly loaded: LoadedConfig,
    opts: AgentOptions = {},
  ) {
    const cfg = loaded.config;
    const log = (this.log = opts.log ?? createLogger(cfg.log));
    const { events, commands } = this;
    const tz = cfg.station.timezone;
    const lookup = channelLookup(cfg);
    const storage = (this.storage = new Storage({ path: cfg.storage.path, log }));
    const trail = (this.trail = new AuditTrail({ storage, configFile: loaded.file }));
    const markDirty = (from: number, to: number) => aggregation.aggregates.markDirtyRange(from, to);
    const quality = (this.quality = new Quality({ cfg, storage, trail, markDirty, commands }));
    const aggregation = (this.aggregation = new Aggregation({ cfg, storage }));
    const polling = (this.polling = new Polling({ cfg, onReadings: (r) => this.ingest(r), audit: () => (storage.db ? trail.log : null), commands, log }));
    const ingest = (this.ingestQueue = new IngestQueue({
      batchMs: cfg.storage.batch_ms, dataDir: dirname(cfg.storage.path), events, log,
      parts: () => storage.db && { db: storage.db, readings: storage.readings, readingChain: trail.readingChain, qc: quality.engine, aggregates: aggregation.aggregates, log },
    }));
    const io: StationIo = new StationIo({
      cfg, loadGpio: opts.loadGpio, pollerStats: (a) => polling.stats(a), platformsDown: () => [...platforms.sessions.values()].filter((s) => !s.state().connected).length,
      qc: () => quality.actionDeps(), audit: () => trail.log, doorAlarm: (open) => alarms.service?.door(open), log: log.child("gpio"),
    });
    const calibration: Calibration = (this.calibrationFeature = new Calibration({
      cfg, storage, quality, pollers: () => polling.pollers, codesOf: (a) => platforms.codesOf(a), alarms: () => alarms.service,
      onResult: (r) => platforms.hj2025?.onCheckResult(r), commands, log: log.child("calibration"),
    }));
    const platforms: Platforms = (this.platforms = new Platforms({
      cfg, tz, events, log: log.child("uplink"), lookup, baseDir: loaded.dir, startedAt: this.startedAt, storage, trail, quality, aggregation, commands,
      pollers: () => polling.pollers, calibration: () => calibration.service, alarms: () => alarms.service,
      diskCritical: () => ingest.disk === "critical", doorOpen: () => io.doorOpen, host: () => hostSnapshot(dirname(cfg.storage.path)),
    }));
    const alarms: Alarms = (this.alarmsFeature = new Alarms({ cfg, tz, lookup, events, storage, trail, quality, aggregation, platforms, commands, log: log.child("alarms") }));
    this.metrics = new MetricsService(cfg.metrics, { agent: this, events, log: log.child("metrics"), baseDir: loaded.dir });
    this.web = new WebServer(cfg.web, this, log.child("web"));
    this.retention = new Retention({ cfg, storage, trail, aggregation, platforms, log });
    commands.on("ping", () => ({ pid: process.pid }));
    commands.on("status", () => this.status());
    this.features = [
      storage, trail, quality, aggregation, platforms,
      new AuditGuard({
        storage, trail, configFile: loaded.file, dbPath: cfg.storage.path, intervalMin: cfg.audit.seal_interval_min, tz, commands, log: log.child("audit"),
        platforms: () => (cfg.audit.upload_seals ? cfg.platforms.filter((p) => p.enabled).map((p) => p.id) : []),
        outbox: () => platforms.outbox, onQueued: (p, n) => events.emit("packetsQueued", p, n),
      }),
      new PeriodUploads({ cfg, tz, lookup, events, log, storage, quality, aggregation, platforms }),
      ingest, polling, calibration, alarms, io,
      new LivePackets({ cfg, tz, lookup, events, log, storage, quality, platforms }),
      this.metrics, this.retention, this.web,
      new Control({ dbPath: cfg.storage.path, commands, enabled: opts.control !== false }),
      new Watchdog({ cfg, polling: () => polling.pollers.length > 0, lastIngestAt: () => ingest.lastIngestAt, log }),
    ];
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

  get tz() { return this.loaded.config.station.timezone; }
  get readings() { return this.storage.readings; }
  /** The audit trail: every intervention, hash-chained (audit/log.ts). */
  get audit() { return this.trail.log; }
  /** Hash chain over stored readings (audit/readings-chain.ts). */
  get readingChain() { return this.trail.readingChain; }
  /** Forward-secure seals of the audit trail (audit/sealer.ts); unsealed without a key. */
  get sealer() { return this.trail.sealer; }
  /** Screening and the effective flag of each reading (qc/). */
  get qc() { return this.quality.engine; }
  get aggregates() { return this.aggregation.aggregates; }
  get outbox() { return this.platforms.outbox; }
  get overrides() { return this.platforms.overrides; }
  /** One uplink per enabled platform: an HJ 212 session, or JSON over HTTP, or MQTT. */
  get sessions() { return this.platforms.sessions; }
  get history() { return this.platforms.history; }
  get pollers() { return this.polling.pollers; }
  /** Zero/span/standard checks: scheduled, from the CLI, from 3011 (calibration/). */
  get calibration() { return this.calibrationFeature.service; }
  /** Alarm conditions and their raise/clear life cycle (alarms/). */
  get alarms() { return this.alarmsFeature.service; }
  get alarmLog() { return this.alarmsFeature.log; }
  /** How full the data disk is (disk-guard.ts); checked every minute. */
  get disk(): DiskLevel { return this.ingestQueue.disk; }
  /** Readings lost because the database could not take them for too long. */
  get unstoredDropped() { return this.ingestQueue.unstoredDropped; }

  status(): AgentStatus { return collectStatus(this); }
  runRetention(now = Date.now()) { return this.retention.run(now); }
  checkDisk(freePct?: number | null): DiskLevel { return freePct === undefined ? this.ingestQueue.checkDisk() : this.ingestQueue.checkDisk(freePct); }
  pauseBus(busId: string, seconds: number, reason: string, actor = "unknown") { return this.polling.pauseBus(busId, seconds, reason, actor); }
  resumeBus(busId: string, actor = "unknown") { return this.polling.resumeBus(busId, actor); }
  /** Registers what a control-socket command does while the service runs (control/control.ts). */
  onControlCommand(cmd: string, handler: ControlHandler): void { this.commands.on(cmd, handler); }
  /** Polled readings go to the store step (store/ingest-queue.ts). */
  private ingest(rows: Reading[]): void { this.ingestQueue.ingest(rows); }
}
