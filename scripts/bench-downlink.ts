// `downlink-year-request`: one platform history request (2051) for a whole year, over a database
// holding a year of minute aggregates of 20 channels (525,600 periods, 10.5 million rows), answered
// while realtime packets keep going out. Figures: peak RSS growth of the station during the request
// (≤ 30 MB), its longest event-loop block (≤ 50 ms), the worst delay of a live realtime packet queued
// during it (≤ 1 s), and the packets queued (= max_request_packets, 45,000). `--quick` uses 30 days
// and a cap of 5,000. The station side (outbox, request handler, platform session) runs in a process
// of its own with the systemd unit's node flags (bench-downlink-agent.ts); the platform is the
// project's receiver in this process, on loopback, acknowledging every packet, so what it parses and
// keeps of 45,000 packets is not counted as the station's.
// Also `downlink-frame-reader-*`: the frame reader's cost per byte of a CRLF-less `##0001…` stream
// at two sizes (linear: the ratio stays near 1).
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { AggregateStore } from "../agent/aggregate/store.js";
import { openDb } from "../agent/store/db.js";
import { ReadingStore } from "../agent/store/readings.js";
import { formatHj212Time, parseHj212Time } from "../agent/time.js";
import { FrameReader } from "../agent/uplink/hj212/frames.js";
import { PlatformReceiver } from "../agent/uplink/receiver.js";
import { MN } from "../test/helpers/station.js";
import type { DownlinkAgentArgs, DownlinkAgentResult } from "./bench-downlink-agent.js";
import { SERVICE_NODE_FLAGS, type BenchResult } from "./bench-station.js";

const TZ = "Asia/Shanghai";
const CHANNELS = 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A year (or `days`) of minute aggregates of 20 channels, written straight into the aggregates table. */
function fill(db: ReturnType<typeof openDb>, start: number, periods: number): void {
  const ins = db.prepare(
    `INSERT INTO aggregates (analyzer, channel, period_s, period_start, code, unit, min, avg, max, count, total, flag, computed_at)
     VALUES (?, ?, 60, ?, ?, 'ug/m3', ?, ?, ?, 6, 6, 'N', 0)`,
  );
  const batch = db.transaction((from: number, to: number) => {
    for (let p = from; p < to; p++) {
      const t = start + p * 60_000;
      for (let c = 0; c < CHANNELS; c++) ins.run("a", `c${c}`, t, `a${String(34000 + c)}`, p % 50, (p % 50) + 1.5, (p % 50) + 3);
    }
  });
  for (let p = 0; p < periods; p += 5000) batch(p, Math.min(periods, p + 5000));
}

/** The next IPC message of `type` from the station process (rejects if it exits first). */
function message<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { type: string; result?: T }) => {
      if (m.type !== type) return;
      child.off("message", onMessage);
      child.off("exit", onExit);
      resolve(m.result as T);
    };
    const onExit = (code: number | null) => reject(new Error(`downlink benchmark: the station process exited ${code} before "${type}"`));
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

