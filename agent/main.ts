// The composition root: builds every module from the config, starts them in flow order
// (store → poll → aggregate → outbox → platforms → control) and stops them in reverse.
import type { LoadedConfig } from "../config/load.js";
import { isHj212Platform, type StationConfig } from "../config/schema.js";
import { getDriver } from "../drivers/index.js";
import { AggregateStore } from "./aggregate/store.js";
import { periodStartOf, periodsToClose } from "./aggregate/periods.js";
import { validityLookup } from "./aggregate/validity.js";
import { isSoundLevel } from "./aggregate/noise.js";
import { AuditLog, osActor } from "./audit/log.js";
import { fileSha256 } from "./audit/config-hash.js";
import { ReadingChain } from "./audit/readings-chain.js";
import { Sealer } from "./audit/sealer.js";
import { sealKeyPath } from "./audit/seal-key.js";
import { InterventionWatch } from "./audit/watch.js";
import { SecretStore, secretsPath } from "./secrets/store.js";
import { QcEngine } from "./qc/engine.js";
import { qcControlHandlers } from "./qc/control.js";
import { BusPoller } from "./bus/poller.js";
import { ControlServer, controlSocketPath, type ControlHandler } from "./control/socket.js";
import { EventBus } from "./events.js";
import { createLogger, type Logger } from "./log.js";
import { openDb, type Db } from "./store/db.js";
import { ReadingStore } from "./store/readings.js";
import type { Aggregate, Reading } from "./types.js";
import { UPLOAD_CN } from "./types.js";
import { Outbox, type NewPacket } from "./uplink/outbox.js";
import { aggregateCp, realtimeCp, type ChannelLookup } from "./uplink/packets.js";
import { PlatformSession } from "./uplink/session.js";
import { HttpUplink } from "./uplink/http.js";
import { MqttUplink } from "./uplink/mqtt.js";
import { MetricsService } from "./metrics/service.js";
import { countByFlag } from "./metrics/collect.js";
import type { Uplink } from "./uplink/delivery.js";
import { RequestHandler, type AuditSink } from "./uplink/commands.js";
import { LiveUploads } from "./uplink/live.js";
import { OverrideStore } from "./uplink/overrides.js";
import { runtimeCp, statusCp } from "./uplink/packets.js";
import { requestFileClock } from "./uplink/clock.js";
import { fieldInfoSource, type AuditReader } from "./uplink/field-info.js";
import { queueResend, RESEND_KINDS, type ResendKind } from "./uplink/resend.js";
import { hj2025Parts } from "./uplink/wire-2025.js";
import { RestartNotice } from "./uplink/restart-notice.js";
import { HistoryRequests } from "./uplink/history.js";
import { instrumentClock } from "./uplink/instrument-clock.js";
import { dirname, join } from "node:path";
import { collectStatus, type AgentStatus } from "./status.js";
import { SdNotify } from "./health/sd-notify.js";
import { hostSnapshot } from "./health/snapshot.js";
import { StationGpio, ledPattern, type GpioClass } from "./health/gpio.js";
import { maintenanceOff, maintenanceOn } from "./qc/actions.js";
import type { AnalyzerStats } from "./bus/poller.js";
import { prune, type RetentionResult } from "./store/retention.js";
import { CalibrationService } from "./calibration/service.js";
import { CalibrationStore } from "./calibration/store.js";
import { AlarmLog } from "./alarms/store.js";
import { AlarmService } from "./alarms/service.js";
import { AlarmNotifier } from "./alarms/notify.js";
import { storeBatch } from "./store/ingest.js";
import { analyzerChannels, buildLookup } from "./uplink/channels.js";
import { WebServer } from "./web/server.js";
import { boundPending, diskLevel, freePercent, RawThrottle, type DiskLevel } from "./store/disk-guard.js";

export interface AgentOptions {
  log?: Logger;
  /** Loads the GPIO class (default: onoff's); tests pass a stand-in, there being no pins off a Pi. */
  loadGpio?: () => Promise<GpioClass>;
  /** Listen on the control socket (default true). */
  control?: boolean;
}

