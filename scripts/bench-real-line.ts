// The real-station line for `npm run bench` (issue 13): one 9600-baud 8N1 RS-485 line with a Thermo 42i,
// 43i and 48i, a Vaisala WXT530 and a Yosemitech pH probe, each polled at its natural interval, on the
// timing-accurate RTU simulator (drivers/sim/timed-rtu.ts over a socat pty pair). The line is not
// saturated, so the cycle is measured per burst (the requests sent back to back when polls fall due
// together): first request to last request of the burst, against the physical least time of the same
// exchanges. Requests per poll on the wire are checked against the coalescing optimum.
import { configSchema, type StationConfig } from "../config/schema.js";
import { getModbusDriver } from "../drivers/index.js";
import { configureDriver } from "../drivers/configure.js";
import { SimulatedDevice } from "../drivers/simulate.js";
import { serveTimedRtu } from "../drivers/sim/timed-rtu.js";
import { BusPoller } from "../agent/bus/poller.js";
import { planAnalyzer } from "../agent/bus/readings.js";
import { DEFAULT_GROUPING } from "../agent/bus/plan.js";
import { openPtyPair, socatMissing } from "../test/helpers/pty.js";
import { optimalRequestCount } from "../test/helpers/optimal-plan.js";
import type { BusBenchResult } from "./bench-bus.js";

const TURNAROUND: [number, number] = [10, 20];
/** Frames closer than this (ms) after the previous answer belong to one burst. */
const BURST_GAP_MS = 30;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sum = (xs: Iterable<number>) => [...xs].reduce((a, b) => a + b, 0);

function station(path: string): StationConfig {
  return configSchema.parse({
    station: { name: "real station line", mn: "STATIONAGENTBENCH1" },
    storage: { path: ":memory:" },
    buses: [{ id: "rs485", type: "rtu", path, baud: 9600, parity: "none", timeout_ms: 300 }],
    // Natural intervals: gas analyzers average over ~10 s and are read every 5 s; the weather
    // transmitter every second (wind); the water probe every 10 s.
    analyzers: [
      { id: "nox", driver: "thermo-42i", bus: "rs485", slave: 1, interval_s: 5 },
      { id: "so2", driver: "thermo-43i", bus: "rs485", slave: 2, interval_s: 5 },
      { id: "co", driver: "thermo-48i", bus: "rs485", slave: 3, interval_s: 5 },
      { id: "met", driver: "vaisala-wxt530", bus: "rs485", slave: 4, interval_s: 1 },
      { id: "ph", driver: "yosemitech", bus: "rs485", slave: 5, interval_s: 10, options: { sensor: "ph" } },
    ],
  });
}

export async function benchRealStationLine(quick: boolean): Promise<BusBenchResult[]> {
  const missing = socatMissing();
  if (missing) {
    console.warn(`real-station line benchmark skipped: ${missing}`);
    return [];
  }
  const pty = await openPtyPair();
  const config = station(pty.b);
  const devices = new Map(config.analyzers.map((a) => [a.slave, new SimulatedDevice(configureDriver(a, getModbusDriver(a.driver)!), { seed: a.slave })]));
  const sim = await serveTimedRtu(devices, { path: pty.a, baud: 9600, parity: "none", dataBits: 8, stopBits: 1, turnaroundMs: TURNAROUND, seed: 13 });
  const polls = new Map<number, number>();
  const lastOkAt = new Map<number, number>();
  const poller = new BusPoller(config.buses[0], config.analyzers, {
    onReadings: (rs) => {
      if (rs[0].flag === "B") return;
      const slave = config.analyzers.find((a) => a.id === rs[0].analyzer)!.slave;
      polls.set(slave, (polls.get(slave) ?? 0) + 1);
      lastOkAt.set(slave, performance.now());
    },
  });
  // The first polls warm up the JIT and open the port: measured from 2 s on.
  let measureFrom = Infinity;
  try {
    await poller.start();
    measureFrom = performance.now() + 2000;
    await sleep((quick ? 14 : 42) * 1000);
    await poller.stop();
  } finally {
    await sim.close();
    await pty.close();
  }
  const frames = sim.frames.filter((f) => f.answeredAt !== undefined && f.arrivedAt >= measureFrom);
  // Bursts: back-to-back exchanges; measured from the first request to the last one, physical over all but the last.
  let measured = 0;
  let physical = 0;
  let burst: typeof frames = [];
  const close = () => {
    if (burst.length >= 2) {
      measured += burst.at(-1)!.arrivedAt - burst[0].arrivedAt;
      physical += sum(burst.slice(0, -1).map((f) => f.physicalMs));
    }
    burst = [];
  };
  for (const f of frames) {
    const prev = burst.at(-1);
    if (prev && f.arrivedAt - prev.answeredAt! > BURST_GAP_MS) close();
    burst.push(f);
  }
  close();
  const plans = config.analyzers.map((a) => planAnalyzer(a, getModbusDriver(a.driver)!));
  const optimum = sum(plans.map((p) => optimalRequestCount(p.requests.flatMap((q) => q.items), DEFAULT_GROUPING)));
  const perPoll = (slave: number) => sim.frames.filter((f) => f.slave === slave && f.arrivedAt <= (lastOkAt.get(slave) ?? 0)).length / (polls.get(slave) ?? Infinity);
  const onWire = sum(config.analyzers.map((a) => perPoll(a.slave)));
  const results: BusBenchResult[] = [];
  const record = (name: string, value: number, unit: string, op: BusBenchResult["op"], target: number | null) => {
    const met = op === ">=" ? value >= target! : op === "<=" ? value <= target! : null;
    results.push({ name, value: Math.round(value * 100) / 100, unit, op, target, met });
  };
  record("bus-real-station-cycle-vs-physical", physical > 0 ? measured / physical : Infinity, "x of physical", "<=", 1.1);
  record("bus-real-station-requests-per-cycle", onWire, "requests", "<=", optimum);
  record("bus-real-station-polls", sum(polls.values()), "polls", "info", null);
  return results;
}
