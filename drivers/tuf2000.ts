// TUF-2000 (TUF-2000M/B/H) ultrasonic flow meter, Modbus RTU.
// Map: instruments.md §11.4, from Yimning/Daily-Code rtuacq_protocol_flux_TUF2000.c (FC03 from 0,
// 12 registers; flow float CDAB at 0; totalizer LONG CDAB at 8 + float CDAB at 10) and
// arivin29/note-rencana TUF2000M-REGISTER-MAP.md (tested on a TUF-2000M; the manual's REG numbers
// from 1, modbus address = REG − 1, the same CDAB word swap). Confidence M-H.
//
// Channels: `flow` is the flow rate, uploaded as wastewater flow w00000, whose HJ 212 unit is L/s: the
// meter's m³/h ÷ 3.6 (`"flow.scale": 1` with `channels: {flow: {unit: m3/h}}` keeps m³/h). `total` is
// the positive totalizer, integer part (REG 9-10) + decimal fraction (REG 11-12), in m³: the agent's
// `-Cou` of w00000 comes from it. Error code REG 72 (PDU 71): bit 0 sensor error, bit 1 signal too weak,
// bit 2 temperature sensor error → D.
//
// Ambiguities and overrides (analyzer `options`):
// - Units follow the meter's menu (REG 1438/1439 unit codes, not read): a meter set to another flow
//   unit needs `"flow.scale"` and `channels: {flow: {unit: …}}`.
// - A totalizer multiplier set in the meter scales the integer part: `"total_int.scale": 10` etc.
// - Some units accept FC03 and FC06 only (this driver reads FC03 only).
import { defineModbusDriver, float32, int32, register, uint16 } from "./define.js";
import type { Reading } from "../agent/types.js";
import { WORK_STATE } from "./types.js";

function derive(readings: Reading[]): Reading[] {
  const int = readings.find((r) => r.channel === "total_int");
  const frac = readings.find((r) => r.channel === "total_frac");
  if (!int) return readings;
  const value = int.value === null || !frac || frac.value === null ? null : Math.round((int.value + frac.value) * 1e6) / 1e6;
  const raw = int.raw && frac?.raw ? Buffer.concat([int.raw, frac.raw]) : null;
  return [...readings, { ...int, channel: "total", code: "", unit: "m3", value, raw }];
}

export default defineModbusDriver({
  id: "tuf2000",
  version: 1,
  models: ["TUF-2000M", "TUF-2000B", "TUF-2000H"],
  description: "TUF-2000 ultrasonic flow meter: flow rate and totalizer (FC03, CDAB)",
  fields: [
    float32({ channel: "flow", fc: 3, address: 0, order: "CDAB", scale: 1 / 3.6, unit: "L/s", code: "w00000", description: "Flow rate (m³/h on the wire, ÷ 3.6)",
      sim: { base: 12.5, amplitude: 3, period_s: 3600, noise: 0.1 } }),
    float32({ channel: "energy_flow", fc: 3, address: 2, order: "CDAB", unit: "GJ/h", description: "Energy flow rate", sim: { base: 0 } }),
    float32({ channel: "velocity", fc: 3, address: 4, order: "CDAB", unit: "m/s", description: "Velocity", sim: { base: 1.1, noise: 0.01 } }),
    float32({ channel: "sound_speed", fc: 3, address: 6, order: "CDAB", unit: "m/s", description: "Fluid sound speed", sim: { base: 1480, noise: 0.5 } }),
    int32({ channel: "total_int", fc: 3, address: 8, order: "CDAB", unit: "m3", description: "Positive totalizer, integer part", sim: { base: 123456 } }),
    float32({ channel: "total_frac", fc: 3, address: 10, order: "CDAB", unit: "m3", description: "Positive totalizer, decimal fraction", sim: { base: 0.25 } }),
    uint16({ channel: "signal_quality", fc: 3, address: 91, unit: "%", description: "Signal quality 0-99 (below ~30: poor)", sim: { base: 80 } }),
  ],
  states: [
    register({ fc: 3, address: 71, mask: 0x0001, state: "sensor-error", flag: "D", description: "Error code bit 0: sensor error" }),
    register({ fc: 3, address: 71, mask: 0x0002, state: "weak-signal", flag: "D", description: "Error code bit 1: signal too weak" }),
    register({ fc: 3, address: 71, mask: 0x0004, state: "temperature-sensor-error", flag: "D", description: "Error code bit 2: temperature sensor error" }),
  ],
  // Working state (Table B.10, i12001): 0 running; any error-code bit → 2 fault.
  working: { normal: WORK_STATE.running, states: { "sensor-error": WORK_STATE.fault, "weak-signal": WORK_STATE.fault, "temperature-sensor-error": WORK_STATE.fault } },
  hooks: { derive, derived: [{ name: "total", unit: "m3", code: "", description: "Positive totalizer (integer part + fraction)" }] },
});