/** Periods (s) the platforms' uploads need, with the platforms that want each. */
function periodsWanted(cfg: StationConfig): Map<number, string[]> {
  const m = new Map<number, string[]>();
  const add = (s: number, p: string) => m.set(s, [...(m.get(s) ?? []), p]);
  for (const p of cfg.platforms.filter((p) => p.enabled)) {
    if (p.uploads.includes("minute")) add(p.minute_interval_min * 60, p.id);
    if (p.uploads.includes("hour")) add(3600, p.id);
    if (p.uploads.includes("day")) add(86400, p.id);
    if (p.uploads.includes("runtime") && !m.has(86400)) m.set(86400, []); // 2041 goes out as days close
  }
  if (!m.has(60)) m.set(60, []); // minute values are always kept, for the CLI and later uploads
  return m;
}

const CN_BY_PERIOD = (s: number) => (s === 3600 ? UPLOAD_CN.hour : s === 86400 ? UPLOAD_CN.day : UPLOAD_CN.minute);

/** How each configured analyzer channel is uploaded: code and conversion (agent/uplink/channels.ts). */
export function channelLookup(cfg: StationConfig): ChannelLookup {
  return buildLookup(cfg);
}

export class Agent {
  readonly events = new EventBus();
  readonly log: Logger;
  private db: Db | null = null;
  readings!: ReadingStore;
  aggregates!: AggregateStore;
  outbox!: Outbox;
  /** The audit trail: every intervention, hash-chained (audit/log.ts). */
  audit!: AuditLog;
  /** Screening and the effective flag of each reading (qc/). */
  qc!: QcEngine;
  /** Hash chain over stored readings (audit/readings-chain.ts). */
  readingChain!: ReadingChain;
  /** One uplink per enabled platform: an HJ 212 session, or JSON over HTTP. */
  readonly sessions = new Map<string, Uplink>();
  readonly pollers: BusPoller[] = [];
  /** Forward-secure seals of the audit trail (audit/sealer.ts); unsealed without a key. */
  sealer: Sealer | null = null;
  private watch: InterventionWatch | null = null;
  private control: ControlServer | null = null;
  private readonly controlHandlers = new Map<string, ControlHandler>([
    ["ping", () => ({ pid: process.pid })],
    ["status", () => this.status()],
    ["bus-pause", (_c, a) => this.pauseBus(String(a.bus), Number(a.seconds ?? 60), String(a.reason ?? ""), String(a.actor ?? "unknown"))],
    ["bus-resume", (_c, a) => this.resumeBus(String(a.bus), String(a.actor ?? "unknown"))],
  ]);
  private readonly pauseTimers = new Map<string, NodeJS.Timeout>();
  private queue: Reading[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private readonly cfg: StationConfig;
  private readonly lookup: ChannelLookup;
  readonly startedAt = Date.now();
  private lastIngestAt = Date.now();
  private sd: SdNotify | null = null;
  private gpio: StationGpio | null = null;
  /** How full the data disk is (disk-guard.ts); checked every minute. */
  disk: DiskLevel = "ok";
  private readonly rawThrottle = new RawThrottle();
  /** Readings lost because the database could not take them for too long. */
  unstoredDropped = 0;
  overrides!: OverrideStore;
  private live: LiveUploads | null = null;
  /** Zero/span/standard checks: scheduled, from the CLI, from 3011 (calibration/). */
  calibration: CalibrationService | null = null;
  /** Alarm conditions and their raise/clear life cycle (alarms/). */
  alarms: AlarmService | null = null;
  alarmLog!: AlarmLog;
  private notifier: AlarmNotifier | null = null;
  /** HJ 212-2025: SM4 key store, 1001/2062 uploads, key-age alarm (uplink/wire-2025.ts). */
  private hj2025: ReturnType<typeof hj2025Parts> | null = null;
  private restartNotice: RestartNotice | null = null;
  /** Platform history requests, in bounded slices (uplink/history.ts). */
  history: HistoryRequests | null = null;
  /** The local status page (web/), when web.listen is set. */
  web: WebServer | null = null;
  /** Prometheus metrics: listener and/or textfile (metrics/). */
  metrics: MetricsService | null = null;

  constructor(
    readonly loaded: LoadedConfig,
    private readonly opts: AgentOptions = {},
  ) {
    this.cfg = loaded.config;
    this.log = opts.log ?? createLogger(this.cfg.log);
    this.lookup = channelLookup(this.cfg);
  }

  get tz(): string {
    return this.cfg.station.timezone;
  }

  async start(): Promise<void> {
    const cfg = this.cfg;
    this.db = openDb(cfg.storage.path, {
      // A station keeps collecting: an unreadable database file is kept aside for recovery.
      onCorrupt: "move-aside",
      onMovedAside: (to, why) => this.log.error(`database ${cfg.storage.path} was unreadable (${why}): moved to ${to}, started a new one`),
    });
    this.audit = new AuditLog(this.db);
    const configSha256 = fileSha256(this.loaded.file);
    this.audit.append({ actor: osActor(), action: "software.start", details: { pid: process.pid, node: process.version, config: this.loaded.file, configSha256 } });
    this.watch = new InterventionWatch({ audit: this.audit, configFile: this.loaded.file, startHash: configSha256, log: this.log.child("audit") });
    this.readings = new ReadingStore(this.db);
    this.readingChain = new ReadingChain(this.db);
    this.qc = new QcEngine(this.db, cfg);
    const validity = validityLookup(cfg);
    this.aggregates = new AggregateStore(this.db, this.readings, this.tz, {
      validity,
      energy: (a, c, unit) => isSoundLevel(unit, cfg.analyzers.find((x) => x.id === a)?.channels[c]?.energy_average),
      dayHours: { start: cfg.aggregation.noise_day_start_hour, end: cfg.aggregation.noise_night_start_hour },
    });
    const db = this.db;
    for (const [cmd, h] of qcControlHandlers(() => ({
      db, qc: this.qc.store, audit: this.audit, analyzers: cfg.analyzers.map((a) => a.id),
      markDirty: (from, to) => this.aggregates.markDirtyRange(from, to),
    })))
      this.onControlCommand(cmd, h);
    this.outbox = new Outbox(this.db, this.tz);

    this.overrides = new OverrideStore(this.db, { secrets: new SecretStore(secretsPath(cfg.storage.path)), audit: this.audit });
    const uplinkLog = this.log.child("uplink");
    const audit: AuditSink = this.audit;
    const instruments = cfg.analyzers.map((a) => ({
      analyzer: a.id, driver: a.driver, sn: a.options.sn === undefined ? undefined : String(a.options.sn),
      codes: analyzerChannels(a).map((ch) => this.lookup(a.id, ch.name)?.code ?? "").filter(Boolean),
    }));
    const hj2025 = (this.hj2025 = hj2025Parts({
      stateDir: dirname(cfg.storage.path), log: uplinkLog, tz: this.tz, outbox: this.outbox, events: this.events,
      sessions: () => [...this.sessions.values()].filter((s): s is PlatformSession => s instanceof PlatformSession),
      readingsBetween: (from, to, limit) => this.readings.between(from, to, limit),
      calibrations: () => new CalibrationStore(this.db!).list({ limit: 1000 }),
      standardCheck: (pol) => this.calibration?.forPlatform(pol, "standard") ?? 2,
      codesOf: (id) => instruments.find((i) => i.analyzer === id)?.codes ?? [], alarms: () => this.alarms,
    }));
    const runtime = (d: number) => runtimeCp(this.readings.runMinutes(d, d + 86_400_000), d, this.tz, (a) => String(cfg.analyzers.find((x) => x.id === a)?.options.equipment ?? a));
    const dayStart = (ms: number) => periodStartOf(ms, 86400, this.tz);
    this.history = new HistoryRequests({
      log: uplinkLog, tz: this.tz, outbox: this.outbox, aggregates: this.aggregates, lookup: this.lookup, runtime, dayStart, db: this.db,
      readings: (from, to) => this.qc.store.withEffectiveFlags(this.readings.between(from, to)),
    });
    const requests = new RequestHandler({
      ...hj2025.deps,
      log: uplinkLog, tz: this.tz, outbox: this.outbox, aggregates: this.aggregates, lookup: this.lookup, overrides: this.overrides, audit,
      instruments, history: this.history, runtime, dayStart,
      instrumentClock: instrumentClock(cfg.analyzers, getDriver, (id) => this.pollers.find((p) => p.stats()[id])),
      // 3011: the PolId (code or analyzer id) → the analyzer's configured checks; ExeRtn when they end.
      calibrate: (pol, kind) => this.calibration?.forPlatform(pol, kind) ?? 2,
      setClock: requestFileClock(join(dirname(cfg.storage.path), "settime.request"), uplinkLog, { maxStepS: cfg.clock.max_step_s, audit }),
      // 3020: audit entries as logs, the latest readings' state, the settings each analyzer is polled with.
      fieldInfo: fieldInfoSource({
        station: {
          audit: () => this.audit as AuditReader | undefined,
          logger: () => ({ maintenance: this.qc.store.windows({ kind: "maintenance", open: true }).some((w) => w.analyzer === null), fault: this.disk === "critical" }),
          uplinkOk: (p) => (p ? this.sessions.get(p)?.state().connected ?? false : false),
          channels: () => cfg.buses.map((b) => {
            const on = cfg.analyzers.filter((a) => a.bus === b.id && a.enabled);
            return !on.length ? 2 : on.some((a) => (this.pollerStats(a.id)?.consecutiveFailures ?? 0) > 0) ? 1 : 0;
          }),
          host: () => hostSnapshot(dirname(cfg.storage.path)),
          doorOpen: () => (cfg.gpio?.door ? (this.gpio?.doorOpen ?? null) : null),
        },
        analyzers: cfg.analyzers,
        codesOf: (id) => instruments.find((i) => i.analyzer === id)?.codes ?? [],
        working: (id) => getDriver(cfg.analyzers.find((a) => a.id === id)?.driver ?? "")?.working,
        latest: (id) => {
          const now = Date.now();
          const every = cfg.analyzers.find((a) => a.id === id)?.interval_s ?? 10;
          return this.qc.store.withEffectiveFlags(this.readings.latest(now - Math.max(300, 10 * every) * 1000, now).filter((r) => r.analyzer === id));
        },
        audit: () => this.audit as AuditReader | undefined,
      }),
    }, hj2025.commands);
    for (const p of cfg.platforms.filter((p) => p.enabled)) {
      if (p.protocol === "mqtt") {
        this.sessions.set(p.id, new MqttUplink(p, { outbox: this.outbox, events: this.events, log: uplinkLog, station: cfg.station, tz: this.tz, baseDir: this.loaded.dir }));
        continue;
      }
      if (!isHj212Platform(p)) {
        // JSON over HTTP: same outbox and cursor; no requests come down, so no overrides either.
        this.sessions.set(p.id, new HttpUplink(p, { outbox: this.outbox, events: this.events, log: uplinkLog, station: cfg.station, tz: this.tz }));
        continue;
      }
      this.overrides.applyTo(p);
      const s = new PlatformSession(p, {
        outbox: this.outbox, events: this.events, log: uplinkLog, stationMn: cfg.station.mn,
        onRequest: (f, sess) => requests.handle(f, sess),
        onBadCrc: (seg, sess) => requests.onBadCrc(seg, sess),
        keyStore: hj2025.keyStore,
        onBadFrame: (why, sess) => requests.onBadFrame(why, sess),
      });
      this.sessions.set(p.id, s);
    }
    const hj212 = cfg.platforms.filter((p) => p.enabled && isHj212Platform(p)).map((p) => p.id);
    this.restartNotice = new RestartNotice({ events: this.events, outbox: this.outbox, tz: this.tz, startedAt: this.startedAt, platforms: hj212, log: uplinkLog });
    this.onControlCommand("resend", (_c, a) => this.resend(a, audit));
    this.sealer = new Sealer({
      db: this.db, audit: this.audit, readingHead: () => this.readingChain.head(), keyPath: sealKeyPath(cfg.storage.path), intervalMin: cfg.audit.seal_interval_min,
      log: this.log.child("audit"), tz: this.tz, outbox: this.outbox, onQueued: (p, n) => this.events.emit("packetsQueued", p, n),
      platforms: () => (cfg.audit.upload_seals ? cfg.platforms.filter((p) => p.enabled).map((p) => p.id) : []),
    });
    this.onControlCommand("audit-seal-start", () => (this.sealer?.sealed ? null : this.sealer?.start(), this.sealer?.status()));
    this.events.on("packetsQueued", (platform) => this.sessions.get(platform)?.kick());

    for (const bus of cfg.buses) {
      const analyzers = cfg.analyzers.filter((a) => a.bus === bus.id && a.enabled);
      if (!analyzers.length) continue;
      this.pollers.push(new BusPoller(bus, analyzers, { onReadings: (r) => this.ingest(r), log: this.log.child(`bus ${bus.id}`) }));
    }

    this.setupAlarmsAndCalibration(instruments);

    if (this.opts.control !== false) {
      this.control = new ControlServer(controlSocketPath(cfg.storage.path), (cmd, args) => this.onControl(cmd, args));
      await this.control.start();
    }
    this.restartNotice?.start(); // 2081 (C.24) after each platform's first connection
    this.sealer.start();
    this.watch?.start();
    for (const s of this.sessions.values()) s.start();
    this.hj2025.station.start();
    for (const p of this.pollers) await p.start();
    this.calibration?.start();
    this.alarms?.start();
    this.notifier?.start();
    this.gpio = new StationGpio(cfg.gpio, {
      log: this.log.child("gpio"),
      onDoor: (open) => this.onDoor(open),
      onPowerCycle: (analyzer, offS) =>
        this.audit.append({ actor: "agent", action: "analyzer.power_cycle", reason: "the analyzer stopped answering", details: { analyzer, off_s: offS } }),
      lastOk: (analyzer) => this.pollerStats(analyzer)?.lastOk ?? null,
      pattern: () =>
        ledPattern({
          analyzersFailing: cfg.analyzers.filter((a) => (this.pollerStats(a.id)?.consecutiveFailures ?? 0) > 0).length,
          platformsDown: [...this.sessions.values()].filter((s) => !s.state().connected).length,
        }),
    }, this.opts.loadGpio);
    await this.gpio.start();
    this.timers.push(setInterval(() => this.closePeriods(), 1000));
    this.live = new LiveUploads(this.sessions.values(), {
      realtime: (platform, intervalS) => this.queueRealtime(platform, intervalS),
      status: (platform) => this.queueStatus(platform),
    });
    this.live.start();
    this.metrics = new MetricsService(cfg.metrics, { agent: this, events: this.events, log: this.log.child("metrics"), baseDir: this.loaded.dir });
    await this.metrics.start();
    this.checkDisk();
    this.timers.push(setInterval(() => this.checkDisk(), 60_000));
    this.web = new WebServer(cfg.web, this, this.log.child("web"));
    await this.web.start(); // a port in use is logged; the agent runs on without the page
    // Retention a minute after start (not in the way of start-up), then every 6 hours.
    const retention = () => void this.runRetention();
    this.timers.push(setTimeout(retention, 60_000), setInterval(retention, 6 * 3600_000));
    this.sd = new SdNotify(this.log);
    this.sd.start(() => this.pollLoopHealthy());
    // From here on a write never waits long for another process's lock (a technician's sqlite3
    // with an open transaction): it fails fast and is retried, so polling goes on meanwhile.
    this.db.pragma("busy_timeout = 250");
    this.log.info(`station ${cfg.station.name} (${cfg.station.mn}) started`, {
      analyzers: cfg.analyzers.length,
      platforms: this.sessions.size,
      db: cfg.storage.path,
    });
  }

  /** Graceful stop: readings in hand are committed, connections and the database closed. */
  async stop(): Promise<void> {
    await this.metrics?.stop();
    this.sd?.stop();
    this.watch?.stop();
    this.gpio?.stop();
    for (const t of this.timers) clearInterval(t);
    this.live?.stop();
    this.timers.length = 0;
    for (const t of this.pauseTimers.values()) clearTimeout(t);
    this.notifier?.stop();
    this.alarms?.stop();
    await this.calibration?.stop(); // a check in progress sends its instrument back to measuring while the bus is still up
    for (const p of [...this.pollers].reverse()) await p.stop();
    this.flush();
    this.closePeriods();
    this.hj2025?.station.stop();
    for (const s of this.sessions.values()) await s.stop();
    this.restartNotice?.stop();
    await this.control?.stop();
    await this.web?.stop();
    // The chain heads in the stop entry: readings or audit entries cut off after it show as missing.
    if (this.db) this.audit?.append({ actor: osActor(), action: "software.stop", details: { readingChainHead: this.readingChain?.head() ?? null } });
    if (this.db) this.sealer?.stop(); // the last seal covers the stop entry
    this.db?.close();
    this.db = null;
    this.log.info("stopped");
  }

  async runRetention(now = Date.now()): Promise<RetentionResult | null> {
    if (!this.db) return null;
    try {
      this.history?.dropStale(this.cfg.platforms.filter(isHj212Platform).filter((p) => p.enabled), now); // request_ttl_days
      const r = await prune(this.db, this, { rawDays: this.cfg.storage.raw_retention_days, aggregateDays: this.cfg.storage.aggregate_retention_days }, now);
      this.readingChain.prune(); // links whose readings retention took
      if (r.readings + r.aggregates + r.packets) this.log.info("retention: old data pruned", { ...r });
      return r;
    } catch (err) {
      this.log.error(`retention failed: ${(err as Error).message}`);
      return null;
    }
  }

  status(): AgentStatus {
    return collectStatus(this);
  }

  /** Watches the data disk: low is worth an alarm, critical thins raw readings (disk-guard.ts). */
  checkDisk(freePct = freePercent(dirname(this.cfg.storage.path))): DiskLevel {
    if (freePct === null) return this.disk;
    const level = diskLevel(freePct);
    if (level !== this.disk) {
      const msg = `data disk ${freePct.toFixed(1)} % free: ${level}`;
      if (level === "critical") this.log.error(`${msg}; raw readings now kept at one per channel per minute (aggregates unaffected)`);
      else if (level === "low") this.log.warn(msg);
      else this.log.info(msg);
      this.disk = level;
    }
    return level;
  }

  private pollerStats(analyzer: string): AnalyzerStats | undefined {
    for (const p of this.pollers) {
      const s = p.stats()[analyzer];
      if (s) return s;
    }
    return undefined;
  }

  /**
   * The door contact puts the whole station in maintenance while the door is open (data flagged
   * M), audited like a technician's `maintenance on`. Closing the door ends only the maintenance
   * the door started: one a technician started by hand stays until they end it.
   */
  /** Alarms (checked on a timer, sent on by the notifier) and calibration (schedules, `calibrate`, 3011). */
  private setupAlarmsAndCalibration(instruments: ReadonlyArray<{ analyzer: string; codes: string[] }>): void {
    const cfg = this.cfg;
    const db = this.db!;
    const codesOf = (id: string) => instruments.find((i) => i.analyzer === id)?.codes ?? [];
    this.alarmLog = new AlarmLog(db, this.audit);
    this.notifier = new AlarmNotifier({
      db, alarms: this.alarmLog, cfg: cfg.alarms, station: { name: cfg.station.name, mn: cfg.station.mn }, tz: this.tz,
      platforms: () => cfg.platforms.filter((p) => p.enabled && (isHj212Platform(p) || p.protocol === "mqtt")).map((p) => p.id),
      outbox: this.outbox, polIdOf: (a) => codesOf(a)[0], log: this.log.child("alarms"),
      onQueued: (p, n) => this.events.emit("packetsQueued", p, n),
    });
    this.alarms = new AlarmService({
      cfg, alarms: this.alarmLog, readings: this.readings, aggregates: this.aggregates, lookup: this.lookup,
      effective: (rows) => this.qc.store.withEffectiveFlags(rows), log: this.log.child("alarms"), onChange: () => this.notifier?.kick(),
    });
    const alarms = this.alarms;
    this.calibration = new CalibrationService({
      cfg, calibrations: new CalibrationStore(db), readings: this.readings, pollers: () => this.pollers, codesOf, log: this.log.child("calibration"),
      qc: () => ({ db, qc: this.qc.store, audit: this.audit, analyzers: cfg.analyzers.map((a) => a.id), markDirty: (f, t) => this.aggregates.markDirtyRange(f, t) }),
      alarms: { raise: (a, now) => alarms.raise(a, now), clear: (k, s, now) => alarms.clear(k, s, now) },
      onResult: (r) => this.hj2025?.onCheckResult(r),
    });
    this.onControlCommand("calibrate", this.calibration.controlHandler());
    this.onControlCommand("alarms", (_c, a) => this.alarmLog.list({ all: a.all === true }));
  }

  private onDoor(open: boolean): void {
    this.alarms?.door(open);
    const deps = {
      db: this.db!, qc: this.qc.store, audit: this.audit, analyzers: this.cfg.analyzers.map((a) => a.id),
      markDirty: (from: number, to: number) => this.aggregates.markDirtyRange(from, to),
    };
    const actor = "door-contact";
    try {
      if (open) maintenanceOn(deps, { analyzer: null, reason: "station door opened", actor });
      else if (this.qc.store.windows({ kind: "maintenance", open: true }).some((w) => w.analyzer === null && w.actor === actor))
        maintenanceOff(deps, { analyzer: null, reason: "station door closed", actor });
    } catch (err) {
      this.log.info(`door ${open ? "opened" : "closed"}: ${(err as Error).message}`);
    }
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
    this.audit.append({ actor, action: "bus.pause", reason: reason || undefined, details: { bus: busId, seconds: s } });
    this.log.warn(`bus ${busId} paused for ${s} s${reason ? `: ${reason}` : ""}`);
    return { bus: busId, resumesAt: Date.now() + s * 1000 };
  }

  async resumeBus(busId: string, actor = "unknown"): Promise<{ bus: string }> {
    const poller = this.pollers.find((p) => p.bus.id === busId);
    if (!poller) throw new Error(`no poller for bus "${busId}"`);
    clearTimeout(this.pauseTimers.get(busId));
    const wasPaused = this.pauseTimers.delete(busId);
    await poller.start();
    if (wasPaused && this.db) this.audit.append({ actor, action: "bus.resume", reason: actor === "agent" ? "the pause ran out" : undefined, details: { bus: busId } });
    this.log.info(`bus ${busId} resumed`);
    return { bus: busId };
  }

  /**
   * Registers what a control-socket command does while the service runs. Modules add their own
   * (maintenance, calibrate, resend…) here from start(); the CLI falls back to direct access
   * when no service answers.
   */
  onControlCommand(cmd: string, handler: ControlHandler): void {
    this.controlHandlers.set(cmd, handler);
  }

  private async onControl(cmd: string, args: Record<string, unknown>): Promise<unknown> {
    const h = this.controlHandlers.get(cmd);
    if (!h) throw new Error(`unknown command "${cmd}" (known: ${[...this.controlHandlers.keys()].join(", ")})`);
    return h(cmd, args);
  }

  /**
   * The poll loop is alive when readings (B readings included: a dead analyzer still yields them)
   * arrived lately. Feeds the systemd watchdog; with no analyzer there is no loop to watch.
   */
  private pollLoopHealthy(now = Date.now()): boolean {
    if (!this.pollers.length) return true;
    const slowest = Math.max(...this.cfg.analyzers.filter((a) => a.enabled).map((a) => a.interval_s), 1);
    return now - this.lastIngestAt < Math.max(60, 3 * slowest) * 1000;
  }

  /** Polled readings are committed in batches; nothing else touches them before that. */
  private ingest(rows: Reading[]): void {
    this.lastIngestAt = Date.now();
    this.queue.push(...(this.disk === "critical" ? this.rawThrottle.filter(rows) : rows));
    const ms = this.cfg.storage.batch_ms;
    if (ms === 0) this.flush();
    else if (!this.flushTimer) this.flushTimer = setTimeout(() => this.flush(), ms);
  }

  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (!this.queue.length || !this.db) return;
    const rows = this.queue;
    const db = this.db;
    try {
      storeBatch({ db, readings: this.readings, readingChain: this.readingChain, qc: this.qc, aggregates: this.aggregates, log: this.log }, rows);
      this.queue = [];
    } catch (err) {
      // Disk full or I/O error: keep the readings and try again. The backlog is bounded; what
      // goes beyond it is counted and logged, never dropped silently.
      const lost = boundPending(this.queue);
      this.unstoredDropped += lost;
      this.log.error(`cannot store ${this.queue.length} readings, will retry: ${(err as Error).message}`, lost ? { dropped: lost, droppedTotal: this.unstoredDropped } : undefined);
      if (!this.flushTimer) this.flushTimer = setTimeout(() => this.flush(), 1000);
      return;
    }
    this.events.emit("readingsStored", rows.length, [...new Set(rows.map((r) => r.analyzer))], countByFlag(rows));
  }

