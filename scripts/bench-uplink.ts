// The uplink figure: a long backlog drained over loopback to a platform that acknowledges
// each packet 100 ms after it arrives (a platform behind a slow link), with the default window and
// with stop-and-wait (window 1) in the same run. While it drains, a live packet is queued every
// second: its delay to the platform must stay within one realtime interval, and RSS must stay flat.
// Stop-and-wait is measured on a sample and extrapolated (at 100 ms a packet, 100,000 packets
// take hours); `--quick` also drains only ~1,000 packets with the window and extrapolates. Both
// are labelled so in the unit and in the printed lines.
import { join } from "node:path";
import { platformSchema } from "../config/schema.js";
import { EventBus } from "../agent/events.js";
import { silentLogger } from "../agent/log.js";
import { openDb } from "../agent/store/db.js";
import { Outbox } from "../agent/uplink/outbox.js";
import { PlatformReceiver } from "../agent/uplink/receiver.js";
import { PlatformSession } from "../agent/uplink/session.js";
import { MN } from "../test/helpers/station.js";
import type { BenchResult } from "./bench-station.js";

const ACK_DELAY_MS = 100;
/** The figure (30 days of minute data is 43,200; this is more than twice that). */
const BACKLOG = 100_000;
const THIRTY_DAYS_OF_MINUTES = 43_200;
const DRAIN_TARGET_S = 300;

// A minute packet of an ambient-air station: six pollutants, as the outbox holds them.
const CODES = ["a34004", "a34002", "a05024", "a21026", "a21004", "a21005"];
const minuteCp = (i: number) =>
  "DataTime=20260101000000;" + CODES.map((c) => `${c}-Min=${(i % 50) + 1},${c}-Avg=${(i % 50) + 2.5},${c}-Max=${(i % 50) + 4},${c}-Flag=N`).join(";");

