// Thermo Scientific 48i gas-filter-correlation CO analyzer (iSeries MODBUS), Modbus TCP or RTU.
// Map: instruments.md §7.4 with §7.0/§7.1. Confidence L: the 48i appendix gives the protocol, the
// address base and the read-coil list (SERVICE, ZERO MODE); its register table was not found, so the
// CO position follows the iSeries pattern (first value at "1&2" = PDU 0).
//
// Ambiguities and overrides (analyzer `options`):
// - CO at PDU 0 is *assumed*: `"co.address": N` for a unit that reports it elsewhere.
// - Address base: PDU = number − 1 (§7.0); `address_offset: 1` for a unit at the printed numbers.
// - FC03 by default (`"*.fc": 4`), CDAB (`"*.order"`); CO in ppm (the 48i's unit).
// - SPAN MODE (coil 6) and GEN ALARM (coil 8) are assumed like the 49i; `"flag.<state>": "off"`.
import { defineModbusDriver } from "./define.js";
import { iseriesFloat, iseriesStates, ISERIES_COMMANDS, ISERIES_WORKING } from "./families/thermo-iseries.js";

export default defineModbusDriver({
  id: "thermo-48i",
  version: 1,
  models: ["48i", "48i-TLE"],
  description: "Thermo Scientific 48i gas-filter-correlation CO analyzer (iSeries MODBUS, CDAB floats)",
  fields: [
    iseriesFloat({ channel: "co", address: 0, unit: "ppm", code: "a21005", description: "CO concentration (assumed position)",
      sim: { base: 0.6, amplitude: 0.2, period_s: 900, noise: 0.02 } }),
  ],
  states: iseriesStates(7),
  commands: ISERIES_COMMANDS,
  working: ISERIES_WORKING,
});
