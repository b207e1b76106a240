// The whole agent on a 6-analyzer station polled every second (poll, store, QC, aggregate,
// upload), as the systemd unit runs it: the compiled code in dist/, in a process of its own.
// Measures CPU % of one core, RSS, readings/s and start-up time to the first stored reading.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { configSchema } from "../config/schema.js";
import { openDb } from "../agent/store/db.js";
import { PlatformReceiver } from "../agent/uplink/receiver.js";
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
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CLK_TCK = 100; // Linux USER_HZ

function procTimes(pid: number): { cpuS: number; rssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const cpuS = (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime + stime
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return { cpuS, rssMb: m ? Number(m[1]) / 1024 : 0 };
}

function countReadings(dbPath: string): number {
  try {
    const db = openDb(dbPath, { readonly: true });
    try {
      return (db.prepare("SELECT COUNT(*) AS n FROM readings").get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}

/**
 * Compiles the agent as an install would, into .bench-dist/ (not dist/, which bin/ would then
 * prefer over the sources in a development checkout); packages resolve from the project's
 * node_modules above it.
 */
function ensureBuilt(): string {
  const out = join(ROOT, ".bench-dist");
  const entry = join(out, "agent/cli/index.js");
  const tsc = join(ROOT, "node_modules/typescript/bin/tsc");
  const r = spawnSync(process.execPath, [tsc, "-p", join(ROOT, "tsconfig.build.json"), "--outDir", out], { stdio: "inherit" });
  if (r.status !== 0 || !existsSync(entry)) throw new Error("build failed: cannot benchmark the compiled agent");
  return entry;
}

export async function benchStation(quick: boolean): Promise<BenchResult[]> {
  const entry = ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), "bench-station-"));
  const simPort = await freePort();
  const platformPort = await freePort();
  const analyzers = Array.from({ length: 6 }, (_, i) => `  - { id: a${i + 1}, driver: teledyne-t400, bus: sim, slave: ${i + 1}, interval_s: 1, channels: { o3: { code: a0502${i} } } }`).join("\n");
  const yaml = `
station: { name: Bench station, mn: "${MN}" }
storage: { path: ${join(dir, "station.db")} }
log: { level: warn }
buses: [{ id: sim, type: tcp, host: 127.0.0.1, port: ${simPort}, timeout_ms: 500 }]
analyzers:
${analyzers}
platforms:
  - { id: city, host: 127.0.0.1, port: ${platformPort}, st: 22, pw: "123456", uploads: [realtime, minute], realtime_interval_s: 30 }
`;
  const file = join(dir, "station.yaml");
  writeFileSync(file, yaml);
  const config = configSchema.parse(parseYaml(yaml));
  const sim = await startSimulation(config, { seed: 5 });
  const receiver = new PlatformReceiver({ port: platformPort });
  await receiver.start();
  const out: BenchResult[] = [];
  const t0 = performance.now();
  const child = spawn(process.execPath, [entry, "run", "--config", file], { stdio: "ignore" });
  try {
    while (countReadings(join(dir, "station.db")) === 0) {
      if (performance.now() - t0 > 30_000) throw new Error("no reading within 30 s");
      await sleep(20);
    }
    out.push({ name: "startup-to-first-reading", value: (performance.now() - t0) / 1000, unit: "s", op: "<=", target: 2 });
    await sleep(quick ? 5000 : 15000); // warm-up: JIT, first minute's allocations
    const a = procTimes(child.pid!);
    const n0 = countReadings(join(dir, "station.db"));
    const w0 = performance.now();
    let rssMax = a.rssMb;
    const windowMs = quick ? 30_000 : 120_000;
    while (performance.now() - w0 < windowMs) {
      await sleep(1000);
      rssMax = Math.max(rssMax, procTimes(child.pid!).rssMb);
    }
    const b = procTimes(child.pid!);
    const secs = (performance.now() - w0) / 1000;
    const n1 = countReadings(join(dir, "station.db"));
    out.push({ name: "station-6x1s-cpu", value: ((b.cpuS - a.cpuS) / secs) * 100, unit: "% of one core", op: "<=", target: 0.5 });
    out.push({ name: "station-6x1s-rss", value: rssMax, unit: "MB", op: "<=", target: 70 });
    out.push({ name: "station-6x1s-readings", value: (n1 - n0) / secs, unit: "readings/s", op: "info", target: null });
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    await receiver.stop();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
