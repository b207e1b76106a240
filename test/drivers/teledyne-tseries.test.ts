// teledyne-t100 / t200 / t300 (instruments.md §8): ABCD floats on FC04 at the family's positions,
// discrete inputs (invalid → D, zero/span → C, System OK = 0 → D, sample flow → D, limits → T),
// zero/span coils 20/21.
import assert from "node:assert/strict";
import { getModbusDriver } from "../../drivers/index.js";
import { commandWrite, planAnalyzer } from "../../agent/bus/readings.js";
import { f32, stationDriverSuite } from "./station-suite.js";
import { reading } from "./harness.js";

stationDriverSuite("teledyne-t100", {
  analyzer: { driver: "teledyne-t100" },
  pins: { so2: 9.5, so2_range2: 9.25 },
  expect: { so2: { value: 9.5, unit: "ppb", code: "a21026" }, so2_range2: { value: 9.25, code: "" } },
  wire: [[4, 22, 4, f32(9.5, "ABCD") + f32(9.25, "ABCD")]],
  more: async (rig) => {
    const plan = planAnalyzer(rig.analyzer("x"), getModbusDriver("teledyne-t100")!);
    const span = commandWrite(plan, "span");
    assert.deepEqual(span, { fc: 5, address: 21, values: [true] });
    const t = await rig.transport();
    await t.write(5, span.fc, span.address, span.values, 500);
    const r = await rig.probe("x");
    assert.deepEqual([reading(r, "so2").state, reading(r, "so2").flag], ["span", "C"]);
    await t.write(5, 5, 21, [false], 500);
  },
});

stationDriverSuite("teledyne-t200", {
  analyzer: { driver: "teledyne-t200" },
  pins: { nox: 30.5, no: 8.25, no2: 22.25 },
  expect: { nox: { value: 30.5, code: "a21002" }, no: { value: 8.25, code: "a21003" }, no2: { value: 22.25, code: "a21004", unit: "ppb" } },
  wire: [[4, 26, 2, f32(30.5, "ABCD")], [4, 30, 2, f32(8.25, "ABCD")], [4, 34, 2, f32(22.25, "ABCD")]],
});

stationDriverSuite("teledyne-t300", {
  analyzer: { driver: "teledyne-t300" },
  pins: { co: 0.75, sample_pressure: 28.5 },
  expect: { co: { value: 0.75, unit: "ppm", code: "a21005" }, sample_pressure: { value: 28.5, unit: "inHg" } },
  wire: [[4, 18, 2, f32(0.75, "ABCD")]],
});
