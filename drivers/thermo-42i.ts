// Thermo Scientific 42i chemiluminescence NO/NO2/NOx analyzer (iSeries MODBUS), Modbus TCP or RTU.
// Map: instruments.md §7.3 with §7.0/§7.1: the 42i manual appendix C and the data-logger drivers
// `Yimning/Daily-Code` rtuacq_protocol_cems_SaiMoFei_42i.c / …SaiMoFei1_42i.c (FC03 at PDU 0,
// 6 registers = NO, NO2, NOx). Confidence M (values), L (status bits beyond SERVICE/ZERO).
//
// Ambiguities and overrides (analyzer `options`):
// - Address base: PDU = number − 1 (§7.0); a unit answering at the printed numbers: `address_offset: 1`.
// - FC03 by default (`"*.fc": 4`), CDAB (`"*.order"`), ppb as the loggers assume (a unit set to µg/m³:
//   `channels: {no2: {unit: ug/m3, convert: none}}`).
// - NOx is reported as the instrument sends it (as NO2). One logger variant computes NO × 1.53 + NO2
//   instead; we do not.
// - GEN ALARM at coil 11 (PDU 10) → D; zero/span coils 101/102 assumed (§7.1).
import { defineModbusDriver } from "./define.js";
import { iseriesFloat, iseriesStates, ISERIES_COMMANDS, ISERIES_WORKING } from "./families/thermo-iseries.js";

export default defineModbusDriver({
  id: "thermo-42i",
  version: 1,
  models: ["42i", "42i-TL"],
  description: "Thermo Scientific 42i chemiluminescence NO/NO2/NOx analyzer (iSeries MODBUS, CDAB floats)",
  fields: [
    iseriesFloat({ channel: "no", address: 0, unit: "ppb", code: "a21003", description: "NO concentration",
      sim: { base: 6, amplitude: 4, period_s: 900, noise: 0.2 } }),
    iseriesFloat({ channel: "no2", address: 2, unit: "ppb", code: "a21004", description: "NO2 concentration",
      sim: { base: 18, amplitude: 6, period_s: 900, noise: 0.3 } }),
    iseriesFloat({ channel: "nox", address: 4, unit: "ppb", code: "a21002", description: "NOx concentration (as NO2)",
      sim: { base: 24, amplitude: 8, period_s: 900, noise: 0.3 } }),
  ],
  states: iseriesStates(10),
  commands: ISERIES_COMMANDS,
  working: ISERIES_WORKING,
});
