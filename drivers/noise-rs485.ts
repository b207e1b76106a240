// RS-485 sound level sensor (Taidacent / RenKe style), Modbus RTU. Map: instruments.md §5, confidence M,
// from `sconklin/taidacent-decibel-meter/modbustest.py` (FC03 register 0, dB = reg/10) and
// `myarduinosale/sensor1/M1495_Arduino.ino` (request `01 03 00 00 00 02`, reg0 × 0.1 = dB). Range
// 30-130 dB(A), 0.1 dB resolution. The agent computes LAeq, L5…L95, Lmax/Lmin from these 1 s samples.
//
// Ambiguities and overrides (analyzer `options`, drivers/configure.ts):
// - A GEMHO variant keeps the level at register 0x000E: `"la.address": 14`.
// - Some units answer only FC04: `"la.fc": 4`. A unit in hundredths: `"la.scale": 0.01`.
// - The sensor reports no state: a fault shows as no answer (B) or an exception.
// - Class-1 monitors (BSWA, AWA) have no public Modbus map; they use ASCII or vendor protocols.
// - Working state (HJ 212-2017 Table B.10, i12001): continuous, 0 running while it answers, 2 fault
//   when it does not; no alarm, so no i12003.
import { defineModbusDriver, uint16 } from "./define.js";
import { WORK_STATE } from "./types.js";

export default defineModbusDriver({
  id: "noise-rs485",
  version: 1,
  models: ["Taidacent RS-485 noise sensor", "RenKe RS-485 noise sensor"],
  description: "RS-485 sound level sensor, FC03 register 0 in 0.1 dB(A)",
  fields: [
    uint16({ channel: "la", fc: 3, address: 0, scale: 0.1, unit: "dB(A)", code: "LA", description: "A-weighted sound level",
      sim: { base: 55, amplitude: 8, period_s: 60, noise: 1.5 } }),
  ],
  working: { normal: WORK_STATE.running },
});
