// thermo-49i (instruments.md §1b, §7.0) against its simulator over Modbus TCP: CDAB floats at PDU =
// number − 1 (O3 at 0), FC03 by default and FC04 on request, SERVICE/ZERO/SPAN coils → M/C, write
// coils 101/102 at PDU 100/101; the printed numbers as an option (address_offset: 1).
import { test } from "node:test";
import assert from "node:assert/strict";
import { getModbusDriver } from "../../drivers/index.js";
import { configureDriver } from "../../drivers/configure.js";
import { commandWrite, planAnalyzer } from "../../agent/bus/readings.js";
import { checkStatesAndDeadSlave, driverRig, floatHex, reading, wordsHex } from "./harness.js";

const driver = getModbusDriver("thermo-49i")!;

test("thermo-49i: pinned values read back exactly, CDAB on the wire at address 0 (FC03)", async () => {
  const rig = await driverRig("tcp", [{ id: "o3", driver: "thermo-49i", slave: 3 }]);
  try {
    const sim = rig.sim.analyzer("o3");
    sim.set("o3", 41.25);
    sim.set("flow_a", 0.75);
    sim.set("bench_temp", 31.5);
    const r = await rig.probe("o3");
    assert.ok(r.ok, !r.ok ? r.error.message : "");
    assert.deepEqual([reading(r, "o3").value, reading(r, "o3").code, reading(r, "o3").unit], [41.25, "a05024", "ppb"]);
    assert.equal(reading(r, "flow_a").value, 0.75);
    assert.equal(reading(r, "bench_temp").value, 31.5);
    assert.equal(reading(r, "o3").raw!.toString("hex"), floatHex(41.25, "CDAB"), "low word first");
    // The map itself, without the driver's decoding: FC03 registers 0-1 ("1&2") hold 41.25 low word first.
    const t = await rig.transport();
    assert.equal(wordsHex(await t.read(3, 3, 0, 2, 500)), floatHex(41.25, "CDAB"));
  } finally {
    await rig.stop();
  }
});

test("thermo-49i: every mapped state gives its flag, SERVICE is M; a dead slave is B", async () => {
  const rig = await driverRig("tcp", [{ id: "o3", driver: "thermo-49i", slave: 1 }]);
  try {
    await checkStatesAndDeadSlave(rig, "o3");
    const flags = Object.fromEntries(driver.states.map((s) => [s.state, s.flag]));
    assert.deepEqual(flags, { service: "M", zero: "C", span: "C", "general-alarm": "D", "conc-alarm": "T" });
  } finally {
    await rig.stop();
  }
});

test("thermo-49i: a forced fault (general alarm) flags D, and the installer can ignore it", async () => {
  const rig = await driverRig("tcp", [
    { id: "a", driver: "thermo-49i", slave: 1 },
    { id: "b", driver: "thermo-49i", slave: 2, options: { "flag.general-alarm": "off" } },
  ]);
  try {
    rig.sim.analyzer("a").force("general-alarm");
    rig.sim.analyzer("b").force("general-alarm");
    assert.equal(reading(await rig.probe("a"), "o3").flag, "D");
    assert.deepEqual([reading(await rig.probe("b"), "o3").flag, reading(await rig.probe("b"), "o3").state], ["N", "ok"]);
  } finally {
    await rig.stop();
  }
});

test("thermo-49i: FC04 and a unit at the printed numbers are options, served and read alike", async () => {
  const rig = await driverRig("tcp", [
    { id: "fc4", driver: "thermo-49i", slave: 1, options: { "*.fc": 4 } },
    { id: "base1", driver: "thermo-49i", slave: 2, options: { address_offset: 1 } },
  ]);
  try {
    rig.sim.analyzer("fc4").set("o3", 12.5);
    rig.sim.analyzer("base1").set("o3", 13.5);
    assert.equal(reading(await rig.probe("fc4"), "o3").value, 12.5);
    assert.equal(reading(await rig.probe("base1"), "o3").value, 13.5);
    const t = await rig.transport();
    assert.equal(wordsHex(await t.read(1, 4, 0, 2, 500)), floatHex(12.5, "CDAB"), "FC04 serves the value");
    assert.equal(wordsHex(await t.read(2, 3, 1, 2, 500)), floatHex(13.5, "CDAB"), "offset 1: O3 at PDU 1, as printed");
    const base1 = configureDriver(rig.analyzer("base1"), driver);
    assert.equal(base1.fields.find((f) => f.channel === "o3")!.address, 1);
    assert.equal(base1.commands.zero.address, 101);
    assert.deepEqual(base1.states.map((s) => s.address), [3, 5, 6, 8, 9]);
    assert.deepEqual(driver.states.map((s) => s.address), [2, 4, 5, 7, 8], "default: coil number − 1");
  } finally {
    await rig.stop();
  }
});

test("thermo-49i: zero and span are coils 101/102 (PDU 100/101); the simulated instrument enters zero mode (C)", async () => {
  const rig = await driverRig("tcp", [{ id: "o3", driver: "thermo-49i", slave: 1 }]);
  try {
    const plan = planAnalyzer(rig.analyzer("o3"), driver);
    const t = await rig.transport();
    const on = commandWrite(plan, "zero");
    assert.deepEqual(on, { fc: 5, address: 100, values: [true] });
    await t.write(1, on.fc, on.address, on.values, 500);
    const r = await rig.probe("o3");
    assert.deepEqual([reading(r, "o3").state, reading(r, "o3").flag], ["zero", "C"]);
    const off = commandWrite(plan, "zero", { on: false });
    await t.write(1, off.fc, off.address, off.values, 500);
    assert.equal(reading(await rig.probe("o3"), "o3").flag, "N");
    assert.deepEqual(commandWrite(plan, "span"), { fc: 5, address: 101, values: [true] });
    assert.deepEqual(rig.sim.analyzer("o3").writes().map((w) => [w.fc, w.address, w.values]), [[5, 100, [true]], [5, 100, [false]]]);
  } finally {
    await rig.stop();
  }
});
