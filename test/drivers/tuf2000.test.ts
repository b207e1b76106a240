// tuf2000 (instruments.md §11.4): flow float CDAB at 0 (m³/h on the wire, L/s for w00000), totalizer
// int32 + float fraction CDAB at 8/10 → `total` in m³; error code bits at 71 → D.
import assert from "node:assert/strict";
import { f32, stationDriverSuite } from "./station-suite.js";
import { reading } from "./harness.js";

stationDriverSuite("tuf2000", {
  analyzer: { driver: "tuf2000" },
  pins: { flow: 10, total_int: 123456, total_frac: 0.75 },
  expect: {
    flow: { value: 10, unit: "L/s", code: "w00000" },
    total_int: { value: 123456 },
    total_frac: { value: 0.75 },
    total: { value: 123456.75, unit: "m3", code: "" },
  },
  // 10 L/s = 36 m³/h on the wire; 123456 = 0x0001E240 low word first.
  wire: [[3, 0, 2, f32(36, "CDAB")], [3, 8, 4, "e2400001" + f32(0.75, "CDAB")]],
  more: async (rig) => {
    rig.sim.analyzer("x").dead();
    const dead = await rig.probe("x");
    assert.deepEqual([reading(dead, "total").value, reading(dead, "total").flag], [null, "B"]);
    rig.sim.analyzer("x").dead(false);
  },
});
