// Environmental γ dose-rate probe on RS-485 Modbus RTU. SYNTHETIC: instruments.md §4. No public Modbus
// map of an environmental γ monitor was found (station HPIC/NaI monitors mostly talk ASCII); this is
// the typical Chinese RS-485 sensor layout written down so that the agent has something to test against.
// Do not treat it as a real product: check the vendor's map, and override what differs.
//
// Ambiguities and overrides (analyzer `options`, drivers/configure.ts):
// - Function code: the map answers FC03 and FC04; we read FC03. `"*.fc": 4` reads input registers.
// - Codes: HJ 212 has no standard code for the γ dose rate. The national network publishes the air
//   absorbed dose rate in nGy/h; platforms assign their own code, so every channel's default code is
//   empty (stored, not uploaded) and the installer sets one: `channels: {dose_rate: {code: <code>}}`.
// - µSv/h (reg 2) is computed by the probe as nGy/h × h10 / 1000 with its own `h10` setting (default 1.0,
//   1.2 for H*(10) on many probes). An upload conversion of our own is per channel: `channels:
//   {dose_rate: {scale: 0.0012, unit: µSv/h}}`.
// - Status bits (reg 6): b2 detector fault → D, b3 over range → T, b4 self-test running → C (the check
//   source is on the detector), b5 maintenance → M, b6 HV low → D (the count rate is not trusted). b0/b1
//   (high / high-high alarm) are levels, not faults, and are not mapped. `"flag.<state>"` overrides.
// - Command 0x20: 1 starts the check-source self-test, 2 clears its result.
// - Working state (HJ 212-2017 Table B.10, i12001): continuous, 0 running; self-test → 3 calibration
//   (a check-source test), maintenance → 1, detector fault / HV low → 2 fault. b0/b1 are not read, so
//   no i12003.
import { defineModbusDriver, float32, int16, register, uint16, uint32, writeRegister } from "./define.js";
import { WORK_STATE } from "./types.js";

const status = (b: number, state: string, flag: "D" | "T" | "C" | "M", description: string) =>
  register({ fc: 3, address: 6, mask: 1 << b, state, flag, description: `Status bit ${b}: ${description}` });

export default defineModbusDriver({
  id: "gamma-rs485",
  version: 1,
  models: ["generic RS-485 γ probe (synthetic map)"],
  description: "Environmental γ dose-rate probe, RS-485 (synthetic map, instruments.md §4)",
  fields: [
    float32({ channel: "dose_rate", fc: 3, address: 0, unit: "nGy/h", description: "Air absorbed dose rate",
      sim: { base: 95, amplitude: 10, period_s: 86400, noise: 3 } }),
    float32({ channel: "dose_rate_usv", fc: 3, address: 2, unit: "µSv/h", description: "Dose rate (nGy/h × h10 / 1000)",
      sim: { base: 0.095, noise: 0.003 } }),
    uint32({ channel: "cpm", fc: 3, address: 4, unit: "cpm", description: "Counts per minute", sim: { base: 1200, noise: 30 } }),
    int16({ channel: "detector_temp", fc: 3, address: 7, scale: 0.1, unit: "°C", description: "Detector temperature",
      sim: { base: 25, noise: 0.1 } }),
    uint16({ channel: "hv", fc: 3, address: 8, unit: "V", description: "High voltage", sim: { base: 800 } }),
    uint16({ channel: "self_test_result", fc: 3, address: 9, unit: "", description: "Last self-test: 0 none, 1 pass, 2 fail",
      sim: { base: 1 } }),
  ],
  states: [
    status(2, "fault", "D", "detector fault"),
    status(3, "over-range", "T", "over range"),
    status(4, "self-test", "C", "self-test running"),
    status(5, "maintenance", "M", "maintenance"),
    status(6, "hv-low", "D", "HV low"),
  ],
  commands: {
    "self-test": writeRegister(0x20, 1, "Start the check-source self-test"),
    "clear-self-test": writeRegister(0x20, 2, "Clear the self-test result"),
  },
  working: { normal: WORK_STATE.running },
});
