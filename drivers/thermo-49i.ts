// Thermo Scientific 49i (iSeries) UV photometric ozone analyzer, Modbus TCP or RTU.
// Map: instruments.md §1b: iSeries MODBUS appendices (43i manual p. C-6; 5030i and 410i/48i appendix C)
// and a public "Thermo 49i" data-logger configuration for the register list and coils 101/102.
// Confidence M for the registers, L for the status coils above 5.
//
// Ambiguities and how an installer overrides them (analyzer `options`, drivers/configure.ts):
// - Address base (instruments.md §7.0): the table's register and coil numbers count from 1 and the wire
//   address is the number − 1 (the 43i/48i worked example "registers 10–13" sent as 0x0009, and the
//   working 42i/43i logger drivers reading the first value at PDU 0). So O3 "1&2" is PDU 0, SERVICE
//   (coil 3) PDU 2, ZERO MODE (coil 5) PDU 4, write coils 101/102 PDU 100/101. Version 1 of this driver
//   read the numbers as printed; a unit that answers O3 at PDU 1 keeps that with `address_offset: 1`
//   (or one channel: `"o3.address": 1`).
// - Function code: the appendix accepts FC03 and FC04 alike. We read FC03 (holding registers), as the
//   loggers we know do; `"*.fc": 4` reads input registers instead (fields and register states).
// - Word order: "least significant 16 bits first" = CDAB. An instrument set otherwise: `"*.order": "ABCD"`.
// - Units: O3 is "in the units set" on the front panel; we assume ppb. An analyzer set to µg/m³ must
//   say so with `channels: {o3: {unit: µg/m³}}`; no conversion is done from the register itself.
// - Status coils (FC01, numbers): 3 SERVICE → M and 5 ZERO MODE → C come from the manuals; 6 SPAN MODE → C,
//   8 GEN ALARM → D and 9 O3 CONC MAX ALARM → T are assumed from the other iSeries manuals. Any of
//   them can be re-flagged or ignored: `"flag.general-alarm": "N"` (or "off").
// - Commands: write coils 101 ZERO MODE / 102 SPAN MODE (1 = go to that mode, 0 = back to sample; both
//   at 1 is a conflict the instrument ignores). A coil "must be held for at least 1 second".
// - The 49iQ is a different model (O3 at HR 2100): use generic-modbus or `"o3.address": 2100`.
// - Working state (HJ 212-2017 Table B.10, i12001): continuous, 0 running; SERVICE → 1 maintenance,
//   ZERO/SPAN → 3 calibration, GEN ALARM → 2 fault. GEN ALARM and the concentration alarm are its
//   alarms (i12003).
import { bit, defineModbusDriver, float32 } from "./define.js";
import { ISERIES_COMMANDS } from "./families/thermo-iseries.js";
import { WORK_STATE } from "./types.js";

const f = (channel: string, address: number, unit: string, description: string, base: number, code = "") =>
  float32({ channel, fc: 3, address, order: "CDAB", unit, code, description, sim: { base, noise: Math.abs(base) * 0.01 } });

export default defineModbusDriver({
  id: "thermo-49i",
  version: 2,
  models: ["49i", "49i-PS"],
  description: "Thermo Scientific 49i UV photometric O3 analyzer (iSeries MODBUS, CDAB floats)",
  fields: [
    float32({ channel: "o3", fc: 3, address: 0, order: "CDAB", unit: "ppb", code: "a05024", description: "O3 concentration",
      sim: { base: 40, amplitude: 25, period_s: 600, noise: 0.5 } }),
    f("o3_low", 2, "ppb", "Low-range O3 (dual/auto range)", 40),
    f("o3_high", 4, "ppb", "High-range O3 (dual/auto range)", 40),
    f("range", 6, "ppb", "Range", 500),
    f("intensity_a", 8, "Hz", "Intensity, cell A", 95000),
    f("intensity_b", 10, "Hz", "Intensity, cell B", 95000),
    f("noise_a", 12, "Hz", "Noise, cell A", 2),
    f("noise_b", 14, "Hz", "Noise, cell B", 2),
    f("flow_a", 16, "L/min", "Flow, cell A", 0.7),
    f("flow_b", 18, "L/min", "Flow, cell B", 0.7),
    f("pressure", 20, "mmHg", "Pressure", 740),
    f("bench_temp", 22, "°C", "Bench temperature", 30),
    f("lamp_temp", 24, "°C", "Lamp temperature", 52),
    f("o3_lamp_temp", 26, "°C", "O3 generator lamp temperature", 68),
  ],
  states: [
    bit({ fc: 1, address: 2, state: "service", flag: "M", description: "SERVICE mode (coil 3)" }),
    bit({ fc: 1, address: 4, state: "zero", flag: "C", description: "ZERO MODE (coil 5)" }),
    bit({ fc: 1, address: 5, state: "span", flag: "C", description: "SPAN MODE (coil 6, assumed)" }),
    bit({ fc: 1, address: 7, state: "general-alarm", flag: "D", description: "GEN ALARM (coil 8, assumed)" }),
    bit({ fc: 1, address: 8, state: "conc-alarm", flag: "T", description: "O3 CONC MAX ALARM (coil 9, assumed)" }),
  ],
  commands: ISERIES_COMMANDS,
  working: { normal: WORK_STATE.running, alarms: ["general-alarm", "conc-alarm"] },
});
