// The bus scheduler: TCP slaves in flight together, RTU requests one at a time with t3.5 kept (measured
// on the simulator side of a timed pty line), coalescing at the optimum, a dead slave isolated, and an
// unplugged adapter reopened by itself. Timing targets are in the bench; these assert behaviour.
import { test } from "node:test";
import assert from "node:assert/strict";
import { configSchema, type StationConfig } from "../../../config/schema.js";
import { startSimulation, SimulatedDevice } from "../../../drivers/simulate.js";
import { getModbusDriver } from "../../../drivers/index.js";
import { serveTimedRtu } from "../../../drivers/sim/timed-rtu.js";
import { createTransport, type BusLog } from "../../../agent/bus/transport.js";
import { BusPoller } from "../../../agent/bus/poller.js";
import { planReads, type ReadItem } from "../../../agent/bus/plan.js";
import { planAnalyzer } from "../../../agent/bus/readings.js";
import { bitsPerChar, t35Ms } from "../../../agent/bus/timing.js";
import type { Reading } from "../../../agent/types.js";
import { openPtyPair, socatMissing } from "../../helpers/pty.js";
import { optimalRequestCount } from "../../helpers/optimal-plan.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const skip = socatMissing() ?? false;
const T400 = (id: string, slave: number, extra: Record<string, unknown> = {}) => ({ id, driver: "teledyne-t400", bus: "line", slave, ...extra });
const t400 = getModbusDriver("teledyne-t400")!;

function station(bus: Record<string, unknown>, analyzers: Array<Record<string, unknown>>): StationConfig {
  return configSchema.parse({ station: { name: "t", mn: "STATIONAGENTTEST01" }, storage: { path: ":memory:" }, buses: [bus], analyzers });
}

function capture(): BusLog & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (msg: string) => void lines.push(`${level} ${msg}`);
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

test("t3.5 from the line format: 11 bits for 8E1 and 8N2, 10 for 8N1; 1.75 ms above 19200 baud", () => {
  const f = (baud: number, parity: "none" | "even", stop_bits: 1 | 2) => ({ baud, parity, data_bits: 8 as const, stop_bits });
  assert.equal(bitsPerChar(f(9600, "even", 1)), 11);
  assert.equal(bitsPerChar(f(9600, "none", 2)), 11);
  assert.equal(bitsPerChar(f(9600, "none", 1)), 10);
  assert.ok(Math.abs(t35Ms(f(9600, "even", 1)) - 4.0104) < 1e-3);
  assert.ok(Math.abs(t35Ms(f(19200, "even", 1)) - 2.0052) < 1e-3);
  assert.equal(t35Ms(f(38400, "even", 1)), 1.75);
  assert.equal(t35Ms(f(115200, "none", 1)), 1.75);
});

test("coalescing: planReads gives the optimal request count (independent search), T400 and random maps", () => {
  const plan = planAnalyzer(configSchema.shape.analyzers.unwrap().element.parse(T400("o3", 1)), t400);
  const items: ReadItem[] = plan.requests.flatMap((r) => r.items);
  assert.equal(plan.requests.length, optimalRequestCount(items, { maxRegisters: 125, maxBits: 2000, maxGap: 10, maxBitGap: 64, mapped: t400.mapped }));
  assert.deepEqual(plan.requests.map((q) => [q.fc, q.address, q.count]), [[2, 9, 18], [4, 0, 46]], "DI 9..26, IR 0..45 (over the mapped 24..37)");
  // Without the driver's span the 14-register gap is wider than max_gap 10: two input-register reads.
  assert.equal(optimalRequestCount(items, { maxRegisters: 125, maxBits: 2000, maxGap: 10, maxBitGap: 64 }), 3);
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
  for (let i = 0; i < 200; i++) {
    const random: ReadItem[] = Array.from({ length: 1 + rnd(20) }, () => ({ fc: (3 + rnd(2)) as 3 | 4, address: rnd(400), length: 1 + rnd(2) }));
    const from = rnd(400);
    const params = { maxRegisters: 10 + rnd(116), maxBits: 2000, maxGap: rnd(30), maxBitGap: 64, mapped: rnd(2) ? [{ fc: 4 as const, from, to: from + rnd(150) }] : undefined };
    assert.equal(planReads(random, params).length, optimalRequestCount(random, params), JSON.stringify({ random, params }));
  }
});

