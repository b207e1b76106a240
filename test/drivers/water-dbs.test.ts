// water-dbs (instruments.md §3) against its simulator over Modbus TCP: CDAB result at 0x1008, the code
// from the factor option or register 0x1000, the sample time at 0x1005 as the reading's time and one
// stored reading per sample, status/alarm/fault words → flags, and commands written to 0x1200.
import { test } from "node:test";
import assert from "node:assert/strict";
import { getModbusDriver } from "../../drivers/index.js";
import { decodeBcdTime, encodeBcdTime } from "../../drivers/codec.js";
import { BusPoller } from "../../agent/bus/poller.js";
import { commandWrite, planAnalyzer } from "../../agent/bus/readings.js";
import type { Reading } from "../../agent/types.js";
import { checkStatesAndDeadSlave, driverRig, floatHex, reading, wordsHex } from "./harness.js";

const driver = getModbusDriver("water-dbs")!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** 2024-01-15 10:00:00 in Beijing. */
const SAMPLE = Date.UTC(2024, 0, 15, 2, 0, 0);

test("BCD time: YY MM | DD hh | mm ss in the instrument's zone; zero or non-BCD is no time", () => {
  assert.deepEqual(encodeBcdTime(SAMPLE, "Asia/Shanghai"), [0x2401, 0x1510, 0x0000]);
  assert.equal(decodeBcdTime([0x2401, 0x1510, 0x0000], "Asia/Shanghai"), SAMPLE);
  assert.equal(decodeBcdTime([0x2401, 0x1510, 0x0000], "UTC"), SAMPLE + 8 * 3600_000);
  assert.equal(decodeBcdTime([0, 0, 0], "Asia/Shanghai"), null);
  assert.equal(decodeBcdTime([0x240a, 0x1510, 0], "Asia/Shanghai"), null);
  assert.equal(decodeBcdTime([0x2413, 0x0110, 0], "Asia/Shanghai"), null, "month 13");
});

test("water-dbs: result CDAB at 0x1008; code from the factor register, or from the factor option", async () => {
  const rig = await driverRig("tcp", [
    { id: "auto", driver: "water-dbs", slave: 1 },
    { id: "tp", driver: "water-dbs", slave: 2, options: { factor: "tp" } },
    { id: "fixed", driver: "water-dbs", slave: 3, options: { factor: "cod" }, channels: { result: { code: "w01099" } } },
  ]);
  try {
    for (const id of ["auto", "tp", "fixed"]) rig.sim.analyzer(id).set("result", 12.75);
    let r = await rig.probe("auto");
    assert.ok(r.ok);
    assert.deepEqual([reading(r, "result").value, reading(r, "result").unit, reading(r, "result").code], [12.75, "mg/L", "w01018"]);
    assert.equal(reading(r, "result").raw!.toString("hex"), floatHex(12.75, "CDAB"));
    const t = await rig.transport();
    assert.equal(wordsHex(await t.read(1, 3, 0x1008, 2, 500)), floatHex(12.75, "CDAB"), "low word first on the wire");
    rig.sim.analyzer("auto").set("factor_code", 21003);
    assert.equal(wordsHex(await t.read(1, 3, 0x1000, 2, 500)), "520b0000", "int32 21003 = 0x0000520B, CDAB");
    r = await rig.probe("auto");
    assert.equal(reading(r, "result").code, "w21003", "NH3-N, from the register");
    assert.equal(reading(await rig.probe("tp"), "result").code, "w21011", "the option wins over the register (1018)");
    assert.equal(reading(await rig.probe("fixed"), "result").code, "w01099", "the channel's code wins over both");
  } finally {
    await rig.stop();
  }
});

