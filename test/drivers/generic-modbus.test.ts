// generic-modbus: an instrument described only in the station YAML (registers and states keys), loaded
// and validated by the real config loader, served by the simulator from the same YAML, and polled
// through the real transport over Modbus TCP. Also the config checks around the new keys.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../config/load.js";
import { ConfigErrors } from "../../config/errors.js";
import { startSimulation } from "../../drivers/simulate.js";
import { probeOnce } from "../../agent/bus/poller.js";
import { tempDir } from "../helpers/station.js";
import { floatHex, wordsHex } from "./harness.js";
import { createTransport } from "../../agent/bus/transport.js";

const HEAD = `station: {name: Generic, mn: "010000A8900016F000169DC0"}\nstorage: {path: station.db}\nbuses: [{id: gw, type: tcp, host: 127.0.0.1, port: 1502, timeout_ms: 150}]\n`;

const FLOWMETER = `${HEAD}analyzers:
  - id: flow
    driver: generic-modbus
    bus: gw
    slave: 9
    retries: 0
    registers:
      - {channel: flow_rate, fc: 3, address: 0, type: float32, order: CDAB, unit: m3/h, code: w00000}
      - {channel: total, fc: 3, address: 2, type: uint32, unit: m3}
      - {channel: water_temp, fc: 4, address: 2, type: int16, scale: 0.1, unit: °C}
    states:
      - {state: fault, flag: D, fc: 3, address: 10, bit: 0}
      - {state: maintenance, flag: M, fc: 3, address: 11, equals: 2, mask: 0x000F}
      - {state: stopped, flag: F, fc: 2, address: 0, inverted: true}
    channels:
      total: {code: w00001}
`;

function load(yaml: string) {
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, "station.yaml"), yaml);
    return loadConfig(join(dir, "station.yaml")).config;
  } finally {
    cleanup();
  }
}

function problems(yaml: string): string {
  try {
    load(yaml);
  } catch (e) {
    assert.ok(e instanceof ConfigErrors, String(e));
    return e.message;
  }
  return assert.fail("the config should not load");
}

test("generic-modbus: a device configured in YAML, simulated and polled end to end", async () => {
  const config = load(FLOWMETER);
  const simConfig = structuredClone(config);
  (simConfig.buses[0] as { port: number }).port = 0;
  const sim = await startSimulation(simConfig, { seed: 1 });
  (config.buses[0] as { port: number }).port = Number(sim.endpoint("gw").split(":")[1]);
  const [analyzer] = config.analyzers;
  const t = createTransport(config.buses[0]);
  try {
    await t.open();
    const dev = sim.analyzer("flow");
    dev.set("flow_rate", 123.5);
    dev.set("total", 4_000_000);
    dev.set("water_temp", -1.5);
    assert.equal(wordsHex(await t.read(9, 3, 0, 4, 500)), floatHex(123.5, "CDAB") + "003d0900", "as the YAML says: CDAB float, ABCD uint32");
    let r = await probeOnce(analyzer, config.buses[0], { transport: t });
    assert.ok(r.ok, !r.ok ? r.error.message : "");
    const byChannel = Object.fromEntries(r.readings.map((x) => [x.channel, x]));
    assert.deepEqual([byChannel.flow_rate.value, byChannel.flow_rate.unit, byChannel.flow_rate.code], [123.5, "m3/h", "w00000"]);
    assert.deepEqual([byChannel.total.value, byChannel.total.code], [4_000_000, "w00001"]);
    assert.deepEqual([byChannel.water_temp.value, byChannel.water_temp.code, byChannel.water_temp.flag], [-1.5, "", "N"]);
    assert.equal(r.readings[0].source, "generic-modbus@1");
    for (const [state, flag] of [["fault", "D"], ["maintenance", "M"], ["stopped", "F"]] as const) {
      dev.force(state);
      r = await probeOnce(analyzer, config.buses[0], { transport: t });
      assert.deepEqual([r.readings[0].state, r.readings[0].flag], [state, flag]);
    }
    dev.force("maintenance");
    assert.deepEqual([...(await t.read(9, 3, 10, 2, 500))], [0, 2], "equals 2 under mask 0x000F");
    dev.force(null);
    assert.deepEqual([...(await t.read(9, 2, 0, 1, 500))], [true], "the inverted input is on when all is well");
    dev.dead();
    r = await probeOnce(analyzer, config.buses[0], { transport: t });
    assert.equal(r.ok, false);
    assert.deepEqual(r.readings.map((x) => x.flag), ["B", "B", "B"]);
  } finally {
    await t.close();
    await sim.stop();
  }
});

test("generic-modbus: the config says what is wrong, where", () => {
  const analyzer = (body: string) => `${HEAD}analyzers:\n  - id: x\n    bus: gw\n${body}`;
  assert.match(problems(analyzer("    driver: generic-modbus\n")), /station\.yaml:7:\d+: analyzers\[0\]\.driver: driver generic-modbus needs a registers list/);
  assert.match(
    problems(analyzer("    driver: teledyne-t400\n    registers: [{channel: a, address: 0}]\n")),
    /analyzers\[0\]\.registers.*registers is only for driver generic-modbus/s,
  );
  assert.match(
    problems(analyzer("    driver: generic-modbus\n    registers: [{channel: a, address: 0}]\n    channels: {b: {code: w00000}}\n")),
    /unknown channel "b" for driver generic-modbus.*\(its channels: a\)/s,
  );
  assert.match(
    problems(analyzer("    driver: generic-modbus\n    registers: [{channel: a, address: 0}, {channel: a, address: 4}]\n")),
    /"a" is not unique/,
  );
  assert.match(
    problems(analyzer("    driver: generic-modbus\n    registers: [{channel: a, address: 65535, type: float32}]\n")),
    /must fit in 0\.\.65535 with its length/,
  );
  assert.match(problems(analyzer("    driver: generic-modbus\n    registers: [{channel: a, address: 0}]\n    states: [{state: s, flag: D, fc: 3, address: 1}]\n")), /bit, equals or mask for a register state/);
  assert.match(problems(analyzer("    driver: generic-modbus\n    registers: [{channel: a, address: 0}]\n    states: [{state: s, flag: D, fc: 2, address: 1, bit: 3}]\n")), /no bit for a coil or discrete input/);
});

test("overrides in options are checked against the driver when the config loads", () => {
  const analyzer = (options: string) => `${HEAD}analyzers:\n  - {id: o3, driver: thermo-49i, bus: gw, options: ${options}}\n`;
  assert.equal(load(analyzer(`{"o3.address": 0, "*.fc": 4, address_offset: 0}`)).analyzers[0].options["*.fc"], 4);
  assert.match(problems(analyzer(`{"o4.address": 19}`)), /options\."o4\.address": driver thermo-49i has no channel "o4"/);
  assert.match(problems(analyzer(`{"o3.order": "ADCB"}`)), /options\."o3\.order" must be one of ABCD, CDAB, BADC, DCBA, got "ADCB"/);
  assert.match(problems(analyzer(`{"*.scale": 2}`)), /only \*\.fc and \*\.order apply to every field/);
  assert.match(problems(`${HEAD}analyzers:\n  - {id: w, driver: water-dbs, bus: gw, options: {factor: ph}}\n`), /options\.factor must be one of cod, codmn, nh3n, tp, tn/);
  assert.match(problems(`${HEAD}analyzers:\n  - {id: w, driver: water-dbs, bus: gw, options: {timezone: Mars/Olympus}}\n`), /options\.timezone must be an IANA zone/);
});
