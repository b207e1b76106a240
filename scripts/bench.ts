// `npm run bench`: performance figures next to their targets. Prints a table and writes
// bench-results.json ([{name, value, unit, op, target, met}]) so runs can be compared.
// `--quick` uses smaller workloads (same figures, noisier). The same station also runs on Node-RED
// (scripts/bench-nodered.ts) and is printed side by side; scripts/bench-report.ts draws the chart.
import Database from "better-sqlite3";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { configSchema, platformSchema } from "../config/schema.js";
import { EventBus } from "../agent/events.js";
import { silentLogger } from "../agent/log.js";
import { openDb } from "../agent/store/db.js";
import { ReadingStore } from "../agent/store/readings.js";
import { storeBatch } from "../agent/store/ingest.js";
import { ReadingChain } from "../agent/audit/readings-chain.js";
import { QcEngine } from "../agent/qc/engine.js";
import { AggregateStore } from "../agent/aggregate/store.js";
import type { Reading } from "../agent/types.js";
import { Outbox } from "../agent/uplink/outbox.js";
import { PlatformReceiver } from "../agent/uplink/receiver.js";
import { PlatformSession } from "../agent/uplink/session.js";
import { tempDir } from "../test/helpers/station.js";
import { benchBus } from "./bench-bus.js";
import { benchStation } from "./bench-station.js";
import { benchUplinkWindow } from "./bench-uplink.js";
import { benchSm4 } from "./bench-sm4.js";
import { benchCpuRatio, benchNodeRed } from "./bench-nodered.js";
import { benchOutageDrain } from "./bench-outage.js";
import { benchDownlink } from "./bench-downlink.js";
import { benchAudit } from "./bench-audit.js";
import { benchMqtt } from "./bench-mqtt.js";
import { benchWebPage } from "./bench-web.js";
import { writeReport, type ReportRow as Result } from "./bench-report.js";

const quick = process.argv.includes("--quick");
const results: Result[] = [];
const record = (name: string, value: number, unit: string, op: Result["op"], target: number | null) => {
  const met = op === ">=" ? value >= target! : op === "<=" ? value <= target! : null;
  results.push({ name, value: Math.round(value * 100) / 100, unit, op, target, met });
};

function readings(n: number): Reading[] {
  const raw = Buffer.from([0x42, 0x29, 0x00, 0x00]);
  const t0 = Date.now();
  return Array.from({ length: n }, (_, i) => ({
    ts: t0 + i, analyzer: `a${i % 6}`, channel: `c${i % 4}`, code: "a05024", value: (i % 1000) / 10,
    unit: "ppb", flag: "N" as const, state: "ok", raw, source: "teledyne-t400@1",
  }));
}

function benchIngest(dir: string): void {
  const n = quick ? 100_000 : 500_000;
  const batch = 5000;
  const rows = readings(n);

  // The agent's own store step (agent/store/ingest.ts): readings with raw words and indexes,
  // their hash-chain link, QC screening and late-reading bookkeeping, one transaction a batch.
  const db = openDb(join(dir, "ingest.db"));
  const cfg = configSchema.parse({
    station: { name: "bench", mn: "010000A8900016F000169DC0" },
    storage: { path: join(dir, "ingest.db") },
    buses: [{ id: "b", type: "tcp", host: "127.0.0.1" }],
    analyzers: Array.from({ length: 6 }, (_, i) => ({ id: `a${i}`, driver: "teledyne-t400", bus: "b", slave: i + 1 })),
  });
  const readingsStore = new ReadingStore(db);
  const parts = {
    db,
    readings: readingsStore,
    readingChain: new ReadingChain(db),
    qc: new QcEngine(db, cfg),
    aggregates: new AggregateStore(db, readingsStore, cfg.station.timezone),
    log: silentLogger,
  };
  let t = performance.now();
  for (let i = 0; i < n; i += batch) storeBatch(parts, rows.slice(i, i + batch));
  const ours = n / ((performance.now() - t) / 1000);
  db.close();

  const bare = new Database(join(dir, "bare.db"));
  bare.pragma("journal_mode = WAL");
  bare.exec("CREATE TABLE r (ts INTEGER, analyzer TEXT, channel TEXT, value REAL); CREATE INDEX r_ts ON r (ts)");
  const ins = bare.prepare("INSERT INTO r VALUES (?, ?, ?, ?)");
  const tx = bare.transaction((rs: Reading[]) => {
    for (const r of rs) ins.run(r.ts, r.analyzer, r.channel, r.value);
  });
  t = performance.now();
  for (let i = 0; i < n; i += batch) tx(rows.slice(i, i + batch));
  const bareRate = n / ((performance.now() - t) / 1000);
  bare.close();

  record("sqlite-ingest-agent-store", ours, "readings/s", ">=", 200_000);
  record("sqlite-ingest-bare-better-sqlite3", bareRate, "readings/s", "info", null);
  record("sqlite-ingest-overhead-ratio", ours / bareRate, "x of bare", "info", null);
}

