// HJ 212-2025 with SM4: a backlog drained to an encrypting platform against the same backlog to a
// plaintext 2025 platform, in the same run, over loopback with immediate acks (so the figure is
// what encryption costs the station, not what a slow link hides). The platform runs in a process
// of its own, as it would on its own machine. Target: at least 90 % of the plaintext rate.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { platformSchema } from "../config/schema.js";
import { EventBus } from "../agent/events.js";
import { silentLogger } from "../agent/log.js";
import { openDb } from "../agent/store/db.js";
import { sm4Available } from "../agent/uplink/hj212/sm4.js";
import { Outbox } from "../agent/uplink/outbox.js";
import { PlatformSession } from "../agent/uplink/session.js";
import { MN } from "../test/helpers/station.js";
import type { BenchResult } from "./bench-station.js";

const KEY = "0000000000000000";
const CODES = ["a34004", "a34002", "a05024", "a21026", "a21004", "a21005"];
const minuteCp = (i: number) =>
  "DataTime=20260101000000;" + CODES.map((c) => `${c}-Min=${(i % 50) + 1},${c}-Avg=${(i % 50) + 2.5},${c}-Max=${(i % 50) + 4},${c}-Flag=N`).join(";");

async function drain(dir: string, name: string, n: number, sm4: boolean): Promise<{ rate: number; cpuUs: number }> {
  const db = openDb(join(dir, `${name}.db`));
  const outbox = new Outbox(db, "Asia/Shanghai");
  db.transaction(() => outbox.enqueue(Array.from({ length: n }, (_, i) => ({ platform: "p", cn: "2051", dataTime: i, cp: minuteCp(i), ackRequired: true }))))();
  const child = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "bench-sm4-receiver.ts")], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const port = Number(await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`SM4 benchmark receiver exited ${code}: ${stderr}`)));
  }));
  const cfg = platformSchema.parse({ id: "p", host: "127.0.0.1", port, st: 22, pw: "123456", protocol: "hj212-2025", heartbeat_s: 0, ...(sm4 ? { sm4_key: KEY } : {}) });
  const events = new EventBus();
  let acked = 0;
  events.on("packetAcked", () => void acked++);
  const session = new PlatformSession(cfg, { outbox, events, log: silentLogger, stationMn: MN });
  const t = performance.now();
  const cpu0 = process.cpuUsage();
  session.start();
  // Counting acks, not querying the outbox: the wait must not cost what it measures.
  while (acked < n) await new Promise((r) => setTimeout(r, 20));
  const rate = n / ((performance.now() - t) / 1000);
  const cpu = process.cpuUsage(cpu0);
  const cpuUs = (cpu.user + cpu.system) / n;
  if (process.env.BENCH_SM4_CPU) console.log(`  ${name}: ${rate.toFixed(0)} packets/s, ${cpuUs.toFixed(0)} us CPU a packet`);
  await session.stop();
  if (outbox.backlog("p").pending) throw new Error(`SM4 benchmark: ${outbox.backlog("p").pending} packets left unacknowledged`);
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
  db.close();
  const encrypted = Number(/encrypted (\d+)/.exec(stderr)?.[1] ?? 0);
  if (sm4 ? encrypted < n : encrypted > 0) throw new Error(`SM4 benchmark: ${encrypted} of ${n} packets arrived encrypted (${stderr.trim()})`);
  return { rate, cpuUs };
}

export async function benchSm4(quick: boolean, dir: string): Promise<BenchResult[]> {
  if (!sm4Available()) {
    console.log("uplink-sm4-drain-rate: not measured, this Node's OpenSSL has no sm4-ecb");
    return [];
  }
  const n = quick ? 3000 : 20_000;
  // Alternating runs, the best of each: a machine busy with something else slows whichever run it
  // falls on, and the best run of each is the closest to what the code itself costs.
  let [plain, enc, plainCpu, encCpu] = [0, 0, Infinity, Infinity];
  for (let round = 0; round < 3; round++) {
    const p = await drain(dir, `sm4-plain-${round}`, n, false);
    const e = await drain(dir, `sm4-enc-${round}`, n, true);
    [plain, enc, plainCpu, encCpu] = [Math.max(plain, p.rate), Math.max(enc, e.rate), Math.min(plainCpu, p.cpuUs), Math.min(encCpu, e.cpuUs)];
  }
  console.log(`uplink drain to an HJ 212-2025 platform, immediate acks: plaintext ${plain.toFixed(0)} packets/s, SM4 ${enc.toFixed(0)} packets/s (${((enc / plain) * 100).toFixed(0)} %)`);
  return [
    { name: "uplink-sm4-drain-rate", value: (enc / plain) * 100, unit: `% of plaintext (${enc.toFixed(0)} vs ${plain.toFixed(0)} packets/s)`, op: ">=", target: 90 },
    { name: "uplink-sm4-drain-packets", value: enc, unit: "acked packets/s, SM4", op: "info", target: null },
    { name: "uplink-sm4-cpu-per-packet", value: encCpu, unit: `us station CPU a packet (plaintext ${plainCpu.toFixed(0)})`, op: "info", target: null },
  ];
}
