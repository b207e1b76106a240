// Bus figures for `npm run bench` (scripts/bench.ts adds them to its report). Six T400 analyzers on a
// timing-accurate RTU line (drivers/sim/timed-rtu.ts over a socat pty pair): 9600 baud 8E1, i.e. 11 bits
// a character, t3.5 kept by the slaves' clock, 10–20 ms turnaround, real modbus-serial frames. Measured:
// - cycle time vs the physical minimum of the same requests (Σ request + response bytes × 11/baud +
//   2 × t3.5 + turnaround, with the turnarounds the simulator drew), polling as fast as configured;
// - requests per station cycle on the wire vs the coalescing optimum (an exhaustive search);
// - readings/s vs a naive poller sending one request per field and state item, same line, same run;
// - with slave 6 dead, the poll rate the other five keep, vs the run where all answer.
import { configSchema, type RtuBusConfig, type StationConfig } from "../config/schema.js";
import { getModbusDriver } from "../drivers/index.js";
import { SimulatedDevice } from "../drivers/simulate.js";
import { serveTimedRtu, type LineFrame } from "../drivers/sim/timed-rtu.js";
import { BusPoller } from "../agent/bus/poller.js";
import { planAnalyzer, type AnalyzerPlan } from "../agent/bus/readings.js";
import { DEFAULT_GROUPING } from "../agent/bus/plan.js";
import { rtuReadMinMs } from "../agent/bus/timing.js";
import { createTransport } from "../agent/bus/transport.js";
import { openPtyPair, socatMissing } from "../test/helpers/pty.js";
import { optimalRequestCount } from "../test/helpers/optimal-plan.js";
import { benchRealStationLine } from "./bench-real-line.js";

export interface BusBenchResult {
  name: string;
  value: number;
  unit: string;
  op: ">=" | "<=" | "info";
  target: number | null;
  met: boolean | null;
}

const SLAVES = [1, 2, 3, 4, 5, 6];
const TURNAROUND: [number, number] = [10, 20];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function station(path: string): StationConfig {
  return configSchema.parse({
    station: { name: "bench", mn: "STATIONAGENTBENCH1" },
    storage: { path: ":memory:" },
    buses: [{ id: "rs485", type: "rtu", path, baud: 9600, parity: "even", timeout_ms: 200 }],
    // interval 0.1 s (the schema's least): "as fast as configured" saturates the line.
    analyzers: SLAVES.map((s) => ({ id: `a${s}`, driver: "teledyne-t400", bus: "rs485", slave: s, interval_s: 0.1, retries: 1 })),
  });
}

interface Run {
  frames: LineFrame[];
  /** Good polls that ended inside the measuring window: when, and how many values they gave. */
  completions: Array<{ analyzer: string; at: number; readings: number }>;
  windowStart: number;
  windowEnd: number;
  /** Successful polls over the whole run, per analyzer, and when the last one ended (performance.now()). */
  okPolls: Map<string, number>;
  lastOkAt: Map<string, number>;
}

type Poll = (config: StationConfig, count: (analyzer: string, readings: number) => void, until: () => boolean) => Promise<void>;

/** Runs one poller on a fresh timed line; counts inside [warm-up, end]. */
async function run(poll: Poll, seconds: { warm: number; measure: number }, dead?: number): Promise<Run> {
  const pty = await openPtyPair();
  const t400 = getModbusDriver("teledyne-t400")!;
  const devices = new Map(SLAVES.map((s) => [s, new SimulatedDevice(t400, { seed: s })]));
  if (dead) devices.get(dead)!.dead(true);
  const sim = await serveTimedRtu(devices, { path: pty.a, baud: 9600, parity: "even", dataBits: 8, stopBits: 1, turnaroundMs: TURNAROUND, seed: 42 });
  const config = station(pty.b);
  const started = Date.now();
  const windowStart = started + seconds.warm * 1000;
  const windowEnd = windowStart + seconds.measure * 1000;
  const r: Run = { frames: [], completions: [], okPolls: new Map(), lastOkAt: new Map(), windowStart, windowEnd };
  const add = (m: Map<string, number>, k: string, n: number) => m.set(k, (m.get(k) ?? 0) + n);
  try {
    await poll(
      config,
      (analyzer, n) => {
        const now = Date.now();
        add(r.okPolls, analyzer, 1);
        r.lastOkAt.set(analyzer, performance.now());
        if (now >= windowStart && now <= windowEnd) r.completions.push({ analyzer, at: performance.now(), readings: n });
      },
      () => Date.now() >= windowEnd,
    );
  } finally {
    r.frames = [...sim.frames];
    await sim.close();
    await pty.close();
  }
  return r;
}

/** Our poller: the BusPoller the agent runs. */
const ours: Poll = async (config, count, until) => {
  const poller = new BusPoller(config.buses[0], config.analyzers, {
    onReadings: (rs) => {
      if (rs[0].flag !== "B") count(rs[0].analyzer, rs.filter((x) => x.value !== null).length);
    },
  });
  await poller.start();
  while (!until()) await sleep(50);
  await poller.stop();
};

