// The whole agent on a 6-analyzer station polled every second (poll, store, QC, aggregate,
// upload), as the systemd unit runs it: the compiled code in dist/, in a process of its own.
// Measures CPU % of one core, RSS, readings/s and start-up time to the first stored reading; then
// silences one analyzer and measures how many of the other five's readings still arrive.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { configSchema } from "../config/schema.js";
import { openDb } from "../agent/store/db.js";
import { PlatformReceiver } from "../agent/uplink/receiver.js";
import { bundleDist } from "./bundle.js";
import { startSimulation } from "../drivers/simulate.js";
import { freePort, MN } from "../test/helpers/station.js";

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  op: ">=" | "<=" | "info";
  target: number | null;
}

const ROOT = join(import.meta.dirname, "..");

/**
 * Node flags the systemd unit runs the service with (test/systemd/unit.test.ts keeps the two the
 * same): no optimizing compiler and a small young generation save ~14 MB of RSS at no measurable
 * CPU cost for a station's load of a few hundred readings a second; the baseline compiler, V8 on
 * the main thread only and builtins not copied next to the code save CPU for little memory
 * (docs/performance.md, fifth pass). Not --lite-mode: it also removes WebAssembly, which Node's
 * HTTP client (axios, for HTTP platforms) needs.
 */
export const SERVICE_NODE_FLAGS = ["--no-opt", "--max-semi-space-size=1", "--single-threaded", "--no-short-builtin-calls", "--expose-gc"];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CLK_TCK = 100; // Linux USER_HZ

