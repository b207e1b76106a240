import { test } from "node:test";
import assert from "node:assert/strict";
import { conversionFactor, ConversionError } from "../../../agent/uplink/units.js";

// Reference figures: 1 ppb O3 = 1.96 µg/m³ at 25 °C, 2.00 at 20 °C, 2.14 at 0 °C; 1 ppm CO = 1.145 mg/m³ at 25 °C.
for (const [conv, code, want, unit] of [
  ["ppb-to-ug/m3@25C", "a05024", 1.962, "ug/m3"],
  ["ppb-to-ug/m3@20C", "a05024", 1.996, "ug/m3"],
  ["ppb-to-ug/m3@0C", "a05024", 2.142, "ug/m3"],
  ["ppb-to-ug/m3@25C", "a21026", 2.619, "ug/m3"],
  ["ppm-to-mg/m3@25C", "a21005", 1.145, "mg/m3"],
  ["uSv/h-to-nGy/h", "", 1000, "nGy/h"],
  ["nGy/h-to-uSv/h", "", 0.001, "uSv/h"],
] as const) {
  test(`${conv} for ${code || "γ"}`, () => {
    const r = conversionFactor(conv, code);
    assert.equal(r.unit, unit);
    assert.ok(Math.abs(r.factor - want) / want < 0.001, `${r.factor} vs ${want}`);
  });
}

test("γ with an H*(10) coefficient; a gas without a known molar mass needs one", () => {
  assert.equal(conversionFactor("uSv/h-to-nGy/h", "", { h10: 1.2 }).factor, 1000 / 1.2);
  assert.throws(() => conversionFactor("ppb-to-ug/m3@25C", "a99999"), (e: unknown) => e instanceof ConversionError && /molar_mass/.test(e.message));
  assert.ok(Math.abs(conversionFactor("ppb-to-ug/m3@25C", "a99999", { molarMass: 78.11 }).factor - 3.193) < 0.001);
});

test("a configured conversion reaches the upload lookup, then scale and offset", async () => {
  const { channelLookup } = await import("../../../agent/main.js");
  const { configSchema } = await import("../../../config/schema.js");
  const cfg = configSchema.parse({
    station: { name: "t", mn: "010000A8900016F000169DC0" },
    storage: { path: "/tmp/x.db" },
    buses: [{ id: "b", type: "tcp", host: "127.0.0.1" }],
    analyzers: [{ id: "o3", driver: "teledyne-t400", bus: "b", channels: { o3: { code: "a05024", convert: "ppb-to-ug/m3@25C", scale: 2, offset: 1 } } }],
  });
  const c = channelLookup(cfg)("o3", "o3")!;
  assert.equal(c.code, "a05024");
  assert.ok(Math.abs(c.scale - 2 * 1.962) < 0.01);
  assert.equal(c.offset, 1);
});