  /** Closes ended periods and queues their packets for the platforms that want them, atomically. */
  private closePeriods(now = Date.now()): void {
    if (!this.db) return;
    const grace = this.cfg.storage.batch_ms + 3000;
    const queued = new Map<string, number>();
    try {
      this.db.transaction(() => {
        this.qc.process(); // readings a failure or a crash left unscreened are screened before they count
        // Shortest first: hours are built from closed minutes, days from closed hours. A period
        // recomputed after a late reading comes back here too and is queued again.
        for (const [periodS, platforms] of periodsToClose(periodsWanted(this.cfg))) {
          const aggs = this.aggregates.closePeriods(periodS, now, grace);
          if (!aggs.length) continue;
          const byStart = new Map<number, Aggregate[]>();
          for (const a of aggs) byStart.set(a.periodStart, [...(byStart.get(a.periodStart) ?? []), a]);
          for (const [start, group] of byStart) {
            this.events.emit("periodClosed", periodS, start, group.length);
            const cp = aggregateCp(group, this.tz, this.lookup);
            if (!cp) continue;
            const packets: NewPacket[] = platforms.map((platform) => ({ platform, cn: CN_BY_PERIOD(periodS), dataTime: start, cp, ackRequired: true }));
            this.outbox.enqueue(packets);
            for (const p of platforms) queued.set(p, (queued.get(p) ?? 0) + 1);
          }
          if (periodS === 86400) for (const start of byStart.keys()) this.queueRuntime(start, queued);
        }
      })();
    } catch (err) {
      this.log.error(`aggregation failed, will retry: ${(err as Error).message}`);
      return;
    }
    for (const [p, n] of queued) this.events.emit("packetsQueued", p, n);
  }

