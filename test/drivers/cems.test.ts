// sdl-scs900 (instruments.md §11.1) and fpi-cems2000 (§11.2): CEMS gas analyzers. SCS-900: ABCD floats
// from 0x0C, status bytes at 0x0A/0x0B (fault D > maintenance M > calibration C). CEMS-2000: CDAB floats
// at the vendor's numbers − 1, status a float code at 530 (2/3 C, 4/8/9/10 D, 5 M, 11 F).
import { test } from "node:test";
import assert from "node:assert/strict";
import { getModbusDriver } from "../../drivers/index.js";
import { f32, stationDriverSuite } from "./station-suite.js";
import { reading, wordsHex } from "./harness.js";

stationDriverSuite("sdl-scs900", {
  analyzer: { driver: "sdl-scs900" },
  pins: { so2: 42.5, no: 61.25, o2: 9.75, no2: 4.5, nox: 98.5 },
  expect: {
    so2: { value: 42.5, unit: "mg/m3", code: "a21026" },
    no: { value: 61.25, code: "a21003" },
    o2: { value: 9.75, unit: "%", code: "a19001" },
    no2: { value: 4.5, code: "a21004" },
    nox: { value: 98.5, code: "a21002" },
  },
  wire: [[4, 0x0c, 10, [42.5, 61.25, 9.75, 4.5, 98.5].map((v) => f32(v, "ABCD")).join("")]],
  more: async (rig) => {
    // The status bytes on the wire: fault code in 0x0A's high byte, working state in its low byte.
    const t = await rig.transport();
    rig.sim.analyzer("x").force("calibration-3");
    assert.equal(wordsHex(await t.read(5, 4, 0x0a, 2, 500)), "00030000");
    rig.sim.analyzer("x").force("fault");
    assert.equal(wordsHex(await t.read(5, 4, 0x0a, 1, 500)), "ff00");
    rig.sim.analyzer("x").force("maintenance");
    assert.deepEqual([reading(await rig.probe("x"), "so2").flag], ["M"]);
    rig.sim.analyzer("x").force(null);
  },
});

stationDriverSuite("fpi-cems2000", {
  analyzer: { driver: "fpi-cems2000", channels: { co: {} } },
  pins: { so2: 33.5, no: 55.25, o2: 10.5, humidity: 7.75, co: 18.5 },
  expect: {
    so2: { value: 33.5, unit: "mg/m3", code: "a21026" },
    no: { value: 55.25, code: "a21003" },
    o2: { value: 10.5, unit: "%", code: "a19001" },
    humidity: { value: 7.75, code: "a01014" },
    co: { value: 18.5, code: "a21005" },
  },
  wire: [[4, 306, 2, f32(33.5, "CDAB")], [4, 426, 2, f32(10.5, "CDAB")], [4, 486, 2, f32(7.75, "CDAB")]],
  more: async (rig) => {
    // The status is a float code at 530-531, low word first: maintenance 5.0 = 0x40A00000.
    const t = await rig.transport();
    rig.sim.analyzer("x").force("maintenance");
    assert.equal(wordsHex(await t.read(5, 4, 530, 2, 500)), f32(5, "CDAB"));
    rig.sim.analyzer("x").force("stopped");
    assert.equal(wordsHex(await t.read(5, 4, 530, 2, 500)), f32(11, "CDAB"));
    assert.equal(reading(await rig.probe("x"), "so2").flag, "F");
    rig.sim.analyzer("x").force(null);
    // NO2 is optional (disabled table only): not read unless listed.
    assert.ok(!(await rig.probe("x")).readings.some((r) => r.channel === "no2"));
  },
});

test("fpi-cems2000 status codes map as the logger driver does", () => {
  const d = getModbusDriver("fpi-cems2000")!;
  const code = (w: number) => Buffer.from([w >> 8, w & 0xff, 0, 0]).readFloatBE(0);
  const map = d.states.map((s) => [code((s as { equals: number }).equals), s.flag]);
  assert.deepEqual(map, [[2, "C"], [3, "C"], [4, "D"], [8, "D"], [9, "D"], [10, "D"], [5, "M"], [11, "F"]]);
});
