// The station side of `downlink-year-request` (bench-downlink.ts), in a process of its own with the
// systemd unit's node flags: the figures are the agent's, not those of the platform that receives
// the year's packets (its parsing, and whatever it keeps of them, lives in the parent process).
// Messages with the parent (IPC): → {ready} once connected; ← {measure} → {measuring}; ← {stop} → {result}.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { platformSchema } from "../config/schema.js";
import { AggregateStore } from "../agent/aggregate/store.js";
import { EventBus } from "../agent/events.js";
import { HeapTrim } from "../agent/health/heap-trim.js";
import { silentLogger } from "../agent/log.js";
import { openDb } from "../agent/store/db.js";
import { ReadingStore } from "../agent/store/readings.js";
import { formatHj212Time } from "../agent/time.js";
import { RequestHandler } from "../agent/uplink/commands.js";
import { Outbox } from "../agent/uplink/outbox.js";
import { OverrideStore } from "../agent/uplink/overrides.js";
import { PlatformSession } from "../agent/uplink/session.js";
import { MN } from "../test/helpers/station.js";

export interface DownlinkAgentArgs { db: string; port: number; cap: number; tz: string }
export interface DownlinkAgentResult {
  rss0: number;
  rssPeak: number;
  /** Longest event-loop block, ms (the histogram's 10 ms resolution taken off). */
  blockMs: number;
  /** Live realtime packets: QN and when each was queued (wall-clock ms, comparable across processes). */
  live: Array<[string, number]>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const wallMs = () => performance.timeOrigin + performance.now();

async function main(args: DownlinkAgentArgs): Promise<void> {
  const db = openDb(args.db);
  const readings = new ReadingStore(db);
  const aggregates = new AggregateStore(db, readings, args.tz);
  const outbox = new Outbox(db, args.tz);
  const cfg = platformSchema.parse({ id: "city", host: "127.0.0.1", port: args.port, st: 22, pw: "123456", max_request_packets: args.cap });
  const handler = new RequestHandler({
    log: silentLogger, tz: args.tz, outbox, aggregates, overrides: new OverrideStore(db),
    lookup: (_a, c) => ({ code: `a${String(34000 + Number(c.slice(1)))}`, scale: 1, offset: 0 }),
  });
  const session = new PlatformSession(cfg, { outbox, events: new EventBus(), log: silentLogger, stationMn: MN, onRequest: (f, s) => handler.handle(f, s) });
  // As the agent runs it (agent/main.ts): the heap collected when it grew by 2 MB, looked at every 5 s.
  const heap = new HeapTrim({ log: silentLogger });
  heap.start();
  session.start();
  while (!session.connected) await sleep(20);

  // Live realtime packets every 200 ms; the parent times each from here to its arrival.
  const live: Array<[string, number]> = [];
  const liveTimer = setInterval(() => {
    const [p] = outbox.enqueue([{ platform: "city", cn: "2011", dataTime: Date.now(), cp: `DataTime=${formatHj212Time(Date.now(), args.tz)};a34000-Rtd=1,a34000-Flag=N`, ackRequired: true }]);
    live.push([p.qn, wallMs()]);
    session.kick();
  }, 200);

  let rss0 = 0;
  let rssPeak = 0;
  let sampler: NodeJS.Timeout | undefined;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  process.on("message", async (m: { type: string }) => {
    if (m.type === "measure") {
      live.length = 0; // only the packets queued while the request is answered
      // A station that has run a while has had full collections (the heap trim's, V8's own), and
      // V8 sets its limit for the next from what they left alive; a process just started has had
      // none, and V8 first lets its heap reach ~40 MB (measured here: the figure was 39.5 MB).
      (globalThis as { gc?: () => void }).gc?.();
      rss0 = rssPeak = process.memoryUsage.rss();
      sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage.rss())), 50);
      loop.enable();
      process.send!({ type: "measuring" });
    } else if (m.type === "stop") {
      loop.disable();
      clearInterval(sampler);
      clearInterval(liveTimer);
      heap.stop();
      await sleep(300); // the last live packets reach the platform
      const result: DownlinkAgentResult = { rss0, rssPeak, blockMs: Math.max(0, loop.max / 1e6 - 10), live };
      process.send!({ type: "result", result });
      await session.stop();
      db.close();
      process.disconnect();
    }
  });
  process.send!({ type: "ready" });
}

void main(JSON.parse(process.argv[2]) as DownlinkAgentArgs).catch((err) => {
  console.error(err);
  process.exit(1);
});