  /** Run-time day data (2041) of a closed day, for the platforms whose uploads include runtime. */
  private queueRuntime(dayStart: number, queued: Map<string, number>): void {
    const platforms = this.cfg.platforms.filter((p) => p.enabled && p.uploads.includes("runtime")).map((p) => p.id);
    if (!platforms.length) return;
    const equipment = (analyzer: string) => String(this.cfg.analyzers.find((a) => a.id === analyzer)?.options.equipment ?? analyzer);
    const cp = runtimeCp(this.readings.runMinutes(dayStart, dayStart + 86_400_000), dayStart, this.tz, equipment);
    if (!cp) return;
    this.outbox.enqueue(platforms.map((platform) => ({ platform, cn: "2041", dataTime: dayStart, cp, ackRequired: true })));
    for (const p of platforms) queued.set(p, (queued.get(p) ?? 0) + 1);
  }

  /** Queues live packets; a busy or full database skips this one (the next interval brings another). */
  private tryEnqueue(packets: NewPacket[]): boolean {
    try {
      this.outbox.enqueue(packets);
      return true;
    } catch (err) {
      this.log.warn(`live packet not queued: ${(err as Error).message}`);
      return false;
    }
  }

  /** A realtime packet with the latest value of each channel, while the platform is connected. */
  private queueRealtime(platform: string, intervalS: number): void {
    const s = this.sessions.get(platform);
    if (!this.db || !s?.state().connected) return; // realtime data is not backfilled: minute data is
    const now = Date.now();
    // A channel polled less often than the realtime interval still has a current value.
    const slowestPoll = Math.max(0, ...this.cfg.analyzers.map((a) => a.interval_s));
    const latest = this.qc.store.withEffectiveFlags(this.readings.latest(now - Math.max(intervalS, 3 * slowestPoll) * 1000, now));
    const cp = realtimeCp(latest, now, this.tz, this.lookup);
    if (!cp) return;
    if (this.tryEnqueue([{ platform, cn: UPLOAD_CN.realtime, dataTime: now, cp, ackRequired: true }])) this.events.emit("packetsQueued", platform, 1);
  }