/** A naive poller: round robin over the analyzers, one request per field or state item, same transport. */
const naive: Poll = async (config, count, until) => {
  const t = createTransport(config.buses[0]);
  await t.open();
  const plans = config.analyzers.map((a) => planAnalyzer(a, getModbusDriver(a.driver)!));
  try {
    while (!until()) {
      for (const plan of plans) {
        let ok = true;
        for (const item of plan.requests.flatMap((q) => q.items)) {
          try {
            await t.read(plan.analyzer.slave, item.fc, item.address, item.length, 200);
          } catch {
            ok = false;
          }
        }
        if (ok) count(plan.analyzer.id, plan.fields.length);
      }
    }
  } finally {
    await t.close();
  }
};

const inWindow = (r: Run) => r.frames.filter((f) => f.answeredAt !== undefined && f.arrivedAt >= performanceAt(r.windowStart) && f.arrivedAt <= performanceAt(r.windowEnd));
/** Wall-clock ms to the performance.now() scale the simulator stamps frames with. */
const performanceAt = (wall: number) => wall - Date.now() + performance.now();
const sum = (xs: Iterable<number>) => [...xs].reduce((a, b) => a + b, 0);

/**
 * Readings/s from poll completions: the values delivered after the first completion over the time to
 * the last. Rates from whole polls counted in a fixed window would be off by up to one poll (±15 %
 * over a few seconds); between completions they are not.
 */
function readingRate(done: Run["completions"]): number {
  if (done.length < 2) return 0;
  return (sum(done.slice(1).map((c) => c.readings)) * 1000) / (done.at(-1)!.at - done[0].at);
}

/** Polls/s of one analyzer, from its completions. */
function pollRate(r: Run, analyzer: string): number {
  const done = r.completions.filter((c) => c.analyzer === analyzer);
  return done.length < 2 ? 0 : ((done.length - 1) * 1000) / (done.at(-1)!.at - done[0].at);
}

export async function benchBus(quick: boolean): Promise<BusBenchResult[]> {
  const missing = socatMissing();
  if (missing) {
    console.warn(`bus benchmark skipped: ${missing}`);
    return [];
  }
  const results: BusBenchResult[] = [];
  const record = (name: string, value: number, unit: string, op: BusBenchResult["op"], target: number | null) => {
    const met = op === ">=" ? value >= target! : op === "<=" ? value <= target! : null;
    results.push({ name, value: Math.round(value * 100) / 100, unit, op, target, met });
  };
  // Whole polls are counted, so the window must hold several cycles (~1.2 s each) for stable ratios.
  const seconds = quick ? { warm: 1.5, measure: 8 } : { warm: 3, measure: 20 };

  const plans: AnalyzerPlan[] = station("/dev/null").analyzers.map((a) => planAnalyzer(a, getModbusDriver(a.driver)!));
  const bus = station("/dev/null").buses[0] as RtuBusConfig;
  const planned = sum(plans.map((p) => p.requests.length));
  const optimum = sum(plans.map((p) => optimalRequestCount(p.requests.flatMap((q) => q.items), { ...DEFAULT_GROUPING, mapped: p.driver.mapped })));
  const cycleMinMs = sum(plans.flatMap((p) => p.requests.map((q) => rtuReadMinMs(bus, q.fc, q.count, (TURNAROUND[0] + TURNAROUND[1]) / 2))));

  const a = await run(ours, seconds);
  const frames = inWindow(a);
  // Measured: from the first request of the window to the last; physical: the least those exchanges take.
  const measuredMs = frames.at(-1)!.arrivedAt - frames[0].arrivedAt;
  const physicalMs = sum(frames.slice(0, -1).map((f) => f.physicalMs));
  // Requests each analyzer's completed polls put on the wire (a poll cut short by the end is left out).
  const perPoll = (s: number) => a.frames.filter((f) => f.slave === s && f.arrivedAt <= a.lastOkAt.get(`a${s}`)!).length / a.okPolls.get(`a${s}`)!;
  const onWire = sum(SLAVES.map(perPoll));
  const cycleMs = measuredMs / ((frames.length - 1) / planned);
  const oursRate = readingRate(a.completions);

  const n = await run(naive, seconds);
  const naiveRate = readingRate(n.completions);

  const d = await run(ours, seconds, 6);
  const kept = SLAVES.slice(0, 5).map((s) => pollRate(d, `a${s}`) / pollRate(a, `a${s}`));

  record("bus-rtu-cycle-physical-min", cycleMinMs, "ms", "info", null);
  record("bus-rtu-cycle-measured", cycleMs, "ms", "info", null);
  record("bus-rtu-cycle-vs-physical", measuredMs / physicalMs, "x of physical", "<=", 1.1);
  record("bus-rtu-requests-per-cycle", onWire, "requests", "<=", optimum);
  record("bus-rtu-readings-per-s", oursRate, "readings/s", "info", null);
  record("bus-rtu-naive-readings-per-s", naiveRate, "readings/s", "info", null);
  record("bus-rtu-vs-naive-ratio", oursRate / naiveRate, "x of naive", ">=", 2.4);
  record("bus-rtu-dead-slave-neighbour-rate", Math.min(...kept) * 100, "% (worst of 5)", ">=", 90);
  // A real station's line: 42i, 43i, 48i, WXT530 and a Yosemitech probe at their natural intervals.
  results.push(...(await benchRealStationLine(quick)));
  return results;
}
