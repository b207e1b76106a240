// vaisala-wxt530 (instruments.md §9): FC04 int16 × scale, instant registers for T/RH/P and avg for
// wind; pressure read in kPa for a01006; the error word 32767 / 65535 → no value, flagged D.
import assert from "node:assert/strict";
import { stationDriverSuite } from "./station-suite.js";
import { reading } from "./harness.js";

const hex16 = (...w: number[]) => w.map((x) => (x & 0xffff).toString(16).padStart(4, "0")).join("");

stationDriverSuite("vaisala-wxt530", {
  analyzer: { driver: "vaisala-wxt530" },
  pins: { humidity: 63.4, pressure: 101.25, wind_direction: 271.5, temperature: -7.3, wind_speed: 3.4, rain: 12.34 },
  expect: {
    humidity: { value: 63.4, unit: "%", code: "a01002" },
    pressure: { value: 101.25, unit: "kPa", code: "a01006" },
    wind_direction: { value: 271.5, unit: "°", code: "a01008" },
    temperature: { value: -7.3, unit: "°C", code: "a01001" },
    wind_speed: { value: 3.4, unit: "m/s", code: "a01007" },
    rain: { value: 12.34, unit: "mm", code: "" },
  },
  // RH ×10 at 0x0A, hPa ×10 at 0x0E (1012.5 hPa), direction avg at 0x15, temperature at 0x1F (two's complement).
  wire: [[4, 0x0a, 1, hex16(634)], [4, 0x0e, 1, hex16(10125)], [4, 0x15, 1, hex16(2715)], [4, 0x1f, 1, hex16(-73)], [4, 0x2d, 2, hex16(34, 1234)]],
  more: async (rig) => {
    // The error words: 32767 on a signed quantity, 65535 on rain. No value, D; the others stay N.
    rig.sim.analyzer("x").set("temperature", 3276.7);
    rig.sim.analyzer("x").set("rain", 655.35);
    const r = await rig.probe("x");
    assert.deepEqual([reading(r, "temperature").value, reading(r, "temperature").flag], [null, "D"]);
    assert.deepEqual([reading(r, "rain").value, reading(r, "rain").flag], [null, "D"]);
    assert.equal(reading(r, "humidity").flag, "N");
  },
});