  /** Equipment status (2021), while a platform has asked for it (2021 until 2022). */
  private queueStatus(platform: string): void {
    if (!this.db) return;
    const now = Date.now();
    const slowestPoll = Math.max(10, ...this.cfg.analyzers.map((a) => a.interval_s));
    const cp = statusCp(this.readings.latest(now - 3 * slowestPoll * 1000, now), now, this.tz, this.lookup);
    if (!cp) return;
    if (this.tryEnqueue([{ platform, cn: "2021", dataTime: now, cp, ackRequired: true }])) this.events.emit("packetsQueued", platform, 1);
  }

  /** Control command `resend`: re-queues a range of stored data for one platform (see uplink/resend.ts). */
  private resend(a: Record<string, unknown>, audit: AuditSink): unknown {
    const kind = String(a.kind ?? "minute") as ResendKind;
    if (!RESEND_KINDS.includes(kind)) throw new Error(`unknown kind "${kind}" (one of ${RESEND_KINDS.join(", ")})`);
    const db = this.db!;
    const r = queueResend(
      { outbox: this.outbox, aggregates: this.aggregates, lookup: this.lookup, tz: this.tz, platforms: this.cfg.platforms, transaction: (fn) => db.transaction(fn)() },
      { platform: String(a.platform), from: Number(a.from), to: Number(a.to), kind },
    );
    audit.append({ actor: String(a.actor ?? "cli"), action: "uplink.resend", reason: a.reason ? String(a.reason) : undefined, details: { ...r } });
    this.sessions.get(r.platform)?.kick();
    return r;
  }
}