export async function benchDownlink(quick: boolean, dir: string): Promise<BenchResult[]> {
  // BENCH_DOWNLINK_DAYS / BENCH_DOWNLINK_CAP: a smaller run while working on it.
  const days = Number(process.env.BENCH_DOWNLINK_DAYS ?? (quick ? 30 : 365));
  const cap = Number(process.env.BENCH_DOWNLINK_CAP ?? (quick ? 5000 : 45_000));
  const start = parseHj212Time("20250101000000", TZ);
  const dbPath = join(dir, "downlink.db");
  const db = openDb(dbPath);
  new AggregateStore(db, new ReadingStore(db), TZ); // its tables
  fill(db, start, days * 1440);
  db.pragma("wal_checkpoint(TRUNCATE)"); // the fixture's own WAL is not the request's cost
  db.close();

  // What the platform receives: distinct history QNs counted (as numbers: a QN string sliced from
  // its frame would keep the whole frame alive), live packets' arrival times, the request's 9012.
  const dataQns = new Set<bigint>();
  const arrived = new Map<string, number>();
  let exeRtn: string | null = null;
  let requestQn = "";
  const receiver = new PlatformReceiver({
    onPacket: ({ frame: { header, cp } }) => {
      const { qn, cn } = header;
      if (cn === "2051" && qn) dataQns.add(BigInt(qn));
      else if (cn === "2011" && qn) arrived.set(qn, performance.timeOrigin + performance.now());
      else if (cn === "9012" && qn === requestQn) exeRtn = /ExeRtn=(\d+)/.exec(cp)?.[1] ?? "?";
    },
  });
  const port = await receiver.start();
  const args: DownlinkAgentArgs = { db: dbPath, port, cap, tz: TZ };
  const child = fork(join(import.meta.dirname, "bench-downlink-agent.ts"), [JSON.stringify(args)], {
    execArgv: [...SERVICE_NODE_FLAGS, "--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  try {
    await message(child, "ready");
    while (receiver.connections === 0) await sleep(20);
    await sleep(500);
    const measuring = message(child, "measuring");
    child.send({ type: "measure" });
    await measuring;
    const t0 = performance.now();
    requestQn = receiver.request({ cn: "2051", cp: `BeginTime=${formatHj212Time(start, TZ)};EndTime=${formatHj212Time(start + days * 86_400_000 - 60_000, TZ)}`, pw: "123456", mn: MN });
    while (exeRtn === null && performance.now() - t0 < 900_000) await sleep(50);
    const seconds = (performance.now() - t0) / 1000;
    const done = message<DownlinkAgentResult>(child, "result");
    child.send({ type: "stop" });
    const r = await done;
    // It exits once its session and database are closed; the finally below ends it otherwise.
    await new Promise((resolve) => (child.exitCode === null ? (child.once("exit", resolve), setTimeout(resolve, 10_000).unref()) : resolve(null)));

    const delays = r.live.map(([qn, at]) => (arrived.get(qn) ?? Infinity) - at);
    const worstLive = delays.length ? Math.max(...delays) : Infinity;
    console.log(`downlink-year-request: ${days} days × ${CHANNELS} channels, ExeRtn=${exeRtn} after ${seconds.toFixed(1)} s, ${dataQns.size} data packets, ${delays.length} live packets`);
    const scope = quick ? ` (${days} days, cap ${cap})` : "";
    return [
      { name: "downlink-year-request-rss-growth", value: (r.rssPeak - r.rss0) / 1048576, unit: `MB peak, station process${scope}`, op: "<=", target: 30 },
      { name: "downlink-year-request-loop-block", value: r.blockMs, unit: `ms longest block${scope}`, op: "<=", target: 50 },
      { name: "downlink-year-request-live-delay", value: worstLive, unit: `ms worst live packet (${delays.length})`, op: "<=", target: 1000 },
      { name: "downlink-year-request-packets", value: dataQns.size, unit: `packets queued, cap ${cap}, ExeRtn=${exeRtn}`, op: ">=", target: cap },
      { name: "downlink-year-request-time", value: seconds, unit: "s to the 9012", op: "info", target: null },
      ...frameReaderCost(quick),
    ];
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    await receiver.stop();
  }
}

/** ns per byte of `##0001` followed by CRLF-less junk, pushed 7 bytes at a time, at n and 4n bytes. */
function frameReaderCost(quick: boolean): BenchResult[] {
  const cost = (bytes: number) => {
    const junk = Buffer.concat([Buffer.from("##0001"), Buffer.alloc(bytes, "a")]);
    const r = new FrameReader();
    const t = process.hrtime.bigint();
    for (let i = 0; i < junk.length; i += 7) r.push(junk.subarray(i, i + 7));
    return Number(process.hrtime.bigint() - t) / bytes;
  };
  const n = quick ? 1_000_000 : 4_000_000;
  cost(n / 10); // warm up
  const small = cost(n);
  const large = cost(4 * n);
  return [
    { name: "downlink-frame-reader-ns-per-byte", value: large, unit: `ns/byte (${(4 * n) / 1e6} MB, 7-byte reads)`, op: "info", target: null },
    { name: "downlink-frame-reader-scaling", value: large / small, unit: "x cost per byte at 4x the size", op: "<=", target: 1.5 },
  ];
}
