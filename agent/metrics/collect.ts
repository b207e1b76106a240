// The figures a fleet watches, read from the running agent: per analyzer (readings, polls, last
// good answer, current flags), per platform (backlog, oldest pending, last ack, link), and the
// station (database and disk bytes, open alarms, audit sealing). Names follow the Prometheus
// conventions: base units in the name, `_total` on counters, timestamps in seconds.
import { statSync, statfsSync } from "node:fs";
import { dirname } from "node:path";
import type { AnyPlatformConfig } from "../../config/schema.js";
import type { AnalyzerStats } from "../bus/poller.js";
import type { StoredReading } from "../types.js";
import type { Uplink } from "../uplink/delivery.js";
import type { BacklogInfo } from "../uplink/outbox.js";
import type { MetricFamily, MetricType, Sample } from "./format.js";

/** What metrics read of the agent (main.ts's Agent has all of it). */
export interface MetricsAgent {
  readonly startedAt: number;
  readonly sessions: ReadonlyMap<string, Uplink>;
  readonly pollers: ReadonlyArray<{ stats(): Record<string, AnalyzerStats> }>;
  readonly outbox: { backlog(platform: string): BacklogInfo };
  readonly readings: { latest(since: number, at: number): StoredReading[] };
  readonly qc: { store: { withEffectiveFlags<R extends StoredReading>(rows: readonly R[]): R[] } };
  readonly alarmLog: { list(opts: { all?: boolean; limit?: number }): unknown[] };
  readonly unstoredDropped: number;
  readonly loaded: {
    config: {
      station: { name: string; mn: string };
      storage: { path: string };
      analyzers: ReadonlyArray<{ id: string; driver: string; enabled: boolean; interval_s: number }>;
      platforms: readonly AnyPlatformConfig[];
    };
  };
  /** Audit sealing (audit/sealer.ts), when it runs. */
  readonly sealer?: { status(): { nextEpoch: number | null; seals: number; lastSealAt: number | null } } | null;
}

/** Readings stored since start, by analyzer and the flag the instrument gave them. */
export type StoredCounts = ReadonlyMap<string, ReadonlyMap<string, number>>;

const s = (n: number) => Math.round(n) / 1000;

function family(name: string, type: MetricType, help: string, samples: Sample[]): MetricFamily {
  return { name, type, help, samples };
}

