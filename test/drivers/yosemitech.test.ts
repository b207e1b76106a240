// yosemitech (instruments.md §10.1): one driver, options.sensor picks the probe's map; DCBA floats on
// FC03; conductivity mS/cm on the wire read as µS/cm; the error flag 0xFF → D; no sensor is a config error.
import { test } from "node:test";
import assert from "node:assert/strict";
import { getModbusDriver } from "../../drivers/index.js";
import { analyzerProblems } from "../../drivers/configure.js";
import { f32, stationDriverSuite } from "./station-suite.js";
import { reading } from "./harness.js";

stationDriverSuite("yosemitech pH", {
  analyzer: { driver: "yosemitech", options: { sensor: "ph" } },
  pins: { ph: 7.6, temperature: 21.5 },
  expect: { ph: { value: 7.6, unit: "pH", code: "w01001" }, temperature: { value: 21.5, unit: "°C", code: "w01010" } },
  // The manual's own example: pH 7.6 is the bytes 33 33 F3 40.
  wire: [[3, 0x2800, 2, "3333f340"], [3, 0x2400, 2, f32(21.5, "DCBA")]],
});

stationDriverSuite("yosemitech DO", {
  analyzer: { driver: "yosemitech", options: { sensor: "do" } },
  pins: { do: 8.25, temperature: 15 },
  expect: { do: { value: 8.25, unit: "mg/L", code: "w01009" }, temperature: { value: 15 } },
  wire: [[3, 0x2604, 2, f32(8.25, "DCBA")]],
});

stationDriverSuite("yosemitech conductivity", {
  analyzer: { driver: "yosemitech", options: { sensor: "cond" } },
  pins: { conductivity: 512 },
  expect: { conductivity: { value: 512, unit: "µS/cm", code: "w01014" } },
  wire: [[3, 0x2602, 2, f32(0.512, "DCBA")]],
  states: false,
  more: async (rig) => {
    rig.sim.analyzer("x").force("range-error");
    const r = await rig.probe("x");
    assert.deepEqual([reading(r, "conductivity").state, reading(r, "conductivity").flag], ["range-error", "D"]);
    rig.sim.analyzer("x").force(null);
    assert.equal(reading(await rig.probe("x"), "conductivity").flag, "N");
  },
});

stationDriverSuite("yosemitech turbidity", {
  analyzer: { driver: "yosemitech", options: { sensor: "turb" } },
  pins: { turbidity: 14.5 },
  expect: { turbidity: { value: 14.5, unit: "NTU", code: "w01003" } },
  wire: [[3, 0x2602, 2, f32(14.5, "DCBA")]],
  states: false,
});

test("yosemitech without a sensor, or with an unknown one, is a config problem", () => {
  const d = getModbusDriver("yosemitech")!;
  assert.match(analyzerProblems({ id: "p", options: {} }, d)[0].message, /needs options\.sensor.*ph, do, cond, turb/);
  assert.match(analyzerProblems({ id: "p", options: { sensor: "orp" } }, d)[0].message, /options\.sensor must be one of ph, do, cond, turb, got "orp"/);
  assert.deepEqual(analyzerProblems({ id: "p", options: { sensor: "do", "do.address": 0x2602 } }, d), []);
});