test("water-dbs: the sample time is the reading's time, and a sample is stored once across polls", async () => {
  const rig = await driverRig("tcp", [{ id: "cod", driver: "water-dbs", slave: 1, interval_s: 0.1 }]);
  try {
    const dev = rig.device("cod");
    dev.setSampleTime("result", SAMPLE);
    rig.sim.analyzer("cod").set("result", 20.5);
    const t = await rig.transport();
    assert.equal(wordsHex(await t.read(1, 3, 0x1005, 3, 500)), "240115100000");
    const got: Reading[] = [];
    const poller = new BusPoller(rig.bus, rig.config.analyzers, { onReadings: (r) => got.push(...r) });
    await poller.start();
    try {
      await sleep(600);
      const next = SAMPLE + 3600_000;
      dev.setSampleTime("result", next);
      rig.sim.analyzer("cod").set("result", 21.5);
      await sleep(600);
    } finally {
      await poller.stop();
    }
    const results = got.filter((r) => r.channel === "result");
    assert.deepEqual(results.map((r) => [r.ts, r.value, r.code]), [[SAMPLE, 20.5, "w01018"], [SAMPLE + 3600_000, 21.5, "w01018"]]);
    assert.ok(got.filter((r) => r.channel === "factor_code").length >= 6, "channels without a sample time come every poll");
  } finally {
    await rig.stop();
  }
});

test("water-dbs: status, alarm and fault words give their flags; a dead slave is B", async () => {
  const rig = await driverRig("tcp", [{ id: "nh3n", driver: "water-dbs", slave: 1, options: { factor: "nh3n" } }]);
  try {
    await checkStatesAndDeadSlave(rig, "nh3n");
    const t = await rig.transport();
    for (const [state, word] of [["zero-check", 3], ["span-check", 4], ["standard-check", 2], ["calibrating", 19], ["maintenance", 10], ["fault", 1000]] as const) {
      rig.sim.analyzer("nh3n").force(state);
      assert.deepEqual([...(await t.read(1, 3, 0x1083, 1, 500))], [word], `${state} is status ${word}`);
    }
    rig.sim.analyzer("nh3n").force("over-range");
    assert.deepEqual([...(await t.read(1, 3, 0x1085, 1, 500))], [7]);
    rig.sim.analyzer("nh3n").force("device-fault");
    const r = await rig.probe("nh3n");
    assert.deepEqual([reading(r, "result").flag, reading(r, "result").state], ["D", "device-fault"]);
  } finally {
    await rig.stop();
  }
});

test("water-dbs: commands write their opcode to 0x1200; set-clock writes the BCD time after it", async () => {
  const rig = await driverRig("tcp", [{ id: "cod", driver: "water-dbs", slave: 4 }]);
  try {
    const plan = planAnalyzer(rig.analyzer("cod"), driver);
    const t = await rig.transport();
    const expected: Record<string, number> = { measure: 1, "standard-check": 2, "zero-check": 3, "span-check": 4, stop: 11, calibrate: 19 };
    for (const [name, value] of Object.entries(expected)) assert.deepEqual(commandWrite(plan, name), { fc: 6, address: 0x1200, values: [value] });
    const zero = commandWrite(plan, "zero-check");
    await t.write(4, zero.fc, zero.address, zero.values, 500);
    // The simulated instrument runs the zero check: status 3 → C.
    const r = await rig.probe("cod");
    assert.deepEqual([reading(r, "result").state, reading(r, "result").flag], ["zero-check", "C"]);
    const now = Date.UTC(2025, 5, 30, 23, 59, 58);
    const clock = commandWrite(plan, "set-clock", { now });
    assert.deepEqual(clock, { fc: 16, address: 0x1200, values: [13, 0x2507, 0x0107, 0x5958] });
    await t.write(4, clock.fc, clock.address, clock.values, 500);
    const writes = rig.sim.analyzer("cod").writes().map((w) => [w.fc, w.address, w.values]);
    assert.deepEqual(writes, [[6, 0x1200, [3]], [16, 0x1200, [13, 0x2507, 0x0107, 0x5958]]]);
    assert.throws(() => commandWrite(plan, "dance"), /no command "dance"/);
  } finally {
    await rig.stop();
  }
});

test("water-dbs: a factor that is not one of cod, codmn, nh3n, tp, tn is refused", () => {
  assert.throws(
    () => planAnalyzer({ id: "x", driver: "water-dbs", bus: "b", slave: 1, interval_s: 1, retries: 0, enabled: true, channels: {}, options: { factor: "ph" } }, driver),
    /options\.factor must be one of cod, codmn, nh3n, tp, tn, got "ph"/,
  );
});
