// What the local page shows, as JSON: every configured channel's latest reading (its effective
// flag, after QC and manual flags), poll statistics, platforms' link and backlog, host figures,
// open alarms, the latest audit entries. Built to be polled: each part is an index lookup or a
// small cached read, never a scan of history (`station-agent status` may scan; the page may not).
import { statSync } from "node:fs";
import { dirname } from "node:path";
import { isHj212Platform, type StationConfig } from "../../config/schema.js";
import type { AuditEntry } from "../audit/log.js";
import type { Alarm } from "../alarms/store.js";
import type { AnalyzerStats } from "../bus/poller.js";
import type { EventMap } from "../events.js";
import { hostSnapshot, type HostSnapshot } from "../health/snapshot.js";
import type { StoredReading } from "../types.js";
import type { SessionState } from "../uplink/delivery.js";
import { safeUrl } from "../uplink/http-json.js";
import { configuredChannels, type ConfiguredChannel } from "./channels.js";
import { TrendCache, type MinuteSource } from "./trend.js";

/** The parts of the running agent the page reads (structurally: the Agent has them). */
export interface WebAgent {
  readonly loaded: { config: StationConfig };
  readonly startedAt: number;
  readonly readings: { lastOf(analyzer: string, channel: string): StoredReading | undefined };
  readonly qc: { store: { withEffectiveFlags<R extends StoredReading>(rows: readonly R[]): R[] } };
  readonly pollers: ReadonlyArray<{ stats(): Record<string, AnalyzerStats> }>;
  readonly sessions: ReadonlyMap<string, { state(): SessionState }>;
  readonly outbox: { pendingSummary(platform: string): { pending: number; oldestPendingTime: number | null }; backlog(platform: string): { lastAckAt: number | null } };
  readonly aggregates: MinuteSource;
  readonly alarmLog: { list(opts: { all?: boolean }): Alarm[] };
  readonly audit: { list(opts: { limit?: number }): AuditEntry[] };
  readonly events: { on<K extends keyof EventMap>(event: K, listener: (...args: EventMap[K]) => void): () => void };
}

export interface PageChannel extends ConfiguredChannel {
  value: number | null;
  flag: string | null;
  state: string | null;
  ts: number | null;
  ageS: number | null;
}

export interface PagePlatform {
  id: string;
  host: string;
  port: number;
  connected: boolean | null;
  lastError: string | null;
  inFlight: number;
  pending: number;
  oldestPendingTime: number | null;
  lastAckAt: number | null;
}

export interface PageStatus {
  generatedAt: number;
  station: { name: string; mn: string; timezone: string };
  service: { pid: number; uptimeS: number; node: string };
  host: HostSnapshot & { dbBytes: number | null };
  analyzers: Array<{ id: string; driver: string; bus: string; polls?: number; failures?: number; errorRate?: number; channels: PageChannel[] }>;
  platforms: PagePlatform[];
  alarms: Alarm[];
  audit: Array<{ id: number; ts: number; actor: string; action: string; reason: string | null; details: string }>;
}

function dbBytes(path: string): number | null {
  let total = 0;
  for (const f of [path, `${path}-wal`]) {
    try {
      total += statSync(f).size;
    } catch {
      if (f === path) return null;
    }
  }
  return total;
}

/** Audit details shortened for a table cell; the full entry is `station-agent audit list`. */
const shortDetails = (d: Record<string, unknown>) => {
  const s = JSON.stringify(d);
  return s === "{}" ? "" : s.length > 160 ? `${s.slice(0, 157)}…` : s;
};

/** A value recomputed at most every `ms`. */
function every<T>(ms: number, f: () => T): () => T {
  let at = -Infinity;
  let v: T;
  return () => {
    const now = Date.now();
    if (now - at >= ms) {
      v = f();
      at = now;
    }
    return v;
  };
}

export class PageData {
  readonly channels: ConfiguredChannel[];
  readonly trend: TrendCache;
  private readonly lastAck = new Map<string, number | null>();
  /** Pending counts kept up from queue and ack events, recounted from the outbox every minute. */
  private readonly pending = new Map<string, { pending: number; oldestPendingTime: number | null; at: number }>();
  private readonly offs: Array<() => void> = [];
  private readonly host: () => PageStatus["host"];
  private readonly auditRows: () => PageStatus["audit"];

