// One suite, run twice (style.md §3): over Modbus TCP on loopback and over Modbus RTU on a socat pty
// pair, against the simulator built from the same driver definitions. Real sockets, real frames.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { configSchema, type AnalyzerConfig, type BusConfig, type StationConfig } from "../../../config/schema.js";
import { startSimulation, type Simulation } from "../../../drivers/simulate.js";
import { decode, encode } from "../../../drivers/codec.js";
import { createTransport } from "../../../agent/bus/transport.js";
import { BusPoller, probeOnce } from "../../../agent/bus/poller.js";
import { DeviceTimeoutError, ModbusExceptionError } from "../../../agent/bus/errors.js";
import type { Reading } from "../../../agent/types.js";
import { openPtyPair, socatMissing, type PtyPair } from "../../helpers/pty.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const T400 = (id: string, slave: number, extra: Record<string, unknown> = {}) =>
  ({ id, driver: "teledyne-t400", bus: "line", slave, interval_s: 0.25, timeout_ms: 100, retries: 1, ...extra }) as const;

interface Rig {
  bus: BusConfig;
  sim: Simulation;
  analyzer(id: string): AnalyzerConfig;
  /** Takes the line away and brings it back (TCP: server stopped; RTU: socat killed, like a USB replug). */
  outage(during: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

function parse(bus: Record<string, unknown>, analyzers: Array<Record<string, unknown>>): StationConfig {
  return configSchema.parse({
    station: { name: "test", mn: "STATIONAGENTTEST01" },
    storage: { path: ":memory:" },
    buses: [bus],
    analyzers,
  });
}

async function tcpRig(analyzers: Array<Record<string, unknown>>): Promise<Rig> {
  const config = parse({ id: "line", type: "tcp", host: "127.0.0.1", port: 1502, timeout_ms: 100 }, analyzers);
  const simConfig = structuredClone(config);
  (simConfig.buses[0] as { port: number }).port = 0; // any free port: tests run in parallel
  let sim = await startSimulation(simConfig, { seed: 1 });
  const port = Number(sim.endpoint("line").split(":")[1]);
  (config.buses[0] as { port: number }).port = port;
  (simConfig.buses[0] as { port: number }).port = port;
  return {
    bus: config.buses[0],
    get sim() {
      return sim;
    },
    analyzer: (id) => config.analyzers.find((a) => a.id === id)!,
    async outage(during) {
      await sim.stop();
      await during();
      sim = await startSimulation(simConfig, { seed: 1 });
    },
    stop: () => sim.stop(),
  };
}

async function rtuRig(analyzers: Array<Record<string, unknown>>): Promise<Rig> {
  const pty: PtyPair = await openPtyPair();
  const config = parse({ id: "line", type: "rtu", path: pty.b, baud: 38400, timeout_ms: 100 }, analyzers);
  const simConfig = structuredClone(config);
  (simConfig.buses[0] as { path: string }).path = pty.a;
  let sim = await startSimulation(simConfig, { seed: 1 });
  return {
    bus: config.buses[0],
    get sim() {
      return sim;
    },
    analyzer: (id) => config.analyzers.find((a) => a.id === id)!,
    async outage(during) {
      await pty.unplug();
      await sim.stop();
      await during();
      await pty.replug();
      sim = await startSimulation(simConfig, { seed: 1 });
    },
    async stop() {
      await sim.stop();
      await pty.close();
    },
  };
}

const byChannel = (rs: Reading[]) => Object.fromEntries(rs.map((r) => [r.channel, r]));

function transportSuite(kind: "tcp" | "rtu", makeRig: typeof tcpRig, skip: string | false) {
  describe(`bus over ${kind}`, () => {
    // Skip each test (not the suite) so the runner's summary counts them as skipped, with the reason.
    const opts = { skip };
    const withRig = async (analyzers: Array<Record<string, unknown>>, fn: (rig: Rig) => Promise<void>) => {
      const rig = await makeRig(analyzers);
      try {
        await fn(rig);
      } finally {
        await rig.stop();
      }
    };

    test("registers, bits and writes travel as the definition says", opts, () =>
      withRig([T400("o3", 1)], async (rig) => {
        const t = createTransport(rig.bus);
        await t.open();
        try {
          rig.sim.analyzer("o3").set("o3", 42.125);
          const words = await t.read(1, 4, 18, 2, 200);
          assert.deepEqual([...words], encode(42.125, "float32", "ABCD"));
          let bits = await t.read(1, 2, 19, 6, 200);
          assert.deepEqual(bits, [false, false, false, false, false, true], "only System OK (DI 24) is on");
          await t.write(1, 5, 20, [true], 200); // coil 20: enter zero calibration (instruments.md §1)
          bits = await t.read(1, 2, 20, 1, 200);
          assert.deepEqual(bits, [true], "the instrument is in zero cal while the coil is ON");
          await t.write(1, 16, 0, [0x4220, 0], 200);
          assert.deepEqual([...(await t.read(1, 3, 0, 2, 200))], [0x4220, 0]);
          const writes = rig.sim.analyzer("o3").writes();
          assert.deepEqual(writes.map((w) => [w.fc, w.address, w.values]), [[5, 20, [true]], [16, 0, [0x4220, 0]]]);
        } finally {
          await t.close();
        }
      }));

    test("T400 values decoded equal the simulator's values", opts, () =>
      withRig([T400("o3", 1)], async (rig) => {
        const sim = rig.sim.analyzer("o3");
        sim.set("o3", 37.5);
        sim.set("sample_flow", 801.25);
        const before = Date.now();
        const probe = await probeOnce(rig.analyzer("o3"), rig.bus);
        assert.ok(probe.ok, probe.ok ? "" : probe.error.message);
        const r = byChannel(probe.readings);
        assert.equal(r.o3.value, 37.5);
        assert.equal(r.sample_flow.value, 801.25);
        assert.equal(r.box_temp.value, sim.lastServed("box_temp"), "generated values too");
        assert.equal(r.o3_range2.value, sim.lastServed("o3_range2"));
        assert.deepEqual(
          { code: r.o3.code, unit: r.o3.unit, flag: r.o3.flag, state: r.o3.state, source: r.o3.source, analyzer: r.o3.analyzer },
          { code: "a05024", unit: "ppb", flag: "N", state: "ok", source: "teledyne-t400@1", analyzer: "o3" },
        );
        assert.equal(r.sample_flow.code, "");
        assert.deepEqual([...r.o3.raw!], [...Buffer.from(encode(37.5, "float32").flatMap((w) => [w >> 8, w & 0xff]))]);
        assert.equal(decode([r.o3.raw!.readUInt16BE(0), r.o3.raw!.readUInt16BE(2)], "float32"), 37.5);
        assert.ok(r.o3.ts >= before && r.o3.ts <= Date.now());
      }));

    test("forced states give their flags: zero → C, invalid → D, System OK off → D; D beats C", opts, () =>
      withRig([T400("o3", 1)], async (rig) => {
        const sim = rig.sim.analyzer("o3");
        const flagOf = async () => {
          const p = await probeOnce(rig.analyzer("o3"), rig.bus);
          return [p.readings[0].flag, p.readings[0].state, p.ok && p.state.active.join("+")];
        };
        sim.force("zero");
        assert.deepEqual(await flagOf(), ["C", "zero", "zero"]);
        sim.force("span");
        assert.deepEqual(await flagOf(), ["C", "span", "span"]);
        sim.force("invalid");
        assert.deepEqual(await flagOf(), ["D", "invalid", "invalid"]);
        sim.force("fault"); // clears DI 24, SYSTEM_OK
        assert.deepEqual(await flagOf(), ["D", "fault", "fault"]);
        sim.force(null);
        assert.deepEqual(await flagOf(), ["N", "ok", ""]);
        // Zero cal started by its coil, and a fault at the same time: F > D > M > C > T.
        const t = createTransport(rig.bus);
        await t.open();
        await t.write(1, 5, 20, [true], 200);
        await t.close();
        assert.deepEqual(await flagOf(), ["C", "zero", "zero"]);
        sim.force("fault");
        assert.deepEqual(await flagOf(), ["D", "fault", "zero+fault"]);
      }));

    test("a silent slave times out, an exception is typed, both become B readings", opts, () =>
      withRig([T400("o3", 1), T400("o3b", 2)], async (rig) => {
        const t = createTransport(rig.bus);
        await t.open();
        try {
          rig.sim.analyzer("o3").dead(true);
          await assert.rejects(t.read(1, 4, 18, 2, 100), (e: unknown) => e instanceof DeviceTimeoutError && e.timeout && e.slave === 1 && e.bus === "line");
          rig.sim.analyzer("o3b").exception(4);
          await assert.rejects(t.read(2, 4, 18, 2, 100), (e: unknown) => e instanceof ModbusExceptionError && e.exception && e.code === 4 && e.slave === 2);
        } finally {
          await t.close();
        }
        for (const id of ["o3", "o3b"]) {
          const p = await probeOnce(rig.analyzer(id), rig.bus);
          assert.equal(p.ok, false);
          assert.ok(p.readings.length > 0 && p.readings.every((r) => r.flag === "B" && r.state === "no-answer" && r.value === null && r.raw === null));
        }
      }));

    test("a slow slave times out, and its late answer is never taken for the next one", opts, () =>
      withRig([T400("o3", 1), T400("o3b", 2)], async (rig) => {
        const t = createTransport(rig.bus);
        await t.open();
        try {
          const o3 = rig.sim.analyzer("o3");
          o3.set("o3", 11);
          o3.delay(115); // 15 ms late: the answer arrives while the master keeps the line quiet
          await assert.rejects(t.read(1, 4, 18, 2, 100), (e: unknown) => e instanceof DeviceTimeoutError);
          // Let the late answer land whatever the machine's load (the simulator shares this event
          // loop): it must be thrown away before the next request, not taken as its answer.
          await sleep(150);
          o3.delay(0);
          o3.set("o3", 22);
          assert.equal(decode(await t.read(1, 4, 18, 2, 100), "float32"), 22, "fresh answer, not the late one");
          o3.delay(60); // a 200 ms timeout leaves room for a loaded 2-core CI machine
          assert.equal(decode(await t.read(1, 4, 18, 2, 200), "float32"), 22, "slow but in time");
          rig.sim.analyzer("o3b").set("o3", 33);
          assert.equal(decode(await t.read(2, 4, 18, 2, 100), "float32"), 33);
        } finally {
          await t.close();
        }
      }));

    test("a dead slave gives B readings at its interval; its neighbour is still polled at its rate", opts, () =>
      withRig([T400("o3", 1), T400("o3b", 2)], async (rig) => {
        rig.sim.analyzer("o3b").dead(true);
        const batches: Reading[][] = [];
        const poller = new BusPoller(rig.bus, [rig.analyzer("o3"), rig.analyzer("o3b")], { onReadings: (r) => batches.push(r), backoffMaxMs: 2000 });
        await poller.start();
        await sleep(2600);
        await poller.stop();
        const of = (id: string) => batches.filter((b) => b[0].analyzer === id);
        assert.ok(of("o3").length >= 8, `o3 polled ${of("o3").length} times in 2.6 s at 0.25 s`);
        assert.ok(of("o3").every((b) => b.every((r) => r.flag === "N" && r.value !== null)));
        assert.ok(of("o3b").length >= 8, `o3b gave ${of("o3b").length} batches`);
        assert.ok(of("o3b").every((b) => b.every((r) => r.flag === "B" && r.value === null)));
        const stats = poller.stats();
        assert.ok(stats.o3b.polls < stats.o3.polls / 2, `backed off: ${stats.o3b.polls} wire polls vs ${stats.o3.polls}`);
        assert.equal(stats.o3b.failures, stats.o3b.polls);
        assert.ok(stats.o3b.consecutiveFailures >= 2 && stats.o3b.lastOk === null);
        assert.ok(stats.o3.failures === 0 && stats.o3.lastOk !== null);
      }));

    test("config: disabled channels and analyzers are skipped, code overrides apply", opts, () =>
      withRig([T400("o3", 1, { channels: { o3: { code: "a05024x" }, o3_range2: { enabled: false } } }), T400("off", 2, { enabled: false })], async (rig) => {
        const batches: Reading[][] = [];
        const poller = new BusPoller(rig.bus, [rig.analyzer("o3"), rig.analyzer("off")], { onReadings: (r) => batches.push(r) });
        await poller.start();
        await sleep(400);
        await poller.stop();
        assert.ok(batches.length >= 1);
        assert.ok(batches.every((b) => b.every((r) => r.analyzer === "o3")));
        const r = byChannel(batches[0]);
        assert.equal(r.o3.code, "a05024x");
        assert.equal(r.o3_range2, undefined);
        assert.deepEqual(Object.keys(poller.stats()), ["o3"]);
      }));

    test("the line goes away and comes back: B readings meanwhile, then values again", opts, () =>
      withRig([T400("o3", 1)], async (rig) => {
        const batches: Reading[][] = [];
        const poller = new BusPoller(rig.bus, [rig.analyzer("o3")], { onReadings: (r) => batches.push(r), reconnectMinMs: 100, reconnectMaxMs: 200, backoffMaxMs: 500 });
        await poller.start();
        await sleep(400);
        await rig.outage(async () => {
          await sleep(800);
        });
        const cut = batches.length;
        await sleep(1500);
        await poller.stop();
        const flags = batches.map((b) => b[0].flag).join("");
        assert.match(flags, /^N+B+/, flags);
        assert.ok(batches.slice(cut).some((b) => b[0].flag === "N"), `recovered: ${flags}`);
        assert.equal(batches.at(-1)![0].flag, "N", flags);
      }));
  });
}

transportSuite("tcp", tcpRig, false);

const missing = socatMissing();
if (missing && process.env.CI === "true") {
  test("RTU suite needs socat in CI", () => assert.fail(missing));
} else {
  transportSuite("rtu", rtuRig, missing ?? false);
}