/** CPU seconds (user + system) and resident memory of a running process, from /proc. */
export function procTimes(pid: number): { cpuS: number; rssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const cpuS = (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime + stime
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return { cpuS, rssMb: m ? Number(m[1]) / 1024 : 0 };
}

/** Stored readings with a value, per analyzer (empty while the database does not exist yet). */
function readingsByAnalyzer(dbPath: string): Map<string, number> {
  try {
    const db = openDb(dbPath, { readonly: true });
    try {
      const rows = db.prepare("SELECT analyzer, COUNT(*) AS n FROM readings WHERE value IS NOT NULL GROUP BY analyzer").all() as Array<{ analyzer: string; n: number }>;
      return new Map(rows.map((r) => [r.analyzer, r.n]));
    } finally {
      db.close();
    }
  } catch {
    return new Map();
  }
}

const total = (counts: Map<string, number>, only?: readonly string[]) =>
  [...counts].reduce((sum, [a, n]) => (only && !only.includes(a) ? sum : sum + n), 0);

/** The analyzer the dead-slave phase silences; the others are its neighbours. */
export const SILENCED = "a6";
export const NEIGHBOURS = ["a1", "a2", "a3", "a4", "a5"];

/** The benchmark station: six T400s on one Modbus TCP bus, polled every second, one platform. */
export function benchStationYaml(dir: string, simPort: number, platformPort: number): string {
  const analyzers = Array.from({ length: 6 }, (_, i) => `  - { id: a${i + 1}, driver: teledyne-t400, bus: sim, slave: ${i + 1}, interval_s: 1, channels: { o3: { code: a0502${i} } } }`).join("\n");
  return `
station: { name: Bench station, mn: "${MN}" }
storage: { path: ${join(dir, "station.db")} }
log: { level: warn }
buses: [{ id: sim, type: tcp, host: 127.0.0.1, port: ${simPort}, timeout_ms: 500 }]
analyzers:
${analyzers}
platforms:
  - { id: city, host: 127.0.0.1, port: ${platformPort}, st: 22, pw: "123456", uploads: [realtime, minute], realtime_interval_s: 30 }
`;
}

/** Seconds of each phase: warm-up, the healthy window, settling after the silence, the silent window. */
export function phases(quick: boolean) {
  return quick ? { warm: 5, healthy: 30, settle: 5, silent: 20 } : { warm: 15, healthy: 120, settle: 10, silent: 60 };
}

/**
 * Compiles and bundles the agent as the package does (scripts/bundle.ts), into .bench-dist/ (not
 * dist/, which bin/ would then prefer over the sources in a development checkout); packages
 * resolve from the project's node_modules above it.
 */
export function ensureBuilt(): string {
  const out = join(ROOT, ".bench-dist");
  const entry = join(out, "agent/cli/index.js");
  const tsc = join(ROOT, "node_modules/typescript/bin/tsc");
  const r = spawnSync(process.execPath, [tsc, "-p", join(ROOT, "tsconfig.build.json"), "--outDir", out], { stdio: "inherit" });
  if (r.status !== 0 || !existsSync(entry)) throw new Error("build failed: cannot benchmark the compiled agent");
  bundleDist(out);
  return entry;
}

export async function benchStation(quick: boolean): Promise<BenchResult[]> {
  const entry = ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), "bench-station-"));
  const simPort = await freePort();
  const platformPort = await freePort();
  const yaml = benchStationYaml(dir, simPort, platformPort);
  const file = join(dir, "station.yaml");
  writeFileSync(file, yaml);
  const config = configSchema.parse(parseYaml(yaml));
  const sim = await startSimulation(config, { seed: 5 });
  const receiver = new PlatformReceiver({ port: platformPort });
  await receiver.start();
  const out: BenchResult[] = [];
  const db = join(dir, "station.db");
  const p = phases(quick);
  const t0 = performance.now();
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, entry, "run", "--config", file], { stdio: "ignore" });
  try {
    while (total(readingsByAnalyzer(db)) === 0) {
      if (performance.now() - t0 > 30_000) throw new Error("no reading within 30 s");
      await sleep(20);
    }
    out.push({ name: "startup-to-first-reading", value: (performance.now() - t0) / 1000, unit: "s", op: "<=", target: 2 });
    await sleep(p.warm * 1000); // warm-up: JIT, first minute's allocations
    const healthy = await measure(child.pid!, () => readingsByAnalyzer(db), p.healthy);
    out.push({ name: "station-6x1s-cpu", value: healthy.cpuPct, unit: "% of one core", op: "<=", target: 0.5 });
    out.push({ name: "station-6x1s-rss", value: healthy.rssMaxMb, unit: "MB", op: "<=", target: 64 });
    out.push({ name: "station-6x1s-readings", value: total(healthy.perS), unit: "readings/s", op: "info", target: null });

    sim.analyzer(SILENCED).dead(true);
    await sleep(p.settle * 1000);
    const silent = await measure(child.pid!, () => readingsByAnalyzer(db), p.silent);
    const kept = (100 * total(silent.perS, NEIGHBOURS)) / total(healthy.perS, NEIGHBOURS);
    out.push({ name: "station-dead-slave-neighbour-rate", value: kept, unit: "% of healthy", op: ">=", target: 90 });
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    await receiver.stop();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

export interface Window {
  cpuPct: number;
  rssMaxMb: number;
  /** Per analyzer (or per any key the counter returns), counted units per second. */
  perS: Map<string, number>;
}

/** Watches a process for `seconds`: CPU % of one core, peak RSS (sampled each second), and the counter's rate. */
export async function measure(pid: number, counter: () => Map<string, number> | Promise<Map<string, number>>, seconds: number): Promise<Window> {
  const a = procTimes(pid);
  const c0 = await counter();
  const w0 = performance.now();
  let rssMaxMb = a.rssMb;
  while (performance.now() - w0 < seconds * 1000) {
    await sleep(1000);
    rssMaxMb = Math.max(rssMaxMb, procTimes(pid).rssMb);
  }
  const b = procTimes(pid);
  const c1 = await counter();
  const secs = (performance.now() - w0) / 1000;
  const perS = new Map([...c1].map(([k, n]) => [k, (n - (c0.get(k) ?? 0)) / secs]));
  return { cpuPct: ((b.cpuS - a.cpuS) / secs) * 100, rssMaxMb, perS };
}
