// ysi-exo (instruments.md §10.2): the sonde's parameter list (options.params) places each value at
// 384 + 2i (CDAB floats); the list at 128.. is read back (a mismatch is D, no value); status 2 → D.
import { test } from "node:test";
import assert from "node:assert/strict";
import { getModbusDriver } from "../../drivers/index.js";
import { analyzerProblems } from "../../drivers/configure.js";
import { f32, stationDriverSuite } from "./station-suite.js";
import { reading } from "./harness.js";

stationDriverSuite("ysi-exo", {
  analyzer: { driver: "ysi-exo" },
  pins: { temperature: 17.5, specific_conductance: 432.5, ph: 7.25, odo: 8.5, turbidity: 3.75 },
  expect: {
    temperature: { value: 17.5, unit: "°C", code: "w01010" },
    specific_conductance: { value: 432.5, unit: "µS/cm", code: "w01014" },
    ph: { value: 7.25, code: "w01001" },
    odo: { value: 8.5, unit: "mg/L", code: "w01009" },
    turbidity: { value: 3.75, unit: "FNU", code: "w01003" },
  },
  // Codes 1, 7, 18, 212, 223 at 128..132; values from 384, low word first.
  wire: [[3, 128, 5, "00010007001200d400df"], [3, 384, 4, f32(17.5, "CDAB") + f32(432.5, "CDAB")]],
  more: async (rig) => {
    const sim = rig.sim.analyzer("x");
    // The sonde says pH is not available: D on pH only.
    sim.set("ph_status", 2);
    let r = await rig.probe("x");
    assert.deepEqual([reading(r, "ph").flag, reading(r, "ph").state, reading(r, "temperature").flag], ["D", "not-available", "N"]);
    sim.set("ph_status", null);
    // Someone reconfigured the sonde: position 2 now holds ORP (19), not pH. No pH value, D.
    sim.set("ph_param", 19);
    r = await rig.probe("x");
    assert.deepEqual([reading(r, "ph").value, reading(r, "ph").flag, reading(r, "ph").state], [null, "D", "param-mismatch"]);
    sim.set("ph_param", null);
  },
});

stationDriverSuite("ysi-exo with its own list", {
  analyzer: { driver: "ysi-exo", options: { params: "1/37/19" } },
  pins: { turbidity_ntu: 9.5, orp: 210.5 },
  expect: { turbidity_ntu: { value: 9.5, unit: "NTU", code: "" }, orp: { value: 210.5, unit: "mV" } },
  wire: [[3, 386, 2, f32(9.5, "CDAB")]],
  states: false,
});

test("ysi-exo: an unknown or repeated parameter code is a config problem", () => {
  const d = getModbusDriver("ysi-exo")!;
  assert.match(analyzerProblems({ id: "s", options: { params: "1/999" } }, d)[0].message, /unknown parameter code\(s\) 999/);
  assert.match(analyzerProblems({ id: "s", options: { params: "1/1" } }, d)[0].message, /listed twice/);
  assert.deepEqual(analyzerProblems({ id: "s", options: { params: "1/18" } }, d), []);
});