  constructor(
    private readonly agent: WebAgent,
    opts: { trendHours: number; auditEntries: number },
  ) {
    const cfg = agent.loaded.config;
    this.channels = configuredChannels(cfg);
    this.trend = new TrendCache(agent.aggregates, this.channels, opts.trendHours);
    // Host figures move slowly; statfs and /sys reads are not worth doing every poll.
    this.host = every(15_000, () => ({ ...hostSnapshot(dirname(cfg.storage.path)), dbBytes: dbBytes(cfg.storage.path) }));
    this.auditRows = every(5_000, () =>
      agent.audit
        .list({ limit: opts.auditEntries })
        .reverse()
        .map((e) => ({ id: e.id, ts: e.ts, actor: e.actor, action: e.action, reason: e.reason, details: shortDetails(e.details) })),
    );
  }

  start(): void {
    const platforms = this.agent.loaded.config.platforms.filter((p) => p.enabled);
    // The last ack once from the outbox (a scan, at start only), then from the acks as they come.
    for (const p of platforms) this.lastAck.set(p.id, this.agent.outbox.backlog(p.id).lastAckAt);
    this.offs.push(
      this.agent.events.on("packetAcked", (platform) => {
        this.lastAck.set(platform, Date.now());
        const p = this.pending.get(platform);
        if (!p) return;
        p.pending = Math.max(0, p.pending - 1);
        if (p.pending === 0) p.oldestPendingTime = null;
      }),
      this.agent.events.on("packetsQueued", (platform, n) => {
        const p = this.pending.get(platform);
        if (!p) return;
        p.pending += n;
        if (p.oldestPendingTime === null) p.at = -Infinity; // its DataTime is only in the outbox
      }),
      this.agent.events.on("periodClosed", (periodS, start) => {
        if (periodS === 60) this.trend.minuteClosed(start);
      }),
    );
  }

  /** A count over the outbox's pending index grows with an outage's backlog: once a minute, not every poll. */
  private pendingOf(platform: string, now: number): { pending: number; oldestPendingTime: number | null } {
    let p = this.pending.get(platform);
    if (!p || now - p.at > 60_000) {
      p = { ...this.agent.outbox.pendingSummary(platform), at: now };
      this.pending.set(platform, p);
    }
    return p;
  }

  stop(): void {
    for (const off of this.offs.splice(0)) off();
  }

  status(now = Date.now()): PageStatus {
    const a = this.agent;
    const cfg = a.loaded.config;
    const stats = new Map<string, AnalyzerStats>();
    for (const p of a.pollers) for (const [id, s] of Object.entries(p.stats())) stats.set(id, s);
    const latest = a.qc.store.withEffectiveFlags(this.channels.map((c) => a.readings.lastOf(c.analyzer, c.channel)).filter((r): r is StoredReading => !!r));
    const byKey = new Map(latest.map((r) => [`${r.analyzer}\u0000${r.channel}`, r]));
    return {
      generatedAt: now,
      station: { name: cfg.station.name, mn: cfg.station.mn, timezone: cfg.station.timezone },
      service: { pid: process.pid, uptimeS: Math.round((now - a.startedAt) / 1000), node: process.version },
      host: this.host(),
      analyzers: cfg.analyzers
        .filter((x) => x.enabled)
        .map((x) => {
          const s = stats.get(x.id);
          return {
            id: x.id,
            driver: x.driver,
            bus: x.bus,
            ...(s ? { polls: s.polls, failures: s.failures, errorRate: s.polls ? s.failures / s.polls : 0 } : {}),
            channels: this.channels
              .filter((c) => c.analyzer === x.id)
              .map((c) => {
                const r = byKey.get(`${c.analyzer}\u0000${c.channel}`);
                return { ...c, unit: r?.unit ?? c.unit, code: c.code || r?.code || "", value: r?.value ?? null, flag: r?.flag ?? null, state: r?.state ?? null, ts: r?.ts ?? null, ageS: r ? Math.max(0, Math.round((now - r.ts) / 1000)) : null };
              }),
          };
        }),
      platforms: cfg.platforms
        .filter((p) => p.enabled)
        .map((p) => {
          const s = a.sessions.get(p.id)?.state();
          // An HTTP (or other URL) uplink shows its URL without credentials or query, and port 0.
          const addr = isHj212Platform(p) ? { host: p.host, port: p.port } : { host: safeUrl((p as { url: string }).url), port: 0 };
          const { pending, oldestPendingTime } = this.pendingOf(p.id, now);
          return { id: p.id, ...addr, connected: s?.connected ?? null, lastError: s?.lastError ?? null, inFlight: s?.inFlight ?? 0, pending, oldestPendingTime, lastAckAt: this.lastAck.get(p.id) ?? null };
        }),
      alarms: a.alarmLog.list({}),
      audit: this.auditRows(),
    };
  }
}
