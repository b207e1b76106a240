// Teledyne API T200 / 200E chemiluminescence NO/NO2/NOx analyzer, Modbus TCP or RTU.
// Map: instruments.md §8.2. Confidence L: no stored copy of the T200/200E MODBUS appendix was found. The
// manual (06858E) confirms the gases and the two ranges only. Every default below is *assumed* from the
// family order (detector, slopes, offsets, calibration concentrations, concentrations) and the T100's
// discrete inputs.
//
// Overrides (analyzer `options`): every channel has "<channel>.address" — an installer confirms NOx/NO/NO2
// with one read (`station-agent read --fc 4 --address 26 --count 12`) and sets them; "flag.<state>"
// re-flags any input. Concentrations in ppb, converted to µg/m³ for platforms by default.
import { defineModbusDriver } from "./define.js";
import { tFloat, tseriesStates, tseriesWorking, TSERIES_COMMANDS } from "./families/teledyne-tseries.js";

const states = tseriesStates({ invalid: 15, zero: 16, span: 17, systemOk: 19, sampleFlow: 20 });

export default defineModbusDriver({
  id: "teledyne-t200",
  version: 1,
  models: ["T200", "200E"],
  description: "Teledyne API T200/200E chemiluminescence NO/NO2/NOx analyzer (assumed map, overridable)",
  fields: [
    tFloat("nox", 26, "ppb", "NOx concentration, range 1 (assumed address)", { base: 24, amplitude: 8, period_s: 900, noise: 0.3 }, "a21002"),
    tFloat("no", 30, "ppb", "NO concentration, range 1 (assumed address)", { base: 6, amplitude: 4, period_s: 900, noise: 0.2 }, "a21003"),
    tFloat("no2", 34, "ppb", "NO2 concentration, range 1 (assumed address)", { base: 18, amplitude: 6, period_s: 900, noise: 0.3 }, "a21004"),
    tFloat("nox_range2", 28, "ppb", "NOx concentration, range 2 (assumed address)", { base: 24, noise: 0.3 }),
    tFloat("no_range2", 32, "ppb", "NO concentration, range 2 (assumed address)", { base: 6, noise: 0.2 }),
    tFloat("no2_range2", 36, "ppb", "NO2 concentration, range 2 (assumed address)", { base: 18, noise: 0.3 }),
    tFloat("pmt", 0, "mV", "PMT detector", { base: 150, noise: 2 }),
  ],
  states,
  commands: TSERIES_COMMANDS,
  working: tseriesWorking(states),
});
