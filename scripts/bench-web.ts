// web-page-cost: the agent's CPU with its local page open in a browser (the page's own requests
// every 5 s: /api/status, and /api/trend revalidated with its ETag) against the same agent with
// nobody looking. The bench station (six T400s polled every second, 66 channels) runs as the unit
// runs it, compiled, in its own process, with 24 h of minute history so the trend is full size.
// Windows alternate (off, on, off, on) so a drift of the baseline does not count as the page's.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { configSchema } from "../config/schema.js";
import { openDb } from "../agent/store/db.js";
import { ReadingStore } from "../agent/store/readings.js";
import { PlatformReceiver } from "../agent/uplink/receiver.js";
import { configuredChannels } from "../agent/web/channels.js";
import { startSimulation } from "../drivers/simulate.js";
import { freePort } from "../test/helpers/station.js";
import { benchStationYaml, ensureBuilt, procTimes, SERVICE_NODE_FLAGS, type BenchResult } from "./bench-station.js";

const POLL_S = 5;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the page's script does every 5 s; returns the trend's ETag for the next revalidation. */
async function pagePoll(base: string, etag: string | null): Promise<string | null> {
  const s = await fetch(`${base}/api/status`);
  await s.arrayBuffer();
  const t = await fetch(`${base}/api/trend`, { headers: { "accept-encoding": "gzip", ...(etag ? { "if-none-match": etag } : {}) } });
  await t.arrayBuffer();
  if (!s.ok || (!t.ok && t.status !== 304)) throw new Error(`page requests failed: ${s.status} ${t.status}`);
  return t.headers.get("etag") ?? etag;
}

async function cpuOver(pid: number, seconds: number, during?: () => Promise<void>): Promise<number> {
  const a = procTimes(pid).cpuS;
  const t0 = performance.now();
  let stop = false;
  const loop = during ? (async () => { while (!stop) await during(); })() : Promise.resolve();
  await sleep(seconds * 1000);
  stop = true;
  await loop;
  return ((procTimes(pid).cpuS - a) / ((performance.now() - t0) / 1000)) * 100;
}

export async function benchWebPage(quick: boolean): Promise<BenchResult[]> {
  const entry = ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), "bench-web-"));
  const [simPort, platformPort, webPort] = [await freePort(), await freePort(), await freePort()];
  const yaml = benchStationYaml(dir, simPort, platformPort) + `web: { listen: "127.0.0.1:${webPort}" }\n`;
  const file = join(dir, "station.yaml");
  writeFileSync(file, yaml);
  const config = configSchema.parse(parseYaml(yaml));
  config.storage.path = join(dir, "station.db");

  // 24 h of one reading a minute per channel: the trend plots' full load.
  const channels = configuredChannels(config);
  const db = openDb(config.storage.path);
  const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 86_400_000;
  const rows = [];
  for (let m = 0; m < 1440; m++)
    for (const c of channels) rows.push({ ts: t0 + m * 60_000 + 30_000, analyzer: c.analyzer, channel: c.channel, code: c.code, unit: c.unit, value: 40 + Math.sin(m / 60), flag: "N" as const, state: "ok", raw: null, source: "seed@1" });
  new ReadingStore(db).insert(rows);
  db.close();

  const sim = await startSimulation(config, { seed: 7 });
  const receiver = new PlatformReceiver({ port: platformPort });
  await receiver.start();
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, entry, "run", "--config", file], { stdio: "ignore" });
  const base = `http://127.0.0.1:${webPort}`;
  try {
    // Up, the history aggregated and the day's minute packets delivered: a station at rest.
    const ready = performance.now();
    for (;;) {
      if (performance.now() - ready > 120_000) throw new Error("the agent's page did not settle within 120 s");
      try {
        const s = (await (await fetch(`${base}/api/status`)).json()) as { platforms: Array<{ pending: number }> };
        const t = (await (await fetch(`${base}/api/trend`)).json()) as { series: Array<{ values: Array<number | null> }> };
        if (s.platforms.every((p) => p.pending < 5) && t.series.every((x) => x.values.filter((v) => v !== null).length > 1000)) break;
      } catch {
        /* not listening yet */
      }
      await sleep(1000);
    }
    await sleep((quick ? 5 : 15) * 1000);
    const windowS = quick ? 30 : 90;
    const rounds = quick ? 1 : 2;
    const off: number[] = [];
    const on: number[] = [];
    let etag: string | null = null;
    for (let r = 0; r < rounds; r++) {
      off.push(await cpuOver(child.pid!, windowS));
      // A browser opening the page loads it once, then polls.
      for (const a of ["/", "/app.js", "/style.css"]) await (await fetch(base + a)).arrayBuffer();
      on.push(await cpuOver(child.pid!, windowS, async () => {
        etag = await pagePoll(base, etag);
        await sleep(POLL_S * 1000);
      }));
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    // The cost of one poll, measured back to back (precise where the windows are noisy).
    const n = quick ? 100 : 300;
    const c0 = procTimes(child.pid!).cpuS;
    for (let i = 0; i < n; i++) etag = await pagePoll(base, etag);
    const perPollMs = ((procTimes(child.pid!).cpuS - c0) * 1000) / n;
    return [
      { name: "web-page-cost", value: mean(on) - mean(off), unit: "% of one core", op: "<=", target: 0.1 },
      { name: "web-page-poll-cpu", value: perPollMs, unit: "ms CPU per poll", op: "info", target: null },
      { name: "web-page-station-cpu-without", value: mean(off), unit: "% of one core", op: "info", target: null },
    ];
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    await receiver.stop();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith("bench-web.ts")) {
  for (const r of await benchWebPage(process.argv.includes("--quick"))) console.log(`${r.name}: ${r.value.toFixed(3)} ${r.unit}${r.target === null ? "" : ` (target ${r.op} ${r.target})`}`);
}
