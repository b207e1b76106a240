// Met One BAM-1020 (ASCII) end to end over a socat pty pair: the simulator built from the definition
// on one end, the agent's poller and probe on the other, through the same Driver/poller interface.
import { test } from "node:test";
import assert from "node:assert/strict";
import { configSchema, type StationConfig } from "../../config/schema.js";
import { startSimulation } from "../../drivers/simulate.js";
import { AsciiSimDevice } from "../../drivers/sim/ascii.js";
import bam from "../../drivers/metone-bam1020.js";
import { BusPoller, probeOnce } from "../../agent/bus/poller.js";
import { BadResponseError, DeviceTimeoutError } from "../../agent/bus/errors.js";
import { BusSetupError, connectBus } from "../../agent/bus/line.js";
import { parseRecord } from "../../agent/bus/ascii.js";
import type { Reading } from "../../agent/types.js";
import { openPtyPair, socatMissing } from "../helpers/pty.js";

const skip = socatMissing() ?? false;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function station(path: string, analyzer: Record<string, unknown> = {}): StationConfig {
  return configSchema.parse({
    station: { name: "t", mn: "STATIONAGENTTEST01" },
    storage: { path: ":memory:" },
    buses: [{ id: "bam-line", type: "rtu", path, baud: 9600, timeout_ms: 300 }],
    analyzers: [{ id: "pm25", driver: "metone-bam1020", bus: "bam-line", interval_s: 0.2, retries: 0, ...analyzer }],
  });
}

async function rig(analyzer: Record<string, unknown> = {}) {
  const pty = await openPtyPair();
  const config = station(pty.b, analyzer);
  const sim = await startSimulation(station(pty.a, analyzer), { seed: 3 });
  const device = sim.analyzer("pm25");
  return {
    config,
    device,
    probe: () => probeOnce(config.analyzers[0], config.buses[0]),
    async stop() {
      await sim.stop();
      await pty.close();
    },
  };
}

const byChannel = (rs: Reading[]) => Object.fromEntries(rs.map((r) => [r.channel, r]));

test("a record parses by header name, whatever the column order; by position without a header", () => {
  const header = "Time,RH(%),Conc(mg/m3),Qtot(m3),E,U,M,I,L,R,N,F,P,D,C,T";
  const line = "2024-05-01 10:00:00,41,+0.042,0.701,0,0,1,0,0,0,0,0,0,0,0,0";
  const p = parseRecord(bam, ["*", header, line]);
  assert.equal(p.values.get("conc"), 42);
  assert.equal(p.values.get("rh"), 41);
  assert.ok(Number.isNaN(p.values.get("ws")!), "a column the record lacks is no value");
  assert.deepEqual(p.active, [{ state: "maintenance", flag: "M" }]);
  const [h, l] = new AsciiSimDevice(bam, { seed: 1 }).record();
  assert.deepEqual([...parseRecord(bam, [l]).values.keys()], [...parseRecord(bam, [h, l]).values.keys()]);
});

test("BAM-1020 over a pty: values in the instrument's unit × scale, raw line, flag N", { skip }, async () => {
  const r = await rig();
  try {
    r.device.set("conc", 42);
    r.device.set("at", 18.5);
    const p = await r.probe();
    assert.ok(p.ok, p.ok ? "" : p.error.message);
    const c = byChannel(p.readings);
    assert.equal(c.conc.value, 42);
    assert.equal(c.at.value, 18.5);
    assert.equal(c.rh.value, r.device.lastServed("rh"));
    assert.deepEqual({ unit: c.conc.unit, code: c.conc.code, flag: c.conc.flag, state: c.conc.state, source: c.conc.source }, { unit: "µg/m³", code: "a34004", flag: "N", state: "ok", source: "metone-bam1020@1" });
    assert.match(c.conc.raw!.toString("latin1"), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,0\.042,/);
  } finally {
    await r.stop();
  }
});

test("error letters map to flags: M → M, flow/tape → D; an override turns one off", { skip }, async () => {
  const r = await rig({ options: { "flag.tape-error": "off" } });
  try {
    const flagOf = async () => {
      const p = await r.probe();
      return [p.readings[0].flag, p.readings[0].state];
    };
    r.device.force("maintenance");
    assert.deepEqual(await flagOf(), ["M", "maintenance"]);
    r.device.force("flow-error");
    assert.deepEqual(await flagOf(), ["D", "flow-error"]);
    r.device.force("tape-error");
    assert.deepEqual(await flagOf(), ["N", "ok"], "options flag.tape-error: off");
    r.device.force(null);
    assert.deepEqual(await flagOf(), ["N", "ok"]);
  } finally {
    await r.stop();
  }
});

test("no answer → B readings (timeout); a garbled answer → B (bad response)", { skip }, async () => {
  const r = await rig();
  try {
    r.device.dead(true);
    let p = await r.probe();
    assert.equal(p.ok, false);
    assert.ok(!p.ok && p.error instanceof DeviceTimeoutError && p.error.timeout);
    assert.ok(p.readings.length === bam.fields.length && p.readings.every((x) => x.flag === "B" && x.value === null && x.state === "no-answer"));
    r.device.dead(false);
    r.device.exception(1);
    p = await r.probe();
    assert.ok(!p.ok && p.error instanceof BadResponseError, p.ok ? "" : p.error.message);
    assert.ok(p.readings.every((x) => x.flag === "B"));
  } finally {
    await r.stop();
  }
});

test("the bus poller drives it like any driver: readings at its interval, B while dead, values again", { skip }, async () => {
  const r = await rig();
  const batches: Reading[][] = [];
  const poller = new BusPoller(r.config.buses[0], r.config.analyzers, { onReadings: (rs) => void batches.push(rs), backoffMinMs: 200 });
  try {
    await poller.start();
    await sleep(700);
    r.device.dead(true);
    await sleep(900);
    r.device.dead(false);
    const end = Date.now() + 3000;
    while (batches.at(-1)?.[0].flag !== "N" && Date.now() < end) await sleep(50);
    await poller.stop();
    const flags = batches.map((b) => b[0].flag).join("");
    assert.match(flags, /^N{2,}B+N+$/, flags);
  } finally {
    await poller.stop();
    await r.stop();
  }
});

test("an ASCII instrument needs a serial line of its own", () => {
  const config = station("/dev/null");
  const tcp = { id: "bam-line", type: "tcp" as const, host: "127.0.0.1", port: 502, timeout_ms: 100 };
  assert.throws(() => connectBus(tcp, config.analyzers), (e: unknown) => e instanceof BusSetupError && e.busSetup);
  const neighbour = { ...config.analyzers[0], id: "o3", driver: "teledyne-t400", slave: 2 };
  assert.throws(() => connectBus(config.buses[0], [...config.analyzers, neighbour]), /needs the line to itself/);
});