function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export function collectMetrics(agent: MetricsAgent, stored: StoredCounts, now = Date.now()): MetricFamily[] {
  const cfg = agent.loaded.config;
  const analyzers = cfg.analyzers.filter((a) => a.enabled);
  const stats = new Map<string, AnalyzerStats>();
  for (const p of agent.pollers) for (const [id, st] of Object.entries(p.stats())) stats.set(id, st);
  // Each channel's latest reading, with its effective (QC) flag. The window is short so a scrape
  // stays cheap on a Pi polling every second (the query reads every reading in it).
  const windowMs = Math.max(300, 3 * Math.max(0, ...analyzers.map((a) => a.interval_s))) * 1000;
  const latest = agent.qc.store.withEffectiveFlags(agent.readings.latest(now - windowMs, now));
  const platforms = cfg.platforms.filter((p) => p.enabled);
  const backlog = new Map(platforms.map((p) => [p.id, agent.outbox.backlog(p.id)]));
  const live = new Map(platforms.map((p) => [p.id, agent.sessions.get(p.id)?.state()]));
  const per = <T>(list: readonly T[], f: (x: T) => Sample | null): Sample[] => list.map(f).filter((x): x is Sample => x !== null);
  const forPlatform = (f: (id: string, b: BacklogInfo) => number | null) =>
    per(platforms, (p) => {
      const v = f(p.id, backlog.get(p.id)!);
      return v === null ? null : { labels: { platform: p.id }, value: v };
    });
  const session = (pick: (st: ReturnType<Uplink["state"]>) => number) =>
    per(platforms, (p) => {
      const st = live.get(p.id);
      return st ? { labels: { platform: p.id }, value: pick(st) } : null;
    });

  const dbPath = cfg.storage.path;
  let disk: { free: number; size: number } | null = null;
  try {
    const fs = statfsSync(dirname(dbPath));
    disk = { free: fs.bavail * fs.bsize, size: fs.blocks * fs.bsize };
  } catch {
    disk = null;
  }
  const seal = agent.sealer?.status();
  const flags = new Map<string, number>();
  for (const r of latest) flags.set(`${r.analyzer}\u0000${r.flag}`, (flags.get(`${r.analyzer}\u0000${r.flag}`) ?? 0) + 1);

  return [
    family("station_agent_info", "gauge", "The station this agent runs (always 1).", [{ labels: { station: cfg.station.name, mn: cfg.station.mn, node: process.version }, value: 1 }]),
    family("station_agent_start_time_seconds", "gauge", "When the agent started, seconds since the epoch.", [{ value: s(agent.startedAt) }]),
    family("station_agent_readings_stored_total", "counter", "Readings stored since the agent started, by analyzer and the flag the instrument gave them (B: no answer).",
      analyzers.flatMap((a) => [...(stored.get(a.id) ?? new Map([["N", 0]]))].map(([flag, n]) => ({ labels: { analyzer: a.id, flag }, value: n })))),
    family("station_agent_polls_total", "counter", "Polls of each analyzer since the agent started.", per(analyzers, (a) => ({ labels: { analyzer: a.id }, value: stats.get(a.id)?.polls ?? 0 }))),
    family("station_agent_polls_failed_total", "counter", "Polls of each analyzer that got no usable answer since the agent started.", per(analyzers, (a) => ({ labels: { analyzer: a.id }, value: stats.get(a.id)?.failures ?? 0 }))),
    family("station_agent_analyzer_last_good_answer_age_seconds", "gauge", "Seconds since each analyzer last answered well (since the agent started, when it has not yet).",
      per(analyzers, (a) => ({ labels: { analyzer: a.id }, value: s(now - (stats.get(a.id)?.lastOk ?? agent.startedAt)) }))),
    family("station_agent_analyzer_up", "gauge", "1 when the analyzer's last poll was answered, else 0.",
      per(analyzers, (a) => ({ labels: { analyzer: a.id }, value: stats.get(a.id)?.lastOk != null && stats.get(a.id)!.consecutiveFailures === 0 ? 1 : 0 }))),
    family("station_agent_channels_by_flag", "gauge", "Channels of each analyzer whose latest reading (of the last 5 minutes, or 3 poll intervals) carries each effective HJ 212 flag.",
      [...flags].map(([k, n]) => ({ labels: { analyzer: k.split("\u0000")[0], flag: k.split("\u0000")[1] }, value: n }))),
    family("station_agent_platform_backlog_packets", "gauge", "Packets not yet acknowledged by each platform.", forPlatform((_id, b) => b.pending)),
    family("station_agent_platform_oldest_pending_age_seconds", "gauge", "Age of the data (DataTime) of the oldest packet each platform has not acknowledged; 0 when none waits.",
      forPlatform((_id, b) => (b.oldestPendingTime === null ? 0 : Math.max(0, s(now - b.oldestPendingTime))))),
    family("station_agent_platform_last_ack_timestamp_seconds", "gauge", "When each platform last acknowledged a packet, seconds since the epoch (absent if never).",
      forPlatform((_id, b) => (b.lastAckAt === null ? null : s(b.lastAckAt)))),
    family("station_agent_platform_connected", "gauge", "1 while the link to each platform is up (HJ 212 TCP connected, MQTT connected, HTTP receiver answering), else 0.",
      per(platforms, (p) => ({ labels: { platform: p.id, protocol: p.protocol }, value: live.get(p.id)?.connected ? 1 : 0 }))),
    family("station_agent_platform_packets_sent_total", "counter", "Packets written to each platform since the agent started, retransmissions included.", session((st) => st.sent)),
    family("station_agent_platform_packets_acked_total", "counter", "Packets each platform acknowledged since the agent started.", session((st) => st.acked)),
    family("station_agent_platform_reconnects_total", "counter", "Connections to each platform made anew since the agent started.", session((st) => st.reconnects)),
    family("station_agent_database_size_bytes", "gauge", "Size of the SQLite database with its write-ahead log.", [{ value: fileBytes(dbPath) + fileBytes(`${dbPath}-wal`) }]),
    family("station_agent_disk_free_bytes", "gauge", "Free bytes on the data disk (for the service's user).", disk ? [{ value: disk.free }] : []),
    family("station_agent_disk_size_bytes", "gauge", "Size of the data disk.", disk ? [{ value: disk.size }] : []),
    family("station_agent_alarms_open", "gauge", "Alarms raised and not yet cleared.", [{ value: agent.alarmLog.list({ limit: 100_000 }).length }]),
    family("station_agent_readings_dropped_total", "counter", "Readings lost because the database could not take them for too long.", [{ value: agent.unstoredDropped }]),
    // Epochs count from 0, so "nothing sealed" (no key, or not yet) is an absent sample, not a 0.
    family("station_agent_audit_sealed_epoch", "gauge", "The latest sealed epoch of the audit trail (absent while nothing is sealed).",
      seal && seal.seals > 0 && seal.nextEpoch !== null && seal.nextEpoch > 0 ? [{ value: seal.nextEpoch - 1 }] : []),
    family("station_agent_audit_last_seal_timestamp_seconds", "gauge", "When the audit trail was last sealed, seconds since the epoch (absent if never).",
      seal?.lastSealAt != null ? [{ value: s(seal.lastSealAt) }] : []),
  ];
}