test("TCP: requests to two slow slaves are in flight together; to one slave, in order; max_in_flight 1 serializes", async () => {
  const config = station({ id: "line", type: "tcp", host: "127.0.0.1", port: 1502, timeout_ms: 1000 }, [T400("a", 1), T400("b", 2)]);
  (config.buses[0] as { port: number }).port = 0; // any free port: tests run in parallel
  const sim = await startSimulation(config, { seed: 1 });
  const [host, port] = sim.endpoint("line").split(":");
  (config.buses[0] as { port: number }).port = Number(port);
  try {
    sim.analyzer("a").delay(200);
    sim.analyzer("b").delay(200);
    const timed = async (maxInFlight: number | undefined, slaves: number[]) => {
      const t = createTransport({ id: "line", type: "tcp", host, port: Number(port), timeout_ms: 1000, max_in_flight: maxInFlight });
      await t.open();
      const started = performance.now();
      await Promise.all(slaves.map((s) => t.read(s, 4, 18, 2, 1000)));
      const ms = performance.now() - started;
      await t.close();
      return ms;
    };
    const concurrent = await timed(undefined, [1, 2]);
    assert.ok(concurrent < 350, `two slaves took ${concurrent.toFixed(0)} ms: not concurrent`);
    const sameSlave = await timed(undefined, [1, 1]);
    assert.ok(sameSlave >= 390, `one slave twice took ${sameSlave.toFixed(0)} ms: not in order`);
    const serialized = await timed(1, [1, 2]);
    assert.ok(serialized >= 390, `max_in_flight 1 took ${serialized.toFixed(0)} ms`);

    // The poller too: both analyzers' first polls (2 requests each, 200 ms a request) end together.
    const firstAt = new Map<string, number>();
    const started = Date.now();
    const poller = new BusPoller(config.buses[0], config.analyzers, {
      onReadings: (rs) => void (firstAt.has(rs[0].analyzer) || firstAt.set(rs[0].analyzer, Date.now() - started)),
    });
    await poller.start();
    while (firstAt.size < 2 && Date.now() - started < 5000) await sleep(20);
    await poller.stop();
    assert.ok(Math.max(...firstAt.values()) < 700, `first polls at ${[...firstAt.values()]} ms; together ~400, serialized ≥ 800`);
  } finally {
    await sim.stop();
  }
});

test("RTU: one request at a time, t3.5 of silence before every frame, the optimal requests per poll", { skip }, async () => {
  const pty = await openPtyPair();
  const line = { baud: 9600, parity: "even" as const, dataBits: 8 as const, stopBits: 1 as const };
  const devices = new Map([1, 2, 3].map((s) => [s, new SimulatedDevice(t400, { seed: s })]));
  const sim = await serveTimedRtu(devices, { path: pty.a, ...line, turnaroundMs: [10, 20] });
  const config = station({ id: "line", type: "rtu", path: pty.b, baud: 9600, parity: "even", timeout_ms: 300 }, [1, 2, 3].map((s) => T400(`o3-${s}`, s, { interval_s: 0.1 })));
  const poller = new BusPoller(config.buses[0], config.analyzers, { onReadings: () => {} });
  try {
    await poller.start();
    await sleep(1500);
    await poller.stop();
    const frames = sim.frames;
    assert.ok(frames.length >= 10, `${frames.length} frames`);
    const gaps = frames.slice(1).map((f) => f.gapBefore);
    const minGap = Math.min(...gaps);
    assert.ok(minGap >= sim.t35Ms - 0.01, `smallest silence ${minGap.toFixed(3)} ms < t3.5 ${sim.t35Ms.toFixed(3)} ms`);
    assert.ok(frames.every((f) => f.responseBytes > 0), "every request answered: none sent over another's answer");
    const stats = poller.stats();
    for (const s of [1, 2, 3]) {
      const polls = stats[`o3-${s}`].polls;
      const sent = frames.filter((f) => f.slave === s && f.answeredAt !== undefined).length;
      // 2 per poll (DI 9..26, IR 0..45); the last poll may have been cut by stop(): at most 2 requests short.
      assert.ok(sent >= 2 * polls && sent <= 2 * polls + 2, `slave ${s}: ${sent} requests for ${polls} polls (2 per poll)`);
    }
  } finally {
    await poller.stop();
    await sim.close();
    await pty.close();
  }
});