async function benchUplink(dir: string): Promise<void> {
  const n = quick ? 2000 : 20_000;
  const db = openDb(join(dir, "uplink.db"));
  const outbox = new Outbox(db, "Asia/Shanghai");
  db.transaction(() =>
    outbox.enqueue(Array.from({ length: n }, (_, i) => ({ platform: "p", cn: "2051", dataTime: i, cp: `DataTime=20260101000000;a05024-Min=1,a05024-Avg=${i},a05024-Max=3,a05024-Flag=N`, ackRequired: true }))),
  )();
  const receiver = new PlatformReceiver({});
  const port = await receiver.start();
  const cfg = platformSchema.parse({ id: "p", host: "127.0.0.1", port, st: 22, pw: "123456" });
  const session = new PlatformSession(cfg, { outbox, events: new EventBus(), log: silentLogger, stationMn: "010000A8900016F000169DC0" });
  const t = performance.now();
  session.start();
  while (outbox.backlog("p").pending > 0) await new Promise((r) => setTimeout(r, 20));
  const rate = n / ((performance.now() - t) / 1000);
  await session.stop();
  await receiver.stop();
  db.close();
  record("uplink-backlog-drain", rate, "acked packets/s", ">=", 2000);
}

const { dir, cleanup } = tempDir("station-bench-");
try {
  benchIngest(dir);
  await benchUplink(dir);
  for (const r of await benchUplinkWindow(quick, dir)) record(r.name, r.value, r.unit, r.op, r.target);
  for (const r of await benchDownlink(quick, dir)) record(r.name, r.value, r.unit, r.op, r.target);
  for (const r of await benchSm4(quick, dir)) record(r.name, r.value, r.unit, r.op, r.target);
  for (const r of await benchMqtt(quick, dir)) {
    if (r.value === null) results.push({ ...r, value: null, met: null });
    else record(r.name, r.value, r.unit, r.op, r.target);
  }
  results.push(...(await benchBus(quick)));
  for (const r of await benchStation(quick)) record(r.name, r.value, r.unit, r.op, r.target);
  for (const r of await benchAudit(quick, dir)) record(r.name, r.value, r.unit, r.op, r.target);
  for (const r of await benchWebPage(quick)) record(r.name, r.value, r.unit, r.op, r.target);
  for (const r of await benchNodeRed(quick)) {
    if (r.value === null) results.push({ ...r, value: null, met: null });
    else record(r.name, r.value, r.unit, r.op, r.target);
  }
  for (const r of await benchCpuRatio(quick)) {
    if (r.value === null) results.push({ ...r, value: null, met: null });
    else record(r.name, r.value, r.unit, r.op, r.target);
  }
  for (const r of await benchOutageDrain()) record(r.name, r.value, r.unit, r.op, r.target);
} finally {
  cleanup();
}

const w = [34, 14, 18, 10, 6];
console.log(["benchmark".padEnd(w[0]), "value".padStart(w[1]), "unit".padEnd(w[2]), "target".padEnd(w[3]), "met"].join("  "));
for (const r of results) {
  const target = r.target === null ? "-" : `${r.op} ${r.target}`;
  if (r.value === null) {
    console.log([r.name.padEnd(w[0]), r.note ?? "not measured"].join("  "));
    continue;
  }
  console.log(
    [r.name.padEnd(w[0]), r.value.toLocaleString("en-US").padStart(w[1]), r.unit.padEnd(w[2]), target.padEnd(w[3]), r.met === null ? "-" : r.met ? "yes" : "NO"].join("  "),
  );
}

// The same station, ours and Node-RED's, next to each other.
const fig = (name: string) => results.find((r) => r.name === name);
const cell = (r: Result | undefined) => (r?.value == null ? "not measured" : `${r.value.toLocaleString("en-US")} ${r.unit}`);
console.log("\n6 analyzers at 1 s over Modbus TCP".padEnd(w[0] + 1) + "  " + "station-agent".padEnd(26) + "Node-RED + contrib-modbus");
for (const [label, ours, theirs] of [
  ["CPU", "station-6x1s-cpu", "nodered-6x1s-cpu"],
  ["CPU, together, median of 3", "station-6x1s-cpu-median3", "nodered-6x1s-cpu-median3"],
  ["RSS", "station-6x1s-rss", "nodered-6x1s-rss"],
  ["readings/s, healthy", "station-6x1s-readings", "nodered-6x1s-readings"],
  ["neighbours kept, one silent", "station-dead-slave-neighbour-rate", "nodered-dead-slave-neighbour-rate"],
  ["start-up to first reading", "startup-to-first-reading", "nodered-startup-to-first-reading"],
]) console.log(label.padEnd(w[0]) + "  " + cell(fig(ours)).padEnd(26) + cell(fig(theirs)));

writeFileSync("bench-results.json", JSON.stringify(results, null, 2) + "\n");
const drawn = writeReport(results, quick);
console.log("\nwritten to bench-results.json, " + drawn.join(", ") + (quick ? " (--quick: smaller workloads)" : ""));
