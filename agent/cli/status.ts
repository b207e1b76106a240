// `station-agent status` and `station-agent backlog`: from the running service through its
// control socket, or straight from the database (read-only) when no service runs, saying so.
import type { Command } from "commander";
import type { StationConfig } from "../../config/schema.js";
import { callControl, controlSocketPath } from "../control/socket.js";
import { openDb } from "../store/db.js";
import { readStatus, type AgentStatus } from "../status.js";
import { formatLocal } from "../time.js";
import { configPath, loadConfigOrExit } from "./common.js";
import { age, printJson, table } from "./format.js";

/** Live status from the service, or the database view with `service.running = false`. */
export async function getStatus(cfg: StationConfig): Promise<AgentStatus> {
  try {
    return (await callControl(controlSocketPath(cfg.storage.path), "status")) as AgentStatus;
  } catch {
    const db = openDb(cfg.storage.path, { readonly: true });
    try {
      return readStatus(db, cfg);
    } finally {
      db.close();
    }
  }
}

const when = (ms: number | null, tz: string) => (ms === null ? "-" : formatLocal(ms, tz));

function platformsTable(s: AgentStatus, tz: string): string {
  return table(
    ["platform", "address", "link", "connection", "pending", "oldest pending", "last ack"],
    s.platforms.map((p) => [
      p.id,
      p.port ? `${p.host}:${p.port}` : p.host,
      // tls / sm4 / tls+sm4 / plain; stray acks ignored are worth a technician's look (someone on the path).
      `${p.link ?? "-"}${p.unknownAcks ? ` (${p.unknownAcks} stray acks ignored)` : ""}`,
      p.connected === undefined ? "unknown" : p.connected ? "connected" : `down${p.lastError ? ` (${p.lastError})` : ""}`,
      p.pending,
      when(p.oldestPendingTime, tz),
      when(p.lastAckAt, tz),
    ]),
  );
}

function serviceLine(s: AgentStatus): string {
  return s.service.running
    ? `service running (pid ${s.service.pid}, up ${age(s.service.uptimeS)})`
    : "service NOT running: figures read from the database directly";
}

export function registerStatus(program: Command): void {
  program
    .command("status")
    .description("analyzers' last values, platforms' connection and backlog")
    .option("-c, --config <file>", "station config file")
    .option("--json", "JSON output")
    .action(async (opts: { config?: string; json?: boolean }) => {
      const { config } = loadConfigOrExit(configPath(opts.config));
      // The CLI runs on the station itself, so the host figures are measured here.
      const { hostHealth } = await import("../health/host.js"); // systeminformation: not loaded by `run`
      const [s, host] = await Promise.all([getStatus(config), hostHealth(config.storage.path)]);
      if (opts.json) return printJson({ ...s, host });
      const tz = config.station.timezone;
      const rows = s.analyzers.flatMap((a) =>
        (a.channels.length ? a.channels : [null]).map((c) => [
          a.id,
          c?.channel,
          c?.code,
          c ? (c.value === null ? "-" : `${Number(c.value.toPrecision(7))} ${c.unit}`) : "no reading in 7 days",
          c?.flag,
          c?.state,
          c ? age(c.ageS) : null,
          a.errorRate === undefined ? null : `${(a.errorRate * 100).toFixed(1)} %`,
        ]),
      );
      console.log(`${s.station.name} (${s.station.mn}): ${serviceLine(s)}\n`);
      console.log(table(["analyzer", "channel", "code", "value", "flag", "state", "age", "comm errors"], rows));
      console.log("\n" + platformsTable(s, tz));
      const alarms = s.alarms ?? [];
      console.log(`\n${auditLine(s, tz)}`);
      console.log(alarms.length ? `\nalarms open: ${alarms.length}\n${alarms.map((a) => `  ${a.kind} ${a.subject}: ${a.message} (since ${when(a.raisedAt, tz)})`).join("\n")}` : "\nno alarm open");
      const mb = (b: number) => `${Math.round(b / 1048576)} MB`;
      console.log(
        `\nhost: disk ${host.disk ? `${mb(host.disk.freeBytes)} free (${host.disk.freePct} %)` : "unknown"}, ` +
          `memory ${mb(host.memUsedBytes)}/${mb(host.memTotalBytes)}, CPU ${host.cpuTempC === null ? "no temperature sensor" : `${host.cpuTempC} °C`}, ` +
          `load ${host.cpuLoadPct ?? "-"} %, clock ${host.clockSynced === null ? "sync unknown" : host.clockSynced ? "synchronised" : "NOT synchronised"}`,
      );
    });

  program
    .command("backlog")
    .description("per platform: pending packets, oldest pending time, last ack, connection state")
    .option("-c, --config <file>", "station config file")
    .option("--json", "JSON output")
    .action(async (opts: { config?: string; json?: boolean }) => {
      const { config } = loadConfigOrExit(configPath(opts.config));
      const s = await getStatus(config);
      if (opts.json) return printJson({ service: s.service, platforms: s.platforms });
      console.log(serviceLine(s) + "\n");
      console.log(platformsTable(s, config.station.timezone));
    });
}

/** "audit: sealed (key …, every 15 min), last seal 10:15" or the UNSEALED warning. */
function auditLine(s: AgentStatus, tz: string): string {
  const a = s.audit;
  if (!a) return "audit: unknown";
  if (a.sealed === null) return `audit: a sealing key exists but is not readable by this user (ask the running service: status shows it); ${a.seals} seals in the database`;
  if (!a.sealed) return `audit: UNSEALED (no sealing key): entries are hash-chained only; run \`station-agent audit keygen\`${a.seals ? ` (${a.seals} seals in the database)` : ""}`;
  return `audit: sealed with key ${a.keyId} every ${a.intervalMin} min, next epoch ${a.nextEpoch}, ${a.seals} seals${a.lastSealAt ? `, last ${when(a.lastSealAt, tz)}` : ""}`;
}
