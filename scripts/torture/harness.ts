// Shared parts of the fault-injection suite: a station on loopback (simulated analyzers, a
// platform receiver in this process) and the agent as a real child process that can be killed.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { configSchema, type StationConfig } from "../../config/schema.js";
import { openDb } from "../../agent/store/db.js";
import { startSimulation, type Simulation } from "../../drivers/simulate.js";
import { PlatformReceiver, type ReceivedPacket } from "../../agent/uplink/receiver.js";
import { freePort, MN } from "../../test/helpers/station.js";

const BIN = join(import.meta.dirname, "../../bin/station-agent.js");

export interface Station {
  dir: string;
  configFile: string;
  dbPath: string;
  config: StationConfig;
  sim: Simulation;
  platformPort: number;
}

export interface StationOptions {
  pollS?: number;
  /** Where the database goes (default: station.db next to the config). */
  dbPath?: string;
  /** Extra keys of the platform entry, as YAML flow items (e.g. `realtime_interval_s: 1`). */
  platform?: string;
  uploads?: string;
  logLevel?: "debug" | "info" | "warn" | "error";
}

/** A 3-analyzer station (T400s on one Modbus TCP simulator) reporting minute data to one platform. */
export async function makeStation(dir: string, opts: StationOptions = {}): Promise<Station> {
  const simPort = await freePort();
  const platformPort = await freePort();
  const yaml = `
station: { name: Torture station, mn: "${MN}" }
storage: { path: ${JSON.stringify(opts.dbPath ?? "station.db")}, batch_ms: 50 }
log: { level: ${opts.logLevel ?? "error"} }
buses: [{ id: sim, type: tcp, host: 127.0.0.1, port: ${simPort}, timeout_ms: 300 }]
analyzers:
  - { id: o3a, driver: teledyne-t400, bus: sim, slave: 1, interval_s: ${opts.pollS ?? 0.2} }
  - { id: o3b, driver: teledyne-t400, bus: sim, slave: 2, interval_s: ${opts.pollS ?? 0.2}, channels: { o3: { code: a05025 } } }
  - { id: o3c, driver: teledyne-t400, bus: sim, slave: 3, interval_s: ${opts.pollS ?? 0.2}, channels: { o3: { code: a05026 } } }
platforms:
  - { id: city, host: 127.0.0.1, port: ${platformPort}, st: 22, pw: "123456", uploads: [${opts.uploads ?? "minute"}],
      minute_interval_min: 1, ack_timeout_s: 1, reconnect_max_s: 1, window: 4${opts.platform ? `, ${opts.platform}` : ""} }
`;
  const configFile = join(dir, "station.yaml");
  writeFileSync(configFile, yaml);
  const config = configSchema.parse(parseYaml(yaml));
  const sim = await startSimulation(config, { seed: 11 });
  return { dir, configFile, dbPath: opts.dbPath ?? join(dir, "station.db"), config, sim, platformPort };
}

/** The agent as systemd runs it. With `output`, its log lines (stderr) are collected there. */
export function startAgent(configFile: string, output?: string[], compiled?: { entry: string; nodeFlags: readonly string[] }): ChildProcess {
  // From the sources by default; `compiled` runs a build with the unit's node flags, as installed
  // (for memory figures: running from the sources adds the TypeScript loader's own memory).
  const args = compiled ? [...compiled.nodeFlags, compiled.entry, "run", "--config", configFile] : [BIN, "run", "--config", configFile];
  const child = spawn(process.execPath, args, {
    env: compiled ? process.env : { ...process.env, STATION_AGENT_FROM_SOURCE: "1" },
    stdio: ["ignore", "ignore", output ? "pipe" : "ignore"],
  });
  if (output) {
    let rest = "";
    child.stderr!.on("data", (d: Buffer) => {
      const lines = (rest + d.toString()).split("\n");
      rest = lines.pop() ?? "";
      output.push(...lines);
    });
  }
  return child;
}

/** A CLI command run to completion: exit code and output. */
export function runCli(args: string[], timeoutMs = 30_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, STATION_AGENT_FROM_SOURCE: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Resident memory of a process (MB, one decimal), 0 when it is gone. */
export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Math.round(Number(m[1]) / 102.4) / 10 : 0;
  } catch {
    return 0;
  }
}

/** Polls `cond` every 100 ms until it holds or `ms` pass; true when it held. */
export async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(100);
  }
  return cond();
}

export const exited = (c: ChildProcess) =>
  new Promise<number | null>((r) => (c.exitCode !== null || c.signalCode ? r(c.exitCode) : c.once("exit", (code) => r(code))));

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A read-only look at the database, as a technician's sqlite3 would take it. */
export function inspect<T>(dbPath: string, fn: (db: ReturnType<typeof openDb>) => T): T | null {
  let db: ReturnType<typeof openDb> | null = null;
  try {
    db = openDb(dbPath, { readonly: true });
    return fn(db);
  } catch {
    return null;
  } finally {
    db?.close();
  }
}

/** A receiver that records, per QN, how often it arrived and what it carried. */
export function recordingReceiver(
  port: number,
  misbehave: { dropAckEvery?: number; ackDelayMs?: number } = {},
): { receiver: PlatformReceiver; byQn: Map<string, ReceivedPacket[]> } {
  const byQn = new Map<string, ReceivedPacket[]>();
  const receiver = new PlatformReceiver({
    port,
    pw: "123456",
    ...misbehave,
    onPacket: (p) => {
      const qn = p.frame.header.qn ?? "";
      byQn.set(qn, [...(byQn.get(qn) ?? []), p]);
    },
  });
  return { receiver, byQn };
}

/** Minute packets keyed by DataTime and analyzer codes: the same data must travel under one QN. */
export function minuteKeys(byQn: Map<string, ReceivedPacket[]>): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  for (const [qn, ps] of byQn) {
    const p = ps[0];
    if (p.frame.header.cn !== "2051") continue;
    const key = p.fields.DataTime;
    m.set(key, (m.get(key) ?? new Set()).add(qn));
  }
  return m;
}
