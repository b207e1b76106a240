// Vaisala WXT530 series weather transmitter (WXT531…536), Modbus RTU over RS-485 (or a TCP gateway).
// Map: instruments.md §9, from the WXT530 User Guide M211840EN-G, Modbus chapter (docs.vaisala.com):
// FC04 input registers, 16-bit integers × a scale factor, 32767 (signed) / 65535 (unsigned) = invalid,
// register number from 1 and address from 0 (reg. 11 = 0x000A). Each quantity has four registers:
// instant, min, max, avg. Confidence H for humidity, pressure, wind direction and temperature.
//
// Choices and overrides (analyzer `options`, drivers/configure.ts):
// - Wind speed and direction upload the avg register (HJ 212 a01007/a01008 are averages); temperature,
//   humidity and pressure the instant one. Another register: `"wind_speed.address": 0x2A` (instant).
// - Wind speed (0x2D) and rain (0x2E/0x2F) are *assumed* rows: the stored table stops at reg. 42. Confirm
//   them from the unit's own guide and set `"wind_speed.address"`, `"rain.address"`.
// - Pressure: the register is hPa × 10; HJ 212 a01006 is kPa, so the channel reads kPa (raw ÷ 100).
//   `"pressure.scale": 0.1` with `channels: {pressure: {unit: hPa}}` keeps hPa.
// - Rain has no HJ 212-2017 code: stored, uploaded only under a code the config gives.
// - A value equal to the error word is no value, flagged D. The availability bytes (0x0002..0x0007) are
//   not read: a quantity the unit lacks reads as the error word, which has the same effect.
// - Vaisala recommends one retry when there is no answer: the analyzer's `retries` (default 1).
// - No calibration command.
import { defineModbusDriver, int16, uint16 } from "./define.js";
import { WORK_STATE, type SimHint } from "./types.js";

const s16 = (channel: string, address: number, scale: number, unit: string, code: string, description: string, sim: SimHint) =>
  int16({ channel, fc: 4, address, scale, unit, code, description, sim, invalidWord: 0x7fff });
const u16 = (channel: string, address: number, scale: number, unit: string, code: string, description: string, sim: SimHint) =>
  uint16({ channel, fc: 4, address, scale, unit, code, description, sim, invalidWord: 0xffff });

export default defineModbusDriver({
  id: "vaisala-wxt530",
  version: 1,
  models: ["WXT531", "WXT532", "WXT533", "WXT534", "WXT535", "WXT536"],
  description: "Vaisala WXT530 series weather transmitter (Modbus, FC04 int16 × scale)",
  fields: [
    s16("humidity", 0x000a, 0.1, "%", "a01002", "Relative humidity (instant)", { base: 60, amplitude: 15, period_s: 86400, noise: 0.3 }),
    s16("pressure", 0x000e, 0.01, "kPa", "a01006", "Air pressure (instant; register hPa × 10)", { base: 101.2, noise: 0.02 }),
    s16("wind_direction", 0x0015, 0.1, "°", "a01008", "Wind direction (avg)", { base: 180, amplitude: 90, period_s: 3600, noise: 5 }),
    s16("temperature", 0x001f, 0.1, "°C", "a01001", "Air temperature (instant)", { base: 18, amplitude: 6, period_s: 86400, noise: 0.1 }),
    s16("dew_point", 0x0023, 0.1, "°C", "", "Dew point (instant)", { base: 10, noise: 0.1 }),
    s16("wind_speed", 0x002d, 0.1, "m/s", "a01007", "Wind speed (avg; assumed row)", { base: 2.5, amplitude: 1.5, period_s: 3600, noise: 0.2 }),
    u16("rain", 0x002e, 0.01, "mm", "", "Rain accumulation (assumed row)", { base: 1.2 }),
    u16("rain_intensity", 0x002f, 0.1, "mm/h", "", "Rain intensity (assumed row)", { base: 0 }),
  ],
  // Working state (Table B.10, i12001): a continuous sensor with no state register, 0 running.
  working: { normal: WORK_STATE.running },
});
