// Temperature/humidity sensor XY-MD02 (SHT20, RS-485), Modbus RTU. Map: instruments.md §6, confidence H,
// from `e-tinkers/Modbus-RTU/examples/SHT20/README.md` (verified on hardware; it warns the vendor PDF is
// wrong) and `t-teja/Sensors/SHT20/XY-MD02-Modbus.py`: FC04, register 1 temperature int16 × 0.1 °C
// (two's complement), register 2 RH uint16 × 0.1 %.
//
// Ambiguities and overrides (analyzer `options`, drivers/configure.ts):
// - Some units scale × 100 instead of × 10: `"temperature.scale": 0.01` and `"humidity.scale": 0.01`.
// - MD02 and XY-MD02 clones differ in registers and format (Nordmanngrowtechnology/Modbus-RTU_SHT-20-MD02-Test):
//   `"temperature.address"`, `"temperature.fc": 3`, `"humidity.address"` etc. fit them.
// - The sensor reports no state: a fault shows as no answer (B) or an exception.
// - Slave address and baud are set at 0x0101/0x0102 (FC06), offsets at 0x0103/0x0104; not commands here
//   (use `station-agent write` once, at installation).
// - Working state (HJ 212-2017 Table B.10, i12001): continuous, 0 running while it answers, 2 fault
//   when it does not; no alarm, so no i12003.
import { defineModbusDriver, int16, uint16 } from "./define.js";
import { WORK_STATE } from "./types.js";

export default defineModbusDriver({
  id: "th-rs485",
  version: 1,
  models: ["XY-MD02", "SHT20 RS-485"],
  description: "XY-MD02 (SHT20) temperature/humidity sensor, FC04 registers 1-2 in tenths",
  fields: [
    int16({ channel: "temperature", fc: 4, address: 1, scale: 0.1, unit: "°C", code: "a01001", description: "Air temperature",
      sim: { base: 22.5, amplitude: 4, period_s: 86400, noise: 0.05 } }),
    uint16({ channel: "humidity", fc: 4, address: 2, scale: 0.1, unit: "%", code: "a01002", description: "Relative humidity",
      sim: { base: 55, amplitude: 10, period_s: 86400, noise: 0.2 } }),
  ],
  working: { normal: WORK_STATE.running },
});
