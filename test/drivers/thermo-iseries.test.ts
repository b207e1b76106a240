// thermo-42i / 43i / 48i (instruments.md §7): CDAB floats at PDU = number − 1 (FC03), status coils
// SERVICE/ZERO/SPAN/GEN ALARM at PDU 2/4/5/alarm, zero/span write coils 101/102 at PDU 100/101.
import { test } from "node:test";
import assert from "node:assert/strict";
import { getModbusDriver } from "../../drivers/index.js";
import { commandWrite, planAnalyzer } from "../../agent/bus/readings.js";
import { configureDriver } from "../../drivers/configure.js";
import { f32, stationDriverSuite } from "./station-suite.js";
import { reading } from "./harness.js";

stationDriverSuite("thermo-43i", {
  analyzer: { driver: "thermo-43i" },
  pins: { so2: 7.25 },
  expect: { so2: { value: 7.25, unit: "ppb", code: "a21026" } },
  wire: [[3, 0, 2, f32(7.25, "CDAB")]],
  more: async (rig) => {
    // Zero mode by the write coil at PDU 100: the analyzer reports C; off returns to N.
    const plan = planAnalyzer(rig.analyzer("x"), getModbusDriver("thermo-43i")!);
    const on = commandWrite(plan, "zero");
    assert.deepEqual(on, { fc: 5, address: 100, values: [true] });
    const t = await rig.transport();
    await t.write(5, on.fc, on.address, on.values, 500);
    assert.equal(reading(await rig.probe("x"), "so2").flag, "C");
    const off = commandWrite(plan, "zero", { on: false });
    await t.write(5, off.fc, off.address, off.values, 500);
    assert.equal(reading(await rig.probe("x"), "so2").flag, "N");
  },
});

stationDriverSuite("thermo-42i", {
  analyzer: { driver: "thermo-42i" },
  pins: { no: 4.5, no2: 17.75, nox: 22.25 },
  expect: { no: { value: 4.5, unit: "ppb", code: "a21003" }, no2: { value: 17.75, code: "a21004" }, nox: { value: 22.25, code: "a21002" } },
  wire: [[3, 0, 6, f32(4.5, "CDAB") + f32(17.75, "CDAB") + f32(22.25, "CDAB")]],
});

stationDriverSuite("thermo-48i", {
  analyzer: { driver: "thermo-48i" },
  pins: { co: 0.625 },
  expect: { co: { value: 0.625, unit: "ppm", code: "a21005" } },
  wire: [[3, 0, 2, f32(0.625, "CDAB")]],
});

test("iSeries status bits sit at coil number − 1; a map at the printed numbers is address_offset: 1", () => {
  const at = (id: string) => Object.fromEntries(getModbusDriver(id)!.states.map((s) => [s.state, s.address]));
  assert.deepEqual(at("thermo-43i"), { service: 2, zero: 4, span: 5, "general-alarm": 9 });
  assert.deepEqual(at("thermo-42i"), { service: 2, zero: 4, span: 5, "general-alarm": 10 });
  assert.deepEqual(at("thermo-48i"), { service: 2, zero: 4, span: 5, "general-alarm": 7 });
  const printed = configureDriver({ id: "p", options: { address_offset: 1 } }, getModbusDriver("thermo-42i")!);
  assert.deepEqual(printed.fields.map((f) => f.address), [1, 3, 5]);
  assert.deepEqual([printed.commands.zero.address, printed.commands.span.address], [101, 102]);
});
