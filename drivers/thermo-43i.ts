// Thermo Scientific 43i pulsed-fluorescence SO2 analyzer (iSeries MODBUS), Modbus TCP or RTU.
// Map: instruments.md §7.2 with §7.0/§7.1: the 43i manual appendix C (p. C-6) and the data-logger
// driver `Yimning/Daily-Code` rtuacq_protocol_cems_SaiMoFei_43i.c (FC03 at PDU 0, 2 registers = SO2).
// Confidence M (value), L (status bits beyond SERVICE/ZERO).
//
// Ambiguities and overrides (analyzer `options`, drivers/configure.ts):
// - Address base: PDU = number − 1 (§7.0); a unit answering at the printed numbers: `address_offset: 1`.
// - FC03 by default; `"*.fc": 4` reads input registers. Word order CDAB; `"*.order": "ABCD"` otherwise.
// - Unit: "the units set" on the front panel; the loggers treat it as ppb. A unit set to µg/m³ says so
//   with `channels: {so2: {unit: ug/m3, convert: none}}`.
// - GEN ALARM at coil 10 (PDU 9) is what the logger treats as a fault → D; `"flag.general-alarm": "off"`.
// - Zero/span coils 101/102 are assumed from the 49i configuration (§7.1).
import { defineModbusDriver } from "./define.js";
import { iseriesFloat, iseriesStates, ISERIES_COMMANDS, ISERIES_WORKING } from "./families/thermo-iseries.js";

export default defineModbusDriver({
  id: "thermo-43i",
  version: 1,
  models: ["43i", "43i-TLE"],
  description: "Thermo Scientific 43i pulsed-fluorescence SO2 analyzer (iSeries MODBUS, CDAB floats)",
  fields: [
    iseriesFloat({ channel: "so2", address: 0, unit: "ppb", code: "a21026", description: "SO2 concentration",
      sim: { base: 8, amplitude: 4, period_s: 900, noise: 0.2 } }),
  ],
  states: iseriesStates(9),
  commands: ISERIES_COMMANDS,
  working: ISERIES_WORKING,
});
