// What the per-driver tests share: a station with the analyzers under test, served by the simulator
// built from their definitions, and polled through the real transport (modbus-serial) over Modbus TCP
// on loopback or Modbus RTU on a socat pty pair (style.md §3: real parts, one suite on both).
import type { TestContext } from "node:test";
import assert from "node:assert/strict";
import { configSchema, type AnalyzerConfig, type BusConfig, type StationConfig } from "../../config/schema.js";
import { startSimulation, type Simulation, type SimulatedDevice } from "../../drivers/simulate.js";
import { getModbusDriver } from "../../drivers/index.js";
import { probeOnce, type ProbeResult } from "../../agent/bus/poller.js";
import { createTransport, type Transport } from "../../agent/bus/transport.js";
import { FLAG_PRECEDENCE } from "../../drivers/types.js";
import type { Reading } from "../../agent/types.js";
import { openPtyPair, socatMissing, type PtyPair } from "../helpers/pty.js";

export interface DriverRig {
  config: StationConfig;
  bus: BusConfig;
  sim: Simulation;
  analyzer(id: string): AnalyzerConfig;
  /** The simulated slave of an analyzer (SimulatedDevice: sample times, the tables themselves). */
  device(id: string): SimulatedDevice;
  /** One poll through the real transport (the rig's one master on the line). */
  probe(id: string): Promise<ProbeResult>;
  /** The rig's transport on the line, opened once; closed by stop(). A serial line has one master. */
  transport(): Promise<Transport>;
  stop(): Promise<void>;
}

export type Line = "tcp" | "rtu";

/**
 * Why an RTU test cannot run here, or null. With CI=true a missing socat fails the run instead
 * (the RTU half must never pass by being skipped where it is required).
 */
export function rtuUnavailable(): string | null {
  const missing = socatMissing();
  if (missing && process.env.CI === "true") throw new Error(`CI=true and ${missing}`);
  return missing;
}

/** Skips the test with the reason when the RTU line cannot be made; true when it can run. */
export function canRunRtu(t: TestContext): boolean {
  const reason = rtuUnavailable();
  if (reason) t.skip(reason);
  return reason === null;
}

/** Starts the simulator for `analyzers` (each `bus: line` is filled in) on a TCP or RTU line. */
export async function driverRig(line: Line, analyzers: Array<Record<string, unknown>>): Promise<DriverRig> {
  const pty: PtyPair | null = line === "rtu" ? await openPtyPair() : null;
  const busRaw =
    line === "tcp"
      ? { id: "line", type: "tcp", host: "127.0.0.1", port: 1502, timeout_ms: 150 }
      : { id: "line", type: "rtu", path: pty!.b, baud: 38400, timeout_ms: 150 };
  const config = configSchema.parse({
    station: { name: "driver test", mn: "STATIONAGENTTEST01" },
    storage: { path: ":memory:" },
    buses: [busRaw],
    analyzers: analyzers.map((a) => ({ bus: "line", interval_s: 0.1, retries: 0, ...a })),
  });
  const simConfig = structuredClone(config);
  if (line === "tcp") (simConfig.buses[0] as { port: number }).port = 0;
  else (simConfig.buses[0] as { path: string }).path = pty!.a;
  let sim: Simulation;
  try {
    sim = await startSimulation(simConfig, { seed: 7 });
  } catch (e) {
    await pty?.close();
    throw e;
  }
  if (line === "tcp") (config.buses[0] as { port: number }).port = Number(sim.endpoint("line").split(":")[1]);
  const bus = config.buses[0];
  let shared: Promise<Transport> | null = null;
  const transport = () =>
    (shared ??= (async () => {
      const t = createTransport(bus);
      await t.open();
      return t;
    })());
  const analyzer = (id: string) => {
    const a = config.analyzers.find((x) => x.id === id);
    if (!a) throw new Error(`no analyzer ${id}`);
    return a;
  };
  return {
    config,
    bus,
    sim,
    analyzer,
    device: (id) => sim.bus("line").device(analyzer(id).slave),
    probe: async (id) => probeOnce(analyzer(id), bus, { transport: await transport() }),
    transport,
    async stop() {
      if (shared) await (await shared).close().catch(() => {});
      await sim.stop();
      await pty?.close();
    },
  };
}

/** The reading of a channel in a probe, which must be there. */
export function reading(r: ProbeResult, channel: string): Reading {
  const got = r.readings.find((x) => x.channel === channel);
  assert.ok(got, `no reading for ${channel} (have ${r.readings.map((x) => x.channel).join(", ")})`);
  return got;
}

/**
 * Forces every state the driver maps, one at a time, and checks the probe reports it with its flag;
 * then no state (ok/N), and a dead slave (every channel B, value null).
 */
export async function checkStatesAndDeadSlave(rig: DriverRig, id: string): Promise<void> {
  const def = getModbusDriver(rig.analyzer(id).driver)!;
  const dev = rig.sim.analyzer(id);
  for (const s of def.states) {
    dev.force(s.state);
    const r = await rig.probe(id);
    assert.ok(r.ok, `${s.state}: ${!r.ok && r.error.message}`);
    assert.ok(r.ok && r.state.active.includes(s.state), `${s.state} is active`);
    // Several active states resolve to the first flag in F > D > M > C > T; one forced state is alone.
    assert.equal(r.readings[0].state, s.state);
    assert.equal(r.readings[0].flag, s.flag, `${s.state} → ${s.flag}`);
    assert.ok([...FLAG_PRECEDENCE, "N"].includes(r.readings[0].flag));
  }
  dev.force(null);
  const ok = await rig.probe(id);
  assert.ok(ok.ok);
  // No flagged state: "ok", or the state that only names the working state (a water analyzer idle: status 0).
  const informational = ["ok", ...def.states.filter((s) => s.flag === "N").map((s) => s.state)];
  assert.ok(informational.includes(ok.readings[0].state), ok.readings[0].state);
  assert.equal(ok.readings[0].flag, "N");
  dev.dead();
  const dead = await rig.probe(id);
  assert.equal(dead.ok, false);
  assert.ok(dead.readings.length > 0);
  for (const x of dead.readings) assert.deepEqual([x.flag, x.state, x.value], ["B", "no-answer", null]);
  dev.dead(false);
}

/** Big-endian hex of one float32 in ABCD, and the same value's CDAB words. */
export function floatHex(v: number, order: "ABCD" | "CDAB"): string {
  const b = Buffer.alloc(4);
  b.writeFloatBE(v);
  const hex = b.toString("hex");
  return order === "ABCD" ? hex : hex.slice(4) + hex.slice(0, 4);
}

/** Registers as big-endian hex, as they travelled on the wire. */
export function wordsHex(words: Iterable<number>): string {
  return [...words].map((w) => w.toString(16).padStart(4, "0")).join("");
}
