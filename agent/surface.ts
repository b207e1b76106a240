// What the running agent shows of itself: the parts of its features that status, the web page,
// metrics, the CLI and tests read, and the commands it takes. The features themselves are
// built and listed by the composition root (main.ts), which extends this.
import type { LoadedConfig } from "../config/load.js";
import type { Aggregation } from "./aggregate/aggregation.js";
import type { Alarms } from "./alarms/alarms.js";
import type { AuditTrail } from "./audit/trail.js";
import type { Polling } from "./bus/polling.js";
import type { Calibration } from "./calibration/calibration.js";
import { CommandRegistry } from "./control/control.js";
import { EventBus } from "./events.js";
import type { ControlHandler } from "./feature.js";
import type { Logger } from "./log.js";
import type { MetricsService } from "./metrics/service.js";
import type { Quality } from "./qc/quality.js";
import type { Retention } from "./retention/retention.js";
import { collectStatus, type AgentStatus } from "./status.js";
import type { DiskLevel } from "./store/disk-guard.js";
import type { IngestQueue } from "./store/ingest-queue.js";
import type { Storage } from "./store/storage.js";
import type { Reading } from "./types.js";
import type { Platforms } from "./uplink/platforms.js";
import type { WebServer } from "./web/server.js";

export abstract class AgentSurface {
  readonly events = new EventBus();
  readonly startedAt = Date.now();
  protected readonly commands = new CommandRegistry();
  protected storage!: Storage;
  protected trail!: AuditTrail;
  protected quality!: Quality;
  protected aggregation!: Aggregation;
  protected platforms!: Platforms;
  protected ingestQueue!: IngestQueue;
  protected polling!: Polling;
  protected calibrationFeature!: Calibration;
  protected alarmsFeature!: Alarms;
  protected retention!: Retention;
  /** Prometheus metrics: listener and/or textfile (metrics/). */
  metrics!: MetricsService;
  /** The local status page (web/), when web.listen is set. */
  web!: WebServer;

  constructor(
    readonly loaded: LoadedConfig,
    readonly log: Logger,
  ) {}

  get tz() { return this.loaded.config.station.timezone; }
  get readings() { return this.storage.readings; }
  /** The audit trail: every intervention, hash-chained (audit/log.ts). */
  get audit() { return this.trail.log; }
  /** Hash chain over stored readings (audit/readings-chain.ts). */
  get readingChain() { return this.trail.readingChain; }
  /** Forward-secure seals of the audit trail (audit/sealer.ts); null unsealed or before start. */
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
  /** How full the data disk is (store/disk-guard.ts); checked every minute. */
  get disk(): DiskLevel { return this.ingestQueue.disk; }
  /** Readings lost because the database could not take them for too long. */
  get unstoredDropped() { return this.ingestQueue.unstoredDropped; }

  status(): AgentStatus { return collectStatus(this); }
  runRetention(now = Date.now()) { return this.retention.run(now); }
  checkDisk(freePct?: number | null): DiskLevel { return freePct === undefined ? this.ingestQueue.checkDisk() : this.ingestQueue.checkDisk(freePct); }
  /** Steps a bus's poller aside for manual work on the line; it resumes by itself (bus/polling.ts). */
  pauseBus(busId: string, seconds: number, reason: string, actor = "unknown") { return this.polling.pauseBus(busId, seconds, reason, actor); }
  resumeBus(busId: string, actor = "unknown") { return this.polling.resumeBus(busId, actor); }
  /** Registers what a control-socket command does while the service runs (control/control.ts). */
  onControlCommand(cmd: string, handler: ControlHandler): void { this.commands.on(cmd, handler); }
  /** Polled readings go to the store step. */
  protected ingest(rows: Reading[]): void { this.ingestQueue.ingest(rows); }
}
