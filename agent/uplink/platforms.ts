// The outbox and the platforms as a feature: the durable outbox (outbox.ts) and one uplink per
// enabled platform: an HJ 212 session (session.ts) with its request handling (requests.ts),
// JSON over HTTP (http.ts) or MQTT (mqtt.ts). Settings a platform changed are kept as audited
// overrides (overrides.ts); a queued packet kicks its platform's uplink.
import { isHj212Platform } from "../../config/schema.js";
import type { AuditTrail } from "../audit/trail.js";
import type { Aggregation } from "../aggregate/aggregation.js";
import type { ControlCommands, Feature } from "../feature.js";
import type { Quality } from "../qc/quality.js";
import { SecretStore, secretsPath } from "../secrets/store.js";
import type { Storage } from "../store/storage.js";
import type { Uplink } from "./delivery.js";
import type { HistoryRequests } from "./history.js";
import { HttpUplink } from "./http.js";
import { MqttUplink } from "./mqtt.js";
import { Outbox } from "./outbox.js";
import { OverrideStore } from "./overrides.js";
import { platformRequests, resendCommand, type RequestSources } from "./requests.js";
import { RestartNotice } from "./restart-notice.js";
import { PlatformSession } from "./session.js";
import type { hj2025Parts } from "./wire-2025.js";

export interface PlatformsDeps extends Pick<RequestSources, "cfg" | "tz" | "events" | "log" | "lookup" | "pollers" | "calibration" | "alarms" | "diskCritical" | "doorOpen" | "host"> {
  /** Where relative paths of the config (MQTT certificates) are resolved. */
  baseDir: string;
  startedAt: number;
  storage: Storage;
  trail: AuditTrail;
  quality: Quality;
  aggregation: Aggregation;
  commands: ControlCommands;
}

export class Platforms implements Feature {
  outbox!: Outbox;
  overrides!: OverrideStore;
  /** One uplink per enabled platform: an HJ 212 session, or JSON over HTTP, or MQTT. */
  readonly sessions = new Map<string, Uplink>();
  /** Platform history requests, in bounded slices (history.ts). */
  history: HistoryRequests | null = null;
  /** HJ 212-2025: SM4 key store, 1001/2062 uploads, key-age alarm (wire-2025.ts). */
  hj2025: ReturnType<typeof hj2025Parts> | null = null;
  private restartNotice: RestartNotice | null = null;
  private offQueued: (() => void) | null = null;

  constructor(private readonly deps: PlatformsDeps) {}

  /** HJ 212 codes an analyzer uploads. */
  codesOf = (_analyzer: string): string[] => [];

  start(): void {
    const d = this.deps;
    const { cfg, tz, events, log } = d;
    const db = d.storage.db!;
    this.outbox = new Outbox(db, tz);
    this.overrides = new OverrideStore(db, { secrets: new SecretStore(secretsPath(cfg.storage.path)), audit: d.trail.log });
    const sources: RequestSources = {
      ...d, db, readings: d.storage.readings, audit: d.trail.log, qc: () => d.quality.engine.store, aggregates: d.aggregation.aggregates,
      outbox: this.outbox, overrides: this.overrides, sessions: this.sessions,
    };
    const { hj2025, history, requests, instruments } = platformRequests(sources);
    this.hj2025 = hj2025;
    this.history = history;
    this.codesOf = (id) => instruments.find((i) => i.analyzer === id)?.codes ?? [];
    for (const p of cfg.platforms.filter((p) => p.enabled)) {
      if (p.protocol === "mqtt") {
        this.sessions.set(p.id, new MqttUplink(p, { outbox: this.outbox, events, log, station: cfg.station, tz, baseDir: d.baseDir }));
        continue;
      }
      if (!isHj212Platform(p)) {
        // JSON over HTTP: same outbox and cursor; no requests come down, so no overrides either.
        this.sessions.set(p.id, new HttpUplink(p, { outbox: this.outbox, events, log, station: cfg.station, tz }));
        continue;
      }
      this.overrides.applyTo(p);
      this.sessions.set(p.id, new PlatformSession(p, {
        outbox: this.outbox, events, log, stationMn: cfg.station.mn,
        onRequest: (f, sess) => requests.handle(f, sess),
        onBadCrc: (seg, sess) => requests.onBadCrc(seg, sess),
        keyStore: hj2025.keyStore,
        onBadFrame: (why, sess) => requests.onBadFrame(why, sess),
      }));
    }
    const hj212 = cfg.platforms.filter((p) => p.enabled && isHj212Platform(p)).map((p) => p.id);
    this.restartNotice = new RestartNotice({ events, outbox: this.outbox, tz, startedAt: d.startedAt, platforms: hj212, log });
    d.commands.on("resend", resendCommand({ ...sources, audit: d.trail.log }));
    this.offQueued = events.on("packetsQueued", (platform) => this.sessions.get(platform)?.kick());
    this.restartNotice.start(); // 2081 (C.24) after each platform's first connection
    for (const s of this.sessions.values()) s.start();
    hj2025.station.start();
  }

  async stop(): Promise<void> {
    this.hj2025?.station.stop();
    for (const s of this.sessions.values()) await s.stop();
    this.restartNotice?.stop();
    this.offQueued?.();
    this.offQueued = null;
  }
}
