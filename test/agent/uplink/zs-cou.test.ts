// Pollution-source uploads (issue 13 items 5 and 6): converted concentrations -ZsRtd / -ZsMin/-ZsAvg/
// -ZsMax = C × (21 − O2ref) / (21 − O2) (HJ 75), dry or wet basis; totals -Cou of a flow (its totalizer's
// rise, else the integral of the flow) and of a pollutant tied to it (kg). Built from a real config
// through the upload lookup, as the agent does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { configSchema } from "../../../config/schema.js";
import { buildLookup } from "../../../agent/uplink/channels.js";
import { aggregateCp, realtimeCp } from "../../../agent/uplink/packets.js";
import { zsFactor } from "../../../agent/uplink/zs.js";
import type { Aggregate, Reading } from "../../../agent/types.js";

const cfg = configSchema.parse({
  station: { name: "outlet", mn: "STATIONAGENTTEST01" },
  storage: { path: ":memory:" },
  buses: [{ id: "l", type: "rtu", path: "/dev/null" }],
  analyzers: [
    { id: "cems", driver: "sdl-scs900", bus: "l", slave: 1, channels: { so2: { reference_o2: 6, flow_channel: "fan.flue_flow" }, nox: { reference_o2: 6, basis: "wet", humidity_channel: "fpi.humidity" } } },
    { id: "fpi", driver: "fpi-cems2000", bus: "l", slave: 2 },
    { id: "fan", driver: "generic-modbus", bus: "l", slave: 3, registers: [{ channel: "flue_flow", fc: 3, address: 0, type: "float32", unit: "m3/s", code: "a00000" }] },
    { id: "water", driver: "tuf2000", bus: "l", slave: 4 },
    { id: "cod", driver: "water-dbs", bus: "l", slave: 5, options: { factor: "cod" }, channels: { result: { code: "w01018", flow_channel: "water.flow" } } },
  ],
  platforms: [{ id: "p", host: "127.0.0.1", port: 1, st: 32, pw: "1" }],
});
const lookup = buildLookup(cfg);
const reading = (analyzer: string, channel: string, value: number): Reading => ({ ts: 0, analyzer, channel, code: "", value, unit: "", flag: "N", state: "ok", raw: null, source: "t" });
const agg = (analyzer: string, channel: string, min: number, avg: number, max: number, periodS = 3600): Aggregate => ({
  analyzer, channel, code: "", periodStart: Date.UTC(2026, 0, 1), periodS, min, avg, max, count: 60, total: 60, flag: "N", unit: "",
});
const fields = (cp: string) => Object.fromEntries(cp.split(/[;,]/).map((kv) => kv.split("=")));

test("zsFactor: (21 − ref) / (21 − O2); no factor at or above 21 % or without O2", () => {
  assert.equal(zsFactor(9, 6), 15 / 12);
  assert.equal(zsFactor(21, 6), null);
  assert.equal(zsFactor(null, 6), null);
  assert.equal(zsFactor(-1, 6), null);
});

test("realtime: -ZsRtd from the packet's O2 (the analyzer's own O2 channel); wet basis made dry first", () => {
  const cp = realtimeCp([reading("cems", "so2", 40), reading("cems", "o2", 9), reading("cems", "nox", 80), reading("fpi", "humidity", 10), reading("cems", "no", 50)], 0, "Asia/Shanghai", lookup)!;
  const f = fields(cp);
  assert.equal(f["a21026-Rtd"], "40");
  assert.equal(f["a21026-ZsRtd"], "50", "40 × 15 / 12");
  assert.equal(f["a21002-ZsRtd"], String(Number((80 / 0.9 * 15 / 12).toFixed(3))), "80 / (1 − 0.10) × 15 / 12");
  assert.equal(f["a21003-ZsRtd"], undefined, "no reference_o2: no Zs");
  // No O2 in the packet: no Zs, the measured value still goes.
  const noO2 = fields(realtimeCp([reading("cems", "so2", 40)], 0, "Asia/Shanghai", lookup)!);
  assert.deepEqual([noO2["a21026-Rtd"], noO2["a21026-ZsRtd"]], ["40", undefined]);
});

test("hour data: -ZsMin/-ZsAvg/-ZsMax at the period's O2; -Cou of flows and of the pollutants tied to them", () => {
  const group = [
    agg("cems", "so2", 30, 40, 50), agg("cems", "o2", 8, 9, 10), agg("fan", "flue_flow", 20, 25, 30),
    agg("water", "flow", 10, 12, 14), agg("water", "total", 1000, 1030, 1050), agg("cod", "result", 20, 20, 20),
  ];
  const f = fields(aggregateCp(group, "Asia/Shanghai", lookup)!);
  assert.deepEqual([f["a21026-ZsMin"], f["a21026-ZsAvg"], f["a21026-ZsMax"]], ["37.5", "50", "62.5"]);
  // Flue gas a00000 m³/s integrated over the hour: 25 × 3600 = 90000 m³; SO2 40 mg/m³ × 90000 m³ = 3.6 kg.
  assert.equal(f["a00000-Cou"], "90000");
  assert.equal(f["a21026-Cou"], "3.6");
  // The flow meter's totalizer rose by 50 m³ (not 12 L/s × 3600 s = 43.2 m³); COD 20 mg/L × 50 m³ = 1 kg.
  assert.equal(f["w00000-Cou"], "50");
  assert.equal(f["w01018-Cou"], "1");
  assert.equal(f["a21002-Cou"], undefined, "no flow_channel: no total");
});
