// `downlink-year-request`: one platform history request (2051) for a whole year, over a database
// holding a year of minute aggregates of 20 channels (525,600 periods, 10.5 million rows), answered
// while realtime packets keep going out. Figures: peak RSS growth during the request (≤ 30 MB), the
// longest event-loop block (≤ 50 ms), the worst delay of a live realtime packet queued during it
// (≤ 1 s), and the packets queued (= max_request_packets, 45,000). `--quick` uses 30 days and a
// cap of 5,000. The platform is the project's receiver on loopback, acknowledging every packet.
// Also `downlink-frame-reader-*`: the frame reader's cost per byte of a CRLF-less `##0001…` stream
// at two sizes (linear: the ratio stays near 1).
import { monitorEventLoopDelay } from "node:perf_hooks";
import { join } from "node:path";
import { platformSchema } from "../config/schema.js";
import { AggregateStore } from "../agent/aggregate/store.js";
import { EventBus } from "../agent/events.js";
import { silentLogger } from "../agent/log.js";
import { openDb } from "../agent/store/db.js";
import { ReadingStore } from "../agent/store/readings.js";
import { formatHj212Time, parseHj212Time } from "../agent/time.js";
import { RequestHandler } from "../agent/uplink/commands.js";
import { FrameReader } from "../agent/uplink/hj212/frames.js";
import { Outbox } from "../agent/uplink/outbox.js";
import { OverrideStore } from "../agent/uplink/overrides.js";
import { PlatformReceiver } from "../agent/uplink/receiver.js";
import { PlatformSession } from "../agent/uplink/session.js";
import { MN } from "../test/helpers/station.js";
import type { BenchResult } from "./bench-station.js";

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

export async function benchDownlink(quick: boolean, dir: string): Promise<BenchResult[]> {
  // BENCH_DOWNLINK_DAYS / BENCH_DOWNLINK_CAP: a smaller run while working on it.
  const days = Number(process.env.BENCH_DOWNLINK_DAYS ?? (quick ? 30 : 365));
  const cap = Number(process.env.BENCH_DOWNLINK_CAP ?? (quick ? 5000 : 45_000));
  const start = parseHj212Time("20250101000000", TZ);
  const db = openDb(join(dir, "downlink.db"));
  const readings = new ReadingStore(db);
  const aggregates = new AggregateStore(db, readings, TZ);
  fill(db, start, days * 1440);
  db.pragma("wal_checkpoint(TRUNCATE)"); // the fixture's own WAL is not the request's cost
  const outbox = new Outbox(db, TZ);
  // Filled in below, once the counters exist: each packet the platform receives.
  let seen: (qn: string | undefined, cn: string | undefined, cp: string) => void = () => {};
  const receiver = new PlatformReceiver({ onPacket: (p) => seen(p.frame.header.qn, p.frame.header.cn, p.frame.cp) });
  const port = await receiver.start();
  const cfg = platformSchema.parse({ id: "city", host: "127.0.0.1", port, st: 22, pw: "123456", max_request_packets: cap });
  const handler = new RequestHandler({
    log: silentLogger, tz: TZ, outbox, aggregates, overrides: new OverrideStore(db),
    lookup: (_a, c) => ({ code: `a${String(34000 + Number(c.slice(1)))}`, scale: 1, offset: 0 }),
  });
  const session = new PlatformSession(cfg, { outbox, events: new EventBus(), log: silentLogger, stationMn: MN, onRequest: (f, s) => handler.handle(f, s) });
  session.start();
  while (!session.connected || receiver.connections === 0) await sleep(20);

  // Live realtime packets every 200 ms, timed from queueing to arrival at the platform.
  const liveSent = new Map<string, number>();
  const liveDelays: number[] = [];
  let dataPackets = 0;
  let exeRtn: string | null = null;
  let requestQn = "";
  const dataQns = new Set<string>();
  seen = (qn, cn, cp) => {
    if (cn === "2051" && qn && !dataQns.has(qn)) {
      dataQns.add(qn);
      dataPackets++;
    }
    const sent = qn ? liveSent.get(qn) : undefined;
    if (sent !== undefined) {
      liveDelays.push(performance.now() - sent);
      liveSent.delete(qn!);
    }
    if (cn === "9012" && qn === requestQn) exeRtn = /ExeRtn=(\d+)/.exec(cp)?.[1] ?? "?";
  };
  const live = setInterval(() => {
    const [p] = outbox.enqueue([{ platform: "city", cn: "2011", dataTime: Date.now(), cp: `DataTime=${formatHj212Time(Date.now(), TZ)};a34000-Rtd=1,a34000-Flag=N`, ackRequired: true }]);
    liveSent.set(p.qn, performance.now());
    session.kick();
  }, 200);

  await sleep(500);
  const rss0 = process.memoryUsage().rss;
  let rssPeak = rss0;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 50);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const t0 = performance.now();
  requestQn = receiver.request({ cn: "2051", cp: `BeginTime=${formatHj212Time(start, TZ)};EndTime=${formatHj212Time(start + days * 86_400_000 - 60_000, TZ)}`, pw: cfg.pw, mn: MN });
  while (exeRtn === null && performance.now() - t0 < 900_000) await sleep(50);
  const seconds = (performance.now() - t0) / 1000;
  loop.disable();
  clearInterval(sampler);
  clearInterval(live);
  await sleep(300);
  await session.stop();
  await receiver.stop();
  db.close();

  const blockMs = loop.max / 1e6 - 10; // the histogram's resolution is included in each sample
  const worstLive = liveDelays.length ? Math.max(...liveDelays) : Infinity;
  console.log(`downlink-year-request: ${days} days × ${CHANNELS} channels, ExeRtn=${exeRtn} after ${seconds.toFixed(1)} s, ${dataPackets} data packets, ${liveDelays.length} live packets`);
  const scope = quick ? ` (${days} days, cap ${cap})` : "";
  return [
    { name: "downlink-year-request-rss-growth", value: (rssPeak - rss0) / 1048576, unit: `MB peak${scope}`, op: "<=", target: 30 },
    { name: "downlink-year-request-loop-block", value: Math.max(0, blockMs), unit: `ms longest block${scope}`, op: "<=", target: 50 },
    { name: "downlink-year-request-live-delay", value: worstLive, unit: `ms worst live packet (${liveDelays.length})`, op: "<=", target: 1000 },
    { name: "downlink-year-request-packets", value: dataPackets, unit: `packets queued, cap ${cap}, ExeRtn=${exeRtn}`, op: ">=", target: cap },
    { name: "downlink-year-request-time", value: seconds, unit: "s to the 9012", op: "info", target: null },
    ...frameReaderCost(quick),
  ];
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