test("a dead slave among six: the other five keep (nearly) their poll rate", { skip }, async () => {
  const pty = await openPtyPair();
  const ids = [1, 2, 3, 4, 5, 6];
  const config = station({ id: "line", type: "rtu", path: pty.b, baud: 38400, timeout_ms: 100 }, ids.map((s) => T400(`a${s}`, s, { interval_s: 0.3 })));
  const simConfig = structuredClone(config);
  (simConfig.buses[0] as { path: string }).path = pty.a;
  const sim = await startSimulation(simConfig, { seed: 1 });
  sim.analyzer("a6").dead(true);
  const counts = new Map<string, number>();
  const poller = new BusPoller(config.buses[0], config.analyzers, {
    onReadings: (rs: Reading[]) => void (rs[0].flag === "N" && counts.set(rs[0].analyzer, (counts.get(rs[0].analyzer) ?? 0) + 1)),
  });
  try {
    const started = Date.now();
    await poller.start();
    await sleep(3000);
    await poller.stop();
    const expected = (Date.now() - started) / 300;
    for (const s of [1, 2, 3, 4, 5]) {
      const n = counts.get(`a${s}`) ?? 0;
      // ≥ 90 % of the configured rate, less two polls of slack for a loaded machine.
      assert.ok(n >= 0.9 * expected - 2, `a${s}: ${n} good polls, expected ~${expected.toFixed(1)}`);
    }
    assert.equal(counts.get("a6"), undefined);
    assert.ok(poller.stats().a6.polls <= 5, `dead slave probed ${poller.stats().a6.polls} times in 3 s (backed off)`);
  } finally {
    await sim.stop();
    await pty.close();
  }
});

test("USB adapter unplugged and replugged: the bus reopens by itself, with log lines", { skip }, async () => {
  const pty = await openPtyPair();
  const config = station({ id: "line", type: "rtu", path: pty.b, baud: 38400, timeout_ms: 100 }, [T400("o3", 1, { interval_s: 0.2 })]);
  const simConfig = structuredClone(config);
  (simConfig.buses[0] as { path: string }).path = pty.a;
  let sim = await startSimulation(simConfig, { seed: 1 });
  const log = capture();
  const flags: string[] = [];
  const poller = new BusPoller(config.buses[0], config.analyzers, { onReadings: (rs) => void flags.push(rs[0].flag), log, reconnectMinMs: 100, reconnectMaxMs: 200 });
  try {
    await poller.start();
    await sleep(500);
    await pty.unplug();
    await sim.stop();
    await sleep(700);
    await pty.replug();
    sim = await startSimulation(simConfig, { seed: 1 });
    const end = Date.now() + 4000;
    while (flags.at(-1) !== "N" && Date.now() < end) await sleep(50);
    await poller.stop();
    const lost = log.lines.findIndex((l) => l === "warn bus lost, reopening");
    assert.ok(lost >= 0, log.lines.join("\n"));
    assert.ok(log.lines.slice(lost + 1).includes("info bus open"), `reopened: ${log.lines.join("\n")}`);
    assert.match(flags.join(""), /^N+B+N+$/);
  } finally {
    await sim.stop();
    await pty.close();
  }
});
