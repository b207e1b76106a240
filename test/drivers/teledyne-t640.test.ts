// teledyne-t640 (instruments.md §2) against its simulator over Modbus TCP: PM10 at IR 6 and PM2.5 at
// IR 8 as ABCD floats, flow and fault DIs → D, PM1 only when configured.
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkStatesAndDeadSlave, driverRig, floatHex, reading, wordsHex } from "./harness.js";

test("teledyne-t640: PM10/PM2.5 read back exactly, ABCD at IR 6 and 8", async () => {
  const rig = await driverRig("tcp", [{ id: "pm", driver: "teledyne-t640", slave: 1 }]);
  try {
    const sim = rig.sim.analyzer("pm");
    sim.set("pm10", 61.5);
    sim.set("pm25", 33.25);
    sim.set("sample_flow", 5);
    const r = await rig.probe("pm");
    assert.ok(r.ok);
    assert.deepEqual([reading(r, "pm10").value, reading(r, "pm10").code, reading(r, "pm10").unit], [61.5, "a34002", "µg/m³"]);
    assert.deepEqual([reading(r, "pm25").value, reading(r, "pm25").code], [33.25, "a34004"]);
    assert.equal(reading(r, "sample_flow").value, 5);
    assert.equal(reading(r, "pm25").raw!.toString("hex"), floatHex(33.25, "ABCD"), "high word first");
    const t = await rig.transport();
    assert.equal(wordsHex(await t.read(1, 4, 6, 4, 500)), floatHex(61.5, "ABCD") + floatHex(33.25, "ABCD"));
    assert.ok(!r.readings.some((x) => x.channel === "pm1"), "PM1 is an option: not read unless configured");
  } finally {
    await rig.stop();
  }
});

test("teledyne-t640: PM1 (IR 64) is read when the config lists it", async () => {
  const rig = await driverRig("tcp", [{ id: "pm", driver: "teledyne-t640", slave: 1, channels: { pm1: { code: "a34005" } } }]);
  try {
    rig.sim.analyzer("pm").set("pm1", 18.5);
    const r = await rig.probe("pm");
    assert.deepEqual([reading(r, "pm1").value, reading(r, "pm1").code], [18.5, "a34005"]);
  } finally {
    await rig.stop();
  }
});

test("teledyne-t640: flow and fault DIs flag D; a forced fault, an exception and a dead slave", async () => {
  const rig = await driverRig("tcp", [{ id: "pm", driver: "teledyne-t640", slave: 1 }]);
  try {
    await checkStatesAndDeadSlave(rig, "pm");
    rig.sim.analyzer("pm").force("fault");
    assert.deepEqual([reading(await rig.probe("pm"), "pm25").flag, reading(await rig.probe("pm"), "pm25").state], ["D", "fault"]);
    rig.sim.analyzer("pm").force(null);
    rig.sim.analyzer("pm").exception(4); // slave device failure
    const r = await rig.probe("pm");
    assert.equal(r.ok, false);
    assert.equal(reading(r, "pm25").flag, "B");
  } finally {
    await rig.stop();
  }
});
