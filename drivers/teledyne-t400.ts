// Teledyne API T400 / 400E photometric ozone analyzer, Modbus TCP or RTU.
// Map: instruments.md §1, from the T400/400E manual (04402F/G) Appendix A-7 "MODBUS Register Map",
// pp. A-28..A-30. Addresses are the manual's own "dec., 0-based" = PDU addresses. Floats are FC04, ABCD.
//
// Ambiguities and how an installer overrides them (analyzer config):
// - Range: IR 18 is range 1, IR 20 range 2 (dual range mode). We upload range 1 as O3; an installer
//   using range 2 sets `channels: {o3: {enabled: false}, o3_range2: {code: a05024}}`.
// - The manual calls DI 9/10 "warnings". We flag them D (data not trusted while sample flow or pressure
//   is out of range); override with `options: {"flag.flow-warning": "N"}` (any state: "flag.<state>",
//   a flag letter, or "off" to ignore it). Other DI warnings (0..8, 11..18: lamps, temps, boards) are
//   not mapped: they do not invalidate the concentration by themselves.
// - DI 24 is SYSTEM_OK, a positive signal: 0 means the instrument reports a fault, hence `inverted`.
// - DI 25/26 (concentration alarm limits) exist only with the alarm option; without it they read 0.
// - Coils 20/21/22 enter zero/low-span/span calibration of range 1 while ON (instruments.md §1,
//   "Calibration"); 23/24/25 do the same for range 2 and are not offered as commands.
// - Working state (HJ 212-2017 Table B.10, i12001): a continuous analyzer, 0 running when no state is
//   active; zero/low-span/span/multipoint → 3 calibration; the warnings, invalid and SYSTEM_OK off → 2
//   fault. The concentration alarm limits (DI 25/26) are its alarm (i12003).
// - Mapped: the manual lists every input register from 0 to 57 (floats at the even addresses; 24..36
//   are the O3 generator and lamp values we do not read), so a poll reads IR 0..45 in one request
//   rather than 0..23 and 38..45 in two (instruments.md §1).
import { bit, coil, defineModbusDriver, float32 } from "./define.js";
import { WORK_STATE } from "./types.js";

export default defineModbusDriver({
  id: "teledyne-t400",
  version: 1,
  models: ["T400", "400E"],
  description: "Teledyne API T400/400E photometric O3 analyzer (manual 04402, App. A-7)",
  fields: [
    float32({ channel: "o3", fc: 4, address: 18, unit: "ppb", code: "a05024", description: "O3 concentration, range 1",
      sim: { base: 40, amplitude: 25, period_s: 600, noise: 0.5 } }),
    float32({ channel: "o3_range2", fc: 4, address: 20, unit: "ppb", description: "O3 concentration, range 2",
      sim: { base: 40, amplitude: 25, period_s: 600, noise: 0.5 } }),
    float32({ channel: "o3_stability", fc: 4, address: 22, unit: "ppb", description: "Concentration stability",
      sim: { base: 0.3, noise: 0.05 } }),
    float32({ channel: "photo_measure", fc: 4, address: 0, unit: "mV", description: "Photometer detector measure",
      sim: { base: 4200, amplitude: 10, period_s: 600, noise: 2 } }),
    float32({ channel: "photo_reference", fc: 4, address: 2, unit: "mV", description: "Photometer detector reference",
      sim: { base: 4210, noise: 2 } }),
    float32({ channel: "lamp_stability", fc: 4, address: 4, unit: "%", description: "Photometer lamp stability",
      sim: { base: 0.1, noise: 0.02 } }),
    float32({ channel: "cal_conc", fc: 4, address: 14, unit: "ppb", description: "Concentration during zero/span cal, range 1",
      sim: { base: 0 } }),
    float32({ channel: "sample_temp", fc: 4, address: 38, unit: "°C", description: "Sample temperature",
      sim: { base: 30, amplitude: 1, period_s: 3600, noise: 0.05 } }),
    float32({ channel: "sample_flow", fc: 4, address: 40, unit: "cc/min", description: "Sample flow",
      sim: { base: 800, noise: 3 } }),
    float32({ channel: "sample_pressure", fc: 4, address: 42, unit: "inHg", description: "Sample pressure",
      sim: { base: 29.5, noise: 0.02 } }),
    float32({ channel: "box_temp", fc: 4, address: 44, unit: "°C", description: "Box temperature",
      sim: { base: 31, amplitude: 1.5, period_s: 3600, noise: 0.05 } }),
  ],
  states: [
    bit({ fc: 2, address: 9, state: "flow-warning", flag: "D", description: "Sample flow warning" }),
    bit({ fc: 2, address: 10, state: "pressure-warning", flag: "D", description: "Sample pressure warning" }),
    bit({ fc: 2, address: 19, state: "invalid", flag: "D", description: "Invalid concentration" }),
    bit({ fc: 2, address: 20, state: "zero", flag: "C", description: "In zero calibration" }),
    bit({ fc: 2, address: 21, state: "low-span", flag: "C", description: "In low-span calibration" }),
    bit({ fc: 2, address: 22, state: "span", flag: "C", description: "In span calibration" }),
    bit({ fc: 2, address: 23, state: "multipoint", flag: "C", description: "In multipoint calibration mode" }),
    bit({ fc: 2, address: 24, state: "fault", flag: "D", inverted: true, description: "SYSTEM_OK off" }),
    bit({ fc: 2, address: 25, state: "over-limit", flag: "T", description: "Concentration alarm limit 1 exceeded (option)" }),
    bit({ fc: 2, address: 26, state: "over-limit", flag: "T", description: "Concentration alarm limit 2 exceeded (option)" }),
  ],
  commands: {
    zero: coil(20, "Zero calibration, range 1: ON enters, OFF exits"),
    "low-span": coil(21, "Low-span calibration, range 1: ON enters, OFF exits"),
    span: coil(22, "Span calibration, range 1: ON enters, OFF exits"),
  },
  working: { normal: WORK_STATE.running, alarms: ["over-limit"] },
  mapped: [{ fc: 4, from: 0, to: 57 }],
});
