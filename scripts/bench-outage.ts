// A 30-day outage drained by the whole agent, as the systemd unit runs it (compiled, the unit's node
// flags, a process of its own): 43,200 minute packets queued for each of two platforms, then both
// platforms come back and the agent sends the backlog. Peak RSS during the drain (target ≤ 96 MB),
// and how RSS moves from the first third of the drain to the last (memory must not depend on how
// much backlog is left: the outbox is read in bounded pages by a cursor, never loaded whole).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDb } from "../agent/store/db.js";
import { Outbox, type NewPacket } from "../agent/uplink/outbox.js";
import { PlatformReceiver } from "../agent/uplink/receiver.js";
import { freePort, MN } from "../test/helpers/station.js";
import { ensureBuilt, procTimes, SERVICE_NODE_FLAGS, type BenchResult } from "./bench-station.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const DAYS = 30;
const MINUTES = DAYS * 1440;
const PLATFORMS = ["city", "province"];

function minuteCp(i: number): string {
  const v = (c: number) => ((i * 7 + c * 13) % 1000) / 10;
  return `DataTime=20260101000000;${[0, 1, 2, 3, 4, 5].map((c) => `a0502${c}-Min=${v(c)},a0502${c}-Avg=${v(c + 1)},a0502${c}-Max=${v(c + 2)},a0502${c}-Flag=N`).join(";")}`;
}

export async function benchOutageDrain(log: (m: string) => void = (m) => console.error(m)): Promise<BenchResult[]> {
  const entry = ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), "bench-outage-"));
  const dbPath = join(dir, "station.db");
  const t0 = Date.UTC(2026, 0, 1) - MINUTES * 60_000;
  const db = openDb(dbPath);
  const outbox = new Outbox(db, "Asia/Shanghai");
  for (let day = 0; day < DAYS; day++) {
    const packets: NewPacket[] = [];
    for (let i = day * 1440; i < (day + 1) * 1440; i++)
      for (const platform of PLATFORMS) packets.push({ platform, cn: "2051", dataTime: t0 + i * 60_000, cp: minuteCp(i), ackRequired: true });
    db.transaction(() => outbox.enqueue(packets))();
  }
  db.close();
  const ports = [await freePort(), await freePort()];
  const receivers = ports.map((port) => new PlatformReceiver({ port }));
  const yaml = `
station: { name: Bench station, mn: "${MN}" }
storage: { path: ${dbPath} }
log: { level: warn }
platforms:
${PLATFORMS.map((id, k) => `  - { id: ${id}, host: 127.0.0.1, port: ${ports[k]}, st: 22, pw: "123456", uploads: [minute] }`).join("\n")}
`;
  writeFileSync(join(dir, "station.yaml"), yaml);
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, ...(process.env.BENCH_NODE_FLAGS?.split(" ").filter(Boolean) ?? []), entry, "run", "--config", join(dir, "station.yaml")], { stdio: process.env.BENCH_NODE_FLAGS ? ["ignore", "inherit", "inherit"] : "ignore" });
  const acked = () => receivers.reduce((n, r) => n + r.stats.acked, 0);
  const total = MINUTES * PLATFORMS.length;
  try {
    await sleep(3000); // start-up, platforms unreachable: the agent retries with back-off
    for (const r of receivers) await r.start();
    const samples: Array<{ done: number; rss: number }> = [];
    const t = performance.now();
    while (acked() < total) {
      if (performance.now() - t > 20 * 60_000) throw new Error(`drain incomplete after 20 min (${acked()}/${total} acked)`);
      if (child.exitCode !== null) throw new Error(`agent exited with code ${child.exitCode}`);
      samples.push({ done: acked() / total, rss: procTimes(child.pid!).rssMb });
      await sleep(200);
    }
    const secs = (performance.now() - t) / 1000;
    const peak = Math.max(...samples.map((s) => s.rss));
    const third = (a: number, b: number) => Math.max(0, ...samples.filter((s) => s.done >= a && s.done < b).map((s) => s.rss));
    log(`outage drain: ${total} packets to ${PLATFORMS.length} platforms in ${secs.toFixed(1)} s, RSS peak ${peak.toFixed(1)} MB`);
    return [
      { name: "outage-30d-drain-rss-peak", value: peak, unit: "MB", op: "<=", target: 96 },
      { name: "outage-30d-drain-rss-trend", value: third(2 / 3, 1.01) - third(0, 1 / 3), unit: "MB, last third vs first", op: "<=", target: 8 },
      { name: "outage-30d-drain-rate", value: total / secs, unit: "acked packets/s", op: "info", target: null },
    ];
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once("exit", r)));
    for (const r of receivers) await r.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  for (const r of await benchOutageDrain()) console.log(r);
}