interface Drain {
  seconds: number;
  rate: number;
  liveDelaysMs: number[];
  rssGrowthMb: number;
  rssTrendMb: number;
  pendingAfter: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function drain(dir: string, name: string, n: number, window: number, live: boolean): Promise<Drain> {
  const db = openDb(join(dir, `${name}.db`));
  const outbox = new Outbox(db, "Asia/Shanghai");
  for (let i = 0; i < n; i += 10_000) {
    const chunk = Array.from({ length: Math.min(10_000, n - i) }, (_, j) => ({ platform: "p", cn: "2051", dataTime: i + j, cp: minuteCp(i + j), ackRequired: true }));
    db.transaction(() => outbox.enqueue(chunk))();
  }
  const queuedAt = new Map<string, number>();
  const liveDelaysMs: number[] = [];
  const receiver = new PlatformReceiver({
    ackDelayMs: ACK_DELAY_MS,
    onPacket: (p) => {
      const t = queuedAt.get(p.frame.header.qn ?? "");
      if (t !== undefined && p.parts === 1) liveDelaysMs.push(performance.now() - t);
    },
  });
  const port = await receiver.start();
  const cfg = platformSchema.parse({ id: "p", host: "127.0.0.1", port, st: 22, pw: "123456", window });
  const events = new EventBus();
  let acked = 0;
  events.on("packetAcked", () => void acked++);
  const session = new PlatformSession(cfg, { outbox, events, log: silentLogger, stationMn: MN });

  const rss: { done: number; mb: number }[] = [];
  const t0 = performance.now();
  session.start();
  let lastLive = t0;
  while (acked < n + queuedAt.size) {
    await sleep(50);
    rss.push({ done: acked / n, mb: process.memoryUsage().rss / 2 ** 20 });
    // A live packet a second while the backlog drains: it goes in the fresh lane, ahead of the backlog.
    if (live && acked < n && performance.now() - lastLive >= 1000) {
      lastLive = performance.now();
      const [p] = outbox.enqueue([{ platform: "p", cn: "2011", dataTime: Date.now(), cp: minuteCp(0).replace(/-Min=[^,]*,|-Max=[^,]*,/g, ","), ackRequired: true }]);
      queuedAt.set(p.qn, performance.now());
      session.kick();
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  await session.stop();
  await receiver.stop();
  const pendingAfter = outbox.backlog("p").pending;
  db.close();
  // Growth after the first fifth of the drain (caches warm, the heap at its working size), and
  // the trend: the peak of the last 40% against the peak of 20-60%. A leak grows in both halves
  // alike; a heap that settles at its working size shows growth but no trend.
  const peak = (from: number, to: number) => Math.max(0, ...rss.filter((s) => s.done >= from && s.done <= to).map((s) => s.mb));
  const base = rss.find((s) => s.done >= 0.2)?.mb ?? rss[0]?.mb ?? 0;
  const rssGrowthMb = Math.max(0, peak(0.2, 1) - base);
  const rssTrendMb = peak(0.6, 1) - peak(0.2, 0.6);
  if (process.env.BENCH_RSS_PROFILE) for (let d = 0.1; d <= 1; d += 0.1) console.log(`  ${(d * 100).toFixed(0)}% drained: RSS ${peak(d - 0.1, d).toFixed(1)} MB`);
  return { seconds, rate: n / seconds, liveDelaysMs, rssGrowthMb, rssTrendMb, pendingAfter };
}

export async function benchUplinkWindow(quick: boolean, dir: string): Promise<BenchResult[]> {
  const window = platformSchema.shape.window.parse(undefined);
  const realtimeIntervalS = platformSchema.shape.realtime_interval_s.parse(undefined);
  const drained = quick ? 1_000 : BACKLOG;
  const sample = quick ? 50 : 300;
  const extrapolated = drained < BACKLOG;

  const w = await drain(dir, "uplink-window", drained, window, true);
  const sw = await drain(dir, "uplink-stop-and-wait", sample, 1, false);
  if (w.pendingAfter || sw.pendingAfter) throw new Error(`uplink benchmark: ${w.pendingAfter + sw.pendingAfter} packets left unacknowledged`);

  const drainS = extrapolated ? BACKLOG / w.rate : w.seconds;
  const swS = BACKLOG / sw.rate;
  const label = extrapolated ? ` (extrapolated from ${drained.toLocaleString("en-US")})` : "";
  const swLabel = ` (extrapolated from ${sample})`;
  const liveMax = Math.max(0, ...w.liveDelaysMs);

  console.log(
    `uplink backlog, acks after ${ACK_DELAY_MS} ms: window ${window}: ${w.rate.toFixed(0)} packets/s, ` +
      `${BACKLOG.toLocaleString("en-US")} packets in ${drainS.toFixed(0)} s${label}; ` +
      `stop-and-wait: ${sw.rate.toFixed(1)} packets/s, ${(swS / 60).toFixed(0)} min${swLabel}; ` +
      `live packet delay during the drain: max ${liveMax.toFixed(0)} ms over ${w.liveDelaysMs.length}; RSS growth ${w.rssGrowthMb.toFixed(1)} MB, trend ${w.rssTrendMb.toFixed(1)} MB`,
  );
  return [
    { name: "uplink-window-drain-rate", value: w.rate, unit: `packets/s, window ${window}`, op: ">=", target: BACKLOG / DRAIN_TARGET_S },
    { name: "uplink-window-drain-time-100k", value: drainS, unit: `s${label}`, op: "<=", target: DRAIN_TARGET_S },
    { name: "uplink-window-drain-time-30-days-minutes", value: THIRTY_DAYS_OF_MINUTES / w.rate, unit: "s (43,200 at the measured rate)", op: "<=", target: DRAIN_TARGET_S },
    { name: "uplink-stop-and-wait-rate", value: sw.rate, unit: "packets/s, window 1", op: "info", target: null },
    { name: "uplink-stop-and-wait-drain-time-100k", value: swS / 60, unit: `min${swLabel}`, op: "info", target: null },
    { name: "uplink-window-speedup", value: w.rate / sw.rate, unit: "x stop-and-wait", op: "info", target: null },
    { name: "uplink-live-delay-during-drain-max", value: liveMax, unit: `ms (${w.liveDelaysMs.length} live packets)`, op: "<=", target: realtimeIntervalS * 1000 },
    { name: "uplink-drain-rss-growth", value: w.rssGrowthMb, unit: "MB after 20% drained", op: "info", target: null },
    { name: "uplink-drain-rss-trend", value: w.rssTrendMb, unit: "MB, last 40% vs 20-60%", op: "<=", target: 8 },
  ];
}
