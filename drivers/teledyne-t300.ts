// Teledyne API T300 / M300E gas-filter-correlation CO analyzer, Modbus TCP or RTU.
// Map: instruments.md §8.3: input registers from the T300/M300E manual (04906H) Table A-9, pp.
// (confidence H). The discrete inputs and coils (page A-37) were not found; they follow the T360 (CO2,
// the same family and software, 05233C p. A-39) and the T100/T400 coils (confidence M-L).
//
// Ambiguities and overrides (analyzer `options`):
// - Discrete inputs as the T360; re-flag any with `"flag.<state>"`, or move a field with "<channel>.address".
// - Coils 20/21 (zero/span, range 1) are *assumed* from the T100/T400.
// - CO in ppm; converted to mg/m³ for platforms by default.
import { defineModbusDriver } from "./define.js";
import { tFloat, tseriesStates, tseriesWorking, TSERIES_COMMANDS } from "./families/teledyne-tseries.js";

const states = tseriesStates({ invalid: 14, zero: 15, span: 16, multipoint: 17, systemOk: 18, sampleFlow: 20, limits: [22, 23] });

export default defineModbusDriver({
  id: "teledyne-t300",
  version: 1,
  models: ["T300", "T300M", "M300E", "M300EM"],
  description: "Teledyne API T300/M300E gas-filter-correlation CO analyzer (manual 04906, App. A-7)",
  fields: [
    tFloat("co", 18, "ppm", "CO concentration, range 1", { base: 0.6, amplitude: 0.2, period_s: 900, noise: 0.02 }, "a21005"),
    tFloat("co_range2", 20, "ppm", "CO concentration, range 2", { base: 0.6, noise: 0.02 }),
    tFloat("co_stability", 22, "ppm", "Concentration stability", { base: 0.02, noise: 0.005 }),
    tFloat("detector_measure", 0, "mV", "Detector measure", { base: 2800, noise: 3 }),
    tFloat("detector_reference", 2, "mV", "Detector reference", { base: 3600, noise: 3 }),
    tFloat("bench_temp", 24, "°C", "Bench temperature", { base: 48, noise: 0.05 }),
    tFloat("sample_temp", 32, "°C", "Sample temperature", { base: 32, noise: 0.05 }),
    tFloat("sample_pressure", 34, "inHg", "Sample pressure", { base: 28.5, noise: 0.02 }),
    tFloat("box_temp", 36, "°C", "Box temperature", { base: 31, noise: 0.05 }),
  ],
  states,
  commands: TSERIES_COMMANDS,
  working: tseriesWorking(states),
});
