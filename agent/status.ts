// What `station-agent status` shows: built from the database (works with or without a running
// service) and, when the service answers, completed with its live state (connections, poll stats).
import { isHj212Platform, type StationConfig } from "../config/schema.js";
import { safeUrl } from "./uplink/http-json.js";
import type { Db } from "./store/db.js";
import { ReadingStore } from "./store/readings.js";
import { readAlarms, type Alarm } from "./alarms/store.js";
import { Outbox } from "./uplink/outbox.js";
import type { AnalyzerStats } from "./bus/poller.js";
import type { Uplink } from "./uplink/delivery.js";
import type { Hj212Flag } from "./types.js";
import { configuredLink, type LinkSecurity } from "./uplink/link-crypto.js";
import { sealStatus, type SealStatus } from "./audit/sealer.js";
import { sealKeyPath } from "./audit/seal-key.js";

export interface ChannelStatus {
  channel: string;
  code: string;
  value: number | null;
  unit: string;
  flag: Hj212Flag;
  state: string;
  ts: number;
  ageS: number;
}

export interface AnalyzerStatus {
  id: string;
  driver: string;
  bus: string;
  channels: ChannelStatus[];
  polls?: number;
  failures?: number;
  errorRate?: number;
}

export interface PlatformStatus {
  id: string;
  host: string;
  port: number;
  connected?: boolean;
  lastError?: string | null;
  /** Live only: packets sent and awaiting their 9014, and retransmissions since start. */
  inFlight?: number;
  retransmits?: number;
  /** How the link is protected: TLS on the socket, SM4 on CP (HJ 212-2025), both, or plain. URL uplinks (HTTP, MQTT): the URL's scheme, e.g. "https" or "mqtts". */
  link: LinkSecurity | string;
  /** Live only: 9014s for QNs never sent on that connection, ignored. */
  unknownAcks?: number;
  pending: number;
  oldestPendingTime: number | null;
  lastAckAt: number | null;
  acked: number;
}

export interface AgentStatus {
  station: { name: string; mn: string };
  service: { running: boolean; pid?: number; uptimeS?: number };
  analyzers: AnalyzerStatus[];
  platforms: PlatformStatus[];
  /** Open alarms, newest first (alarms/store.ts). */
  alarms?: Alarm[];
  /** Forward-secure sealing of the audit trail: sealed or not, the last seal (audit/sealer.ts). */
  audit?: SealStatus;
}

/** Status from the database alone (read-only access is enough). */
export function readStatus(db: Db, cfg: StationConfig, now = Date.now()): AgentStatus {
  const readings = new ReadingStore(db);
  const outbox = new Outbox(db, cfg.station.timezone);
  // Bounded in time so status stays instant on a database of years (the ts index serves it).
  const latest = readings.latest(now - 7 * 86_400_000, now);
  return {
    station: { name: cfg.station.name, mn: cfg.station.mn },
    service: { running: false },
    analyzers: cfg.analyzers.map((a) => ({
      id: a.id,
      driver: a.driver,
      bus: a.bus,
      channels: latest
        .filter((r) => r.analyzer === a.id)
        .map((r) => ({ channel: r.channel, code: r.code, value: r.value, unit: r.unit, flag: r.flag, state: r.state, ts: r.ts, ageS: Math.round((now - r.ts) / 1000) })),
    })),
    // An HTTP uplink shows its URL (no credentials, no query) as host, and port 0.
    alarms: readAlarms(db),
    audit: sealStatus(db, sealKeyPath(cfg.storage.path), cfg.audit.seal_interval_min),
    platforms: cfg.platforms.map((p) => ({
      id: p.id,
      ...(isHj212Platform(p) ? { host: p.host, port: p.port, link: configuredLink(p, cfg.storage.path) } : { host: safeUrl(p.url), port: 0, link: /^([a-z0-9+.-]+):/i.exec(p.url)?.[1].toLowerCase() ?? "-" }),
      ...outbox.backlog(p.id),
    })),
  };
}

/** What a running agent shows of itself here (main.ts's Agent is one); status never imports main. */
export interface StatusSource {
  readonly loaded: { readonly config: StationConfig };
  readonly readings: { readonly database: Db };
  readonly pollers: ReadonlyArray<{ stats(): Record<string, AnalyzerStats> }>;
  readonly startedAt: number;
  readonly sessions: ReadonlyMap<string, Pick<Uplink, "state">>;
}

/** Status of a running agent: the database view plus live connection and poll state. */
export function collectStatus(agent: StatusSource): AgentStatus {
  const cfg = agent.loaded.config;
  const now = Date.now();
  const base = readStatus(agent.readings.database, cfg, now);
  const polls = new Map<string, { polls: number; failures: number }>();
  for (const p of agent.pollers) for (const [id, s] of Object.entries(p.stats())) polls.set(id, s);
  return {
    ...base,
    service: { running: true, pid: process.pid, uptimeS: Math.round((now - agent.startedAt) / 1000) },
    analyzers: base.analyzers.map((a) => {
      const s = polls.get(a.id);
      return s ? { ...a, polls: s.polls, failures: s.failures, errorRate: s.polls ? s.failures / s.polls : 0 } : a;
    }),
    platforms: base.platforms.map((p) => {
      const s = agent.sessions.get(p.id)?.state();
      return s ? { ...p, connected: s.connected, lastError: s.lastError, inFlight: s.inFlight, retransmits: s.retransmits, link: s.link ?? p.link, unknownAcks: s.unknownAcks } : p;
    }),
  };
}
