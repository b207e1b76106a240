// What the local page shows, as JSON: the running agent's status (the same view `station-agent
// status` prints) laid over every configured channel, host figures, open alarms, the latest audit
// entries; and the trend plots' minute values, compact (one array a channel, one flag letter a minute).
import { statSync } from "node:fs";
import { dirname } from "node:path";
import type { StationConfig } from "../../config/schema.js";
import { getDriver } from "../../drivers/index.js";
import type { AuditEntry } from "../audit/log.js";
import type { Alarm } from "../alarms/store.js";
import { hostSnapshot, type HostSnapshot } from "../health/snapshot.js";
import type { AgentStatus, PlatformStatus } from "../status.js";
import type { Aggregate } from "../types.js";

/** The parts of the running agent the page reads (structurally: the Agent has them). */
export interface WebAgent {
  readonly loaded: { config: StationConfig };
  readonly startedAt: number;
  readonly aggregates: { series(analyzer: string, channel: string, periodS: number, from: number, to: number): Array<Pick<Aggregate, "periodStart" | "avg" | "flag">> };
  readonly audit: { list(opts: { limit?: number }): AuditEntry[] };
  status(): AgentStatus;
}

export interface ConfiguredChannel {
  analyzer: string;
  channel: string;
  code: string;
  unit: string;
}

/** Every channel the config polls: the driver's (or generic-modbus registers'), minus disabled ones. */
export function configuredChannels(cfg: StationConfig): ConfiguredChannel[] {
  return cfg.analyzers
    .filter((a) => a.enabled)
    .flatMap((a) => {
      const defs = a.registers?.map((r) => ({ name: r.channel, code: r.code ?? "", unit: r.unit ?? "" })) ?? getDriver(a.driver)?.channels ?? [];
      return defs
        .filter((d) => a.channels[d.name]?.enabled !== false)
        .map((d) => ({ analyzer: a.id, channel: d.name, code: a.channels[d.name]?.code ?? d.code ?? "", unit: d.unit ?? "" }));
    });
}

export interface PageChannel extends ConfiguredChannel {
  value: number | null;
  flag: string | null;
  state: string | null;
  ts: number | null;
  ageS: number | null;
}

export interface PageStatus {
  generatedAt: number;
  station: { name: string; mn: string; timezone: string };
  service: { pid: number; uptimeS: number; node: string };
  host: HostSnapshot & { dbBytes: number | null };
  analyzers: Array<{ id: string; driver: string; bus: string; polls?: number; failures?: number; errorRate?: number; channels: PageChannel[] }>;
  platforms: PlatformStatus[];
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

export function pageStatus(agent: WebAgent, opts: { auditEntries: number }, now = Date.now()): PageStatus {
  const cfg = agent.loaded.config;
  const s = agent.status();
  const latest = new Map(s.analyzers.flatMap((a) => a.channels.map((c) => [`${a.id}\u0000${c.channel}`, c] as const)));
  const channels = configuredChannels(cfg);
  return {
    generatedAt: now,
    station: { name: cfg.station.name, mn: cfg.station.mn, timezone: cfg.station.timezone },
    service: { pid: process.pid, uptimeS: Math.round((now - agent.startedAt) / 1000), node: process.version },
    host: { ...hostSnapshot(dirname(cfg.storage.path)), dbBytes: dbBytes(cfg.storage.path) },
    analyzers: s.analyzers.map((a) => ({
      id: a.id,
      driver: a.driver,
      bus: a.bus,
      polls: a.polls,
      failures: a.failures,
      errorRate: a.errorRate,
      channels: channels
        .filter((c) => c.analyzer === a.id)
        .map((c) => {
          const r = latest.get(`${a.id}\u0000${c.channel}`);
          return { ...c, unit: r?.unit ?? c.unit, code: r?.code ?? c.code, value: r?.value ?? null, flag: r?.flag ?? null, state: r?.state ?? null, ts: r?.ts ?? null, ageS: r ? Math.round((now - r.ts) / 1000) : null };
        }),
    })),
    platforms: s.platforms,
    alarms: s.alarms ?? [],
    audit: agent.audit
      .list({ limit: opts.auditEntries })
      .reverse()
      .map((e) => ({ id: e.id, ts: e.ts, actor: e.actor, action: e.action, reason: e.reason, details: shortDetails(e.details) })),
  };
}

export interface TrendSeries extends ConfiguredChannel {
  /** Minute means, oldest first; null where there is none. */
  values: Array<number | null>;
  /** One letter a minute: the minute's flag (N valid, H too few readings, M, C, D, B…), "." for none. */
  flags: string;
}

export interface Trend {
  from: number;
  stepS: 60;
  points: number;
  series: TrendSeries[];
}

const MINUTE = 60_000;

/** Minute values of every configured channel over the last `hours`, ending at the current minute. */
export function trend(agent: WebAgent, hours: number, now = Date.now()): Trend {
  const to = Math.floor(now / MINUTE) * MINUTE;
  const from = to - hours * 3_600_000;
  const points = (to - from) / MINUTE;
  const series = configuredChannels(agent.loaded.config).map((c) => {
    const values: Array<number | null> = new Array(points).fill(null);
    const flags: string[] = new Array(points).fill(".");
    for (const row of agent.aggregates.series(c.analyzer, c.channel, 60, from, to)) {
      const i = (row.periodStart - from) / MINUTE;
      if (!Number.isInteger(i) || i < 0 || i >= points) continue;
      values[i] = row.avg === null ? null : Number(row.avg.toPrecision(5));
      flags[i] = row.flag;
    }
    return { ...c, values, flags: flags.join("") };
  });
  return { from, stepS: 60, points, series };
}
