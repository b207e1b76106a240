// Teledyne API T100 / 100E UV-fluorescence SO2 analyzer, Modbus TCP or RTU.
// Map: instruments.md §8.1, from the T100/100E software documentation (05036E/F) pp. for the
// discrete inputs, coils and span targets (confidence H). Page A-37, with the SO2 concentration, was not
// found: the positions below follow the sister T101 (05492D) with its H2S slots taken out (confidence L).
//
// Ambiguities and overrides (analyzer `options`, drivers/configure.ts):
// - SO2 range 1 at IR 22 is *assumed*: confirm with one read against the unit's own appendix and set
//   `"so2.address": N` if it differs (every field has "<channel>.address").
// - The 100EU numbers its inputs differently (18 invalid, 19 zero cal, 21 span cal, 24 System OK):
//   re-flag with `"flag.<state>"` and use generic-modbus `states:` for such a unit.
// - Concentration in ppb; converted to µg/m³ for platforms by default (config check prints it).
// - The sample flow warning flags D (as the T400); `"flag.flow-warning": "N"` keeps the data.
import { defineModbusDriver } from "./define.js";
import { tFloat, tseriesStates, tseriesWorking, TSERIES_COMMANDS } from "./families/teledyne-tseries.js";

const states = tseriesStates({ invalid: 15, zero: 16, span: 17, multipoint: 18, systemOk: 19, sampleFlow: 20, limits: [24, 25] });

export default defineModbusDriver({
  id: "teledyne-t100",
  version: 1,
  models: ["T100", "100E", "T100H"],
  description: "Teledyne API T100/100E UV-fluorescence SO2 analyzer (software doc. 05036, App. A)",
  fields: [
    tFloat("so2", 22, "ppb", "SO2 concentration, range 1 (assumed address)", { base: 8, amplitude: 4, period_s: 900, noise: 0.2 }, "a21026"),
    tFloat("so2_range2", 24, "ppb", "SO2 concentration, range 2 (assumed address)", { base: 8, noise: 0.2 }),
    tFloat("pmt", 0, "mV", "PMT detector", { base: 120, noise: 2 }),
    tFloat("uv_lamp", 2, "mV", "UV lamp intensity", { base: 3400, noise: 5 }),
    tFloat("uv_lamp_ratio", 4, "%", "UV lamp ratio", { base: 98, noise: 0.2 }),
    tFloat("cal_conc", 18, "ppb", "Concentration during calibration, range 1 (assumed address)", { base: 0 }),
  ],
  states,
  commands: TSERIES_COMMANDS,
  working: tseriesWorking(states),
});
