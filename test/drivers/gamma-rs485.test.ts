// gamma-rs485 (instruments.md §4, a synthetic map) against its simulator over Modbus TCP: nGy/h and
// µSv/h ABCD floats at 0 and 2, status bits at 6 → D/T/C/M, command 0x20.
import { test } from "node:test";
import assert from "node:assert/strict";
import { getModbusDriver } from "../../drivers/index.js";
import { commandWrite, planAnalyzer } from "../../agent/bus/readings.js";
import { checkStatesAndDeadSlave, driverRig, floatHex, reading, wordsHex } from "./harness.js";

const driver = getModbusDriver("gamma-rs485")!;

test("gamma-rs485: dose rates read back exactly (ABCD at 0 and 2); no default code, one per channel in config", async () => {
  const rig = await driverRig("tcp", [
    { id: "g", driver: "gamma-rs485", slave: 1 },
    { id: "g2", driver: "gamma-rs485", slave: 2, channels: { dose_rate: { code: "g01001" } } },
  ]);
  try {
    const sim = rig.sim.analyzer("g");
    sim.set("dose_rate", 98.5);
    sim.set("dose_rate_usv", 0.125);
    sim.set("cpm", 1234);
    sim.set("detector_temp", -3.5);
    const r = await rig.probe("g");
    assert.ok(r.ok);
    assert.deepEqual([reading(r, "dose_rate").value, reading(r, "dose_rate").unit, reading(r, "dose_rate").code], [98.5, "nGy/h", ""]);
    assert.equal(reading(r, "dose_rate_usv").value, 0.125);
    assert.equal(reading(r, "cpm").value, 1234);
    assert.equal(reading(r, "detector_temp").value, -3.5);
    const t = await rig.transport();
    assert.equal(wordsHex(await t.read(1, 3, 0, 2, 500)), floatHex(98.5, "ABCD"));
    assert.equal(reading(await rig.probe("g2"), "dose_rate").code, "g01001");
  } finally {
    await rig.stop();
  }
});

test("gamma-rs485: status bits b2..b6 give D/T/C/M/D; a forced fault; a dead slave is B", async () => {
  const rig = await driverRig("tcp", [{ id: "g", driver: "gamma-rs485", slave: 1 }]);
  try {
    await checkStatesAndDeadSlave(rig, "g");
    const t = await rig.transport();
    rig.sim.analyzer("g").force("fault");
    assert.deepEqual([...(await t.read(1, 3, 6, 1, 500))], [0b100], "fault is bit 2");
    assert.equal(reading(await rig.probe("g"), "dose_rate").flag, "D");
    rig.sim.analyzer("g").force("over-range");
    assert.deepEqual([...(await t.read(1, 3, 6, 1, 500))], [0b1000], "over range is bit 3");
  } finally {
    await rig.stop();
  }
});

test("gamma-rs485: the self-test command writes 1 to 0x20 and the probe runs its self-test (C)", async () => {
  const rig = await driverRig("tcp", [{ id: "g", driver: "gamma-rs485", slave: 1 }]);
  try {
    const cmd = commandWrite(planAnalyzer(rig.analyzer("g"), driver), "self-test");
    assert.deepEqual(cmd, { fc: 6, address: 0x20, values: [1] });
    const t = await rig.transport();
    await t.write(1, cmd.fc, cmd.address, cmd.values, 500);
    const r = await rig.probe("g");
    assert.deepEqual([reading(r, "dose_rate").state, reading(r, "dose_rate").flag], ["self-test", "C"]);
  } finally {
    await rig.stop();
  }
});
