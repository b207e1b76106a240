// Chinese surface-water analyzers (COD, CODMn, NH3-N, TP, TN) on the "DBS" (地表水) holding-register map.
// Map: instruments.md §3, from Langshi LuipStudio `DBS.ls`/`ModbusCoder.ls` and four data-logger drivers
// (Yimning/Daily-Code `rtuacq_protocol_cod_*.c`) that agree: FC03 holding registers 0x1000-0x12FF,
// float and int32 CDAB, times as 3 BCD registers `YY MM | DD hh | mm ss`. Confidence H.
//
// One driver for every factor. The HJ 212 code of `result` comes from the analyzer option
// `factor: cod | codmn | nh3n | tp | tn` (w01018, w01019, w21003, w21011, w21001); without it, from the
// factor register 0x1000, which holds the HJ 212 number (21003 → w21003). A channel `code` in the config
// wins over both.
//
// Sample time: the result at 0x1008 belongs to the water sample taken at the BCD time at 0x1005. That
// time becomes the reading's time, and the result is stored once per sample, not once per poll
// (agent/bus/readings.ts); the same holds for the standard/zero/span check results and their times.
// The instrument clock is local time: `options.timezone` (default Asia/Shanghai).
//
// Ambiguities and overrides (analyzer `options`, drivers/configure.ts):
// - Units: 0x1002 says 1 = mg/L; every factor we know reports mg/L, so the unit is fixed.
// - Status 0x1083: 2 standard check, 3 zero check, 4 span check, 9 curve calibration, 19 calibrating → C;
//   10 cleaning/maintenance → M; 1000 fault → D. 0 idle and 1 measuring are normal; 5 blank, 6 parallel,
//   7 spike recovery do not change the water result and are not mapped. Alarm 0x1085 = 7 (over range)
//   → T; the other alarms (reagent short, leak…) are warnings. Fault 0x1086 ≠ 0 → D.
//   Re-flag or ignore any state with `"flag.<state>": "<letter>" | "off"`.
// - The per-sample data flag at 0x100A (ASCII "N", "T", "lr"…) is not read: the flag comes from the states.
// - Control 0x1200 (FC06, or FC16 with parameters): the instrument ignores opcodes 1-11 and 19 unless it
//   is authorised, not in manual mode and not running another flow. "set-clock" writes 13 and the time
//   now in 0x1201-0x1203 in one FC16 request.
// - Some firmware map the same table elsewhere: `address_offset` shifts every address.
// - Working state (HJ 212-2017 Table B.10, i12001): status 0 idle → 9 standby (between cycles),
//   1 measuring → 7 measuring (a cycle), 2/3/4 standard/zero/span check → 3 calibration, 9 curve
//   calibration and 19 calibrating → 8 standardization (标定), 10 cleaning/maintenance → 1, 1000 and
//   the fault word → 2 fault. The alarm word's over-range is the instrument's alarm (i12003).
import { bcdTime, defineModbusDriver, float32, int32, register, writeRegister } from "./define.js";
import { WORK_STATE } from "./types.js";

const FACTORS = { cod: "w01018", codmn: "w01019", nh3n: "w21003", tp: "w21011", tn: "w21001" };
const check = (channel: string, address: number, time: number, description: string, base: number) =>
  float32({ channel, fc: 3, address, order: "CDAB", unit: "mg/L", description, sampleTime: bcdTime(3, time), sim: { base, noise: 0.05 } });
const status = (equals: number, state: string, flag: "C" | "M" | "D" | "N", description: string) =>
  register({ fc: 3, address: 0x1083, equals, state, flag, description: `Status ${equals}: ${description}` });

export default defineModbusDriver({
  id: "water-dbs",
  version: 1,
  models: ["COD", "CODMn", "NH3-N", "TP", "TN", "LuipStudio DBS"],
  description: "Chinese surface-water analyzer, DBS holding-register map (COD/CODMn/NH3-N/TP/TN)",
  fields: [
    float32({ channel: "result", fc: 3, address: 0x1008, order: "CDAB", unit: "mg/L", description: "Water sample result",
      sampleTime: bcdTime(3, 0x1005),
      codeFrom: { option: "factor", choices: FACTORS, channel: "factor_code", prefix: "w", digits: 5 },
      sim: { base: 15, amplitude: 3, period_s: 86400, noise: 0.2 } }),
    int32({ channel: "factor_code", fc: 3, address: 0x1000, order: "CDAB", unit: "", description: "Factor code (HJ 212 number)",
      sim: { base: 1018 } }),
    float32({ channel: "standard_value", fc: 3, address: 0x1003, order: "CDAB", unit: "mg/L", description: "Standard solution reference value",
      sim: { base: 20 } }),
    check("standard_check", 0x1013, 0x1010, "Standard check result", 20),
    check("zero_check", 0x1029, 0x1026, "Zero check result", 0.1),
    check("span_check", 0x1034, 0x1031, "Span check result", 20),
    float32({ channel: "range_high", fc: 3, address: 0x10a5, order: "CDAB", unit: "mg/L", description: "Range upper limit",
      sim: { base: 100 } }),
  ],
  states: [
    status(0, "idle", "N", "idle between cycles"),
    status(1, "measuring", "N", "measuring a water sample"),
    status(2, "standard-check", "C", "standard check"),
    status(3, "zero-check", "C", "zero check"),
    status(4, "span-check", "C", "span check"),
    status(9, "curve-calibration", "C", "curve calibration"),
    status(19, "calibrating", "C", "calibrating"),
    status(10, "maintenance", "M", "cleaning/maintenance"),
    status(1000, "fault", "D", "fault"),
    register({ fc: 3, address: 0x1085, equals: 7, state: "over-range", flag: "T", description: "Alarm 7: over range" }),
    register({ fc: 3, address: 0x1086, mask: 0xffff, state: "device-fault", flag: "D", description: "Fault word not 0 (motor, temperature, communication, running)" }),
  ],
  working: {
    normal: WORK_STATE.standby,
    states: {
      idle: WORK_STATE.standby, measuring: WORK_STATE.measuring,
      "standard-check": WORK_STATE.calibration, "zero-check": WORK_STATE.calibration, "span-check": WORK_STATE.calibration,
      "curve-calibration": WORK_STATE.standardization, calibrating: WORK_STATE.standardization,
      maintenance: WORK_STATE.maintenance, fault: WORK_STATE.fault, "device-fault": WORK_STATE.fault,
    },
    alarms: ["over-range"],
  },
  commands: {
    measure: writeRegister(0x1200, 1, "Measure a water sample"),
    "standard-check": writeRegister(0x1200, 2, "Standard check"),
    "zero-check": writeRegister(0x1200, 3, "Zero check"),
    "span-check": writeRegister(0x1200, 4, "Span check"),
    stop: writeRegister(0x1200, 11, "Stop (continuous mode becomes controlled)"),
    calibrate: writeRegister(0x1200, 19, "Calibrate"),
    "set-clock": writeRegister(0x1200, 13, "Set the instrument clock to the time now (BCD in 0x1201-0x1203)", "clock"),
  },
});
