// adam-4017 (instruments.md §11.3): counts at FC03 0..7 → mA by the module's input range → the channel's
// engineering value over 4-20 mA; below 3.8 mA D (loop open), above 20.5 mA T; a channel without a range
// is stored in mA under no code; bad options are config problems.
import { test } from "node:test";
import assert from "node:assert/strict";
import { getModbusDriver } from "../../drivers/index.js";
import { analyzerProblems } from "../../drivers/configure.js";
import { stationDriverSuite } from "./station-suite.js";
import { reading } from "./harness.js";

// Full scale is 20 mA on both input ranges, so the over-range limit (20.5 mA by default) is lowered
// here to show the T flag. ±20 mA range: mA = counts × 40 / 65535 − 20, so 12 mA = 52428, 4 mA = 39321.
const pm20 = (ma: number) => Math.round(((ma + 20) * 65535) / 40);
/** The mA those counts stand for (what a channel without a range stores). */
const ma = (counts: number) => Math.round(((counts * 40) / 65535 - 20) * 1e6) / 1e6;

stationDriverSuite("adam-4017", {
  analyzer: { driver: "adam-4017", options: { "ch0.min": 0, "ch0.max": 30, "ch0.unit": "m/s", "ch0.code": "a01011", "ch1.min": -100, "ch1.max": 100, "ch1.unit": "Pa", "ch1.code": "a01013", over_range_ma: 19.5 } },
  pins: { ch0: 52428, ch1: 39321, ch2: pm20(16), ch3: pm20(2), ch4: pm20(20) },
  expect: {
    ch0: { value: 15.0, unit: "m/s", code: "a01011" },
    ch1: { value: -100, unit: "Pa", code: "a01013" },
    ch2: { value: ma(pm20(16)), unit: "mA", code: "" },
    ch3: { value: ma(pm20(2)), unit: "mA", flag: "D" },
    ch4: { value: 20, unit: "mA", flag: "T" },
  },
  wire: [[3, 0, 2, "cccc9999"]],
});

stationDriverSuite("adam-4017 on the 4-20 mA input range", {
  analyzer: { driver: "adam-4017", options: { input: "4-20", "ch0.min": 0, "ch0.max": 1000, "ch0.unit": "mg/m3", "ch0.code": "a34013" } },
  pins: { ch0: 32768 },
  expect: { ch0: { value: 500.007629, unit: "mg/m3", code: "a34013" } },
  states: false,
  more: async (rig) => {
    rig.sim.analyzer("x").set("ch0", 0);
    assert.deepEqual([reading(await rig.probe("x"), "ch0").value, reading(await rig.probe("x"), "ch0").flag], [0, "N"]);
  },
});

test("adam-4017 options: a code without a range, half a range, a channel past ch7, a bad input are problems", () => {
  const d = getModbusDriver("adam-4017")!;
  const msgs = (options: Record<string, string | number>) => analyzerProblems({ id: "m", options }, d).map((p) => p.message);
  assert.match(msgs({ "ch2.code": "a01012" })[0], /"ch2\.code" needs a range: set "ch2\.min" and "ch2\.max"/);
  assert.match(msgs({ "ch2.min": 0 })[0], /"ch2\.max" is missing/);
  assert.match(msgs({ "ch8.min": 0, "ch8.max": 1 }).join(), /channels ch0\.\.ch7/);
  assert.match(msgs({ input: "0-10V" })[0], /options\.input must be one of pm20, 4-20/);
  assert.match(msgs({ "ch0.min": "zero", "ch0.max": 1 })[0], /"ch0\.min" must be a number/);
  assert.match(msgs({ "ch0.span": 1 })[0], /takes min, max, unit and code/);
  assert.deepEqual(msgs({ "ch0.min": 0, "ch0.max": 30, "ch0.code": "a01011" }), []);
});
