// 聚光 FPI CEMS-2000 system (gas analyzer and PLC), Modbus RTU.
// Map: instruments.md §11.2, from Yimning/Daily-Code rtuacq_protocol_cems_JuGuang_HeBei.c (Hebei platform
// variant; siblings …_JuGuang_HeBei_2000D.c, …_PLC_2000D.c): FC04 floats, CDAB, one value at a time. The
// driver names the vendor's 1-based register numbers ("30531"): the PDU address is the number − 1.
// Confidence M for SO2, NO, O2, humidity and status; L for CO and NO2 (only in a disabled table), which
// are therefore optional channels, read only when the config lists them (`channels: {co: {}}`).
//
// Status (PDU 530, "531"): a float carrying an integer code. 2, 3 calibration → C; 4, 8, 9, 10 fault → D;
// 5 maintenance → M; 11 stopped → F; 0, 1 normal; 6, 7 blowback (反吹) are left unflagged, as the logger
// flags them its own way (`"flag.<state>"` cannot add them; a generic-modbus `states:` entry can). A small
// integer's float has a zero low word, so the code is matched on the high word (PDU 531 in CDAB), which
// tolerates a fraction below 2^-7 of the value (the logger compares with ±0.0001).
//
// NOx: the logger uploads NO × 1.53 (as NO2); set `channels: {no: {code: a21002, scale: 1.53}}` for that.
// Overrides: "<channel>.address", "*.order", address_offset, "flag.<state>" (drivers/configure.ts).
import { encode } from "./codec.js";
import { defineModbusDriver, float32, register } from "./define.js";
import { WORK_STATE, type SimHint, type StateDef, type StateFlag } from "./types.js";

const gas = (channel: string, address: number, unit: string, code: string, description: string, sim: SimHint, optional = false) =>
  float32({ channel, fc: 4, address, order: "CDAB", unit, code, description, sim, ...(optional ? { optional } : {}) });
/** The status code `n` as the high word of its float, at PDU 531 (CDAB: the second register). */
const status = (n: number, state: string, flag: StateFlag): StateDef =>
  register({ fc: 4, address: 531, equals: encode(n, "float32", "ABCD")[0], state, flag, description: `Status code ${n} (float at 530-531)` });

export default defineModbusDriver({
  id: "fpi-cems2000",
  version: 1,
  models: ["CEMS-2000", "CEMS-2000D"],
  description: "FPI (聚光) CEMS-2000: SO2, NO, O2, flue humidity (FC04, CDAB floats at the vendor's numbers − 1)",
  fields: [
    gas("so2", 306, "mg/m3", "a21026", "SO2 (reg. 307)", { base: 35, amplitude: 10, period_s: 1800, noise: 0.5 }),
    gas("no", 346, "mg/m3", "a21003", "NO (reg. 347)", { base: 60, amplitude: 15, period_s: 1800, noise: 0.8 }),
    gas("o2", 426, "%", "a19001", "O2 (reg. 427)", { base: 9.5, amplitude: 1, period_s: 1800, noise: 0.05 }),
    gas("co", 466, "mg/m3", "a21005", "CO (reg. 467; disabled table only)", { base: 20, noise: 0.5 }, true),
    gas("humidity", 486, "%", "a01014", "Flue gas humidity (reg. 487)", { base: 8, noise: 0.1 }),
    gas("no2", 496, "mg/m3", "a21004", "NO2 (reg. 497; disabled table only)", { base: 5, noise: 0.2 }, true),
  ],
  states: [
    status(2, "calibration", "C"),
    status(3, "calibration", "C"),
    status(4, "fault", "D"),
    status(8, "fault", "D"),
    status(9, "fault", "D"),
    status(10, "fault", "D"),
    status(5, "maintenance", "M"),
    status(11, "stopped", "F"),
  ],
  // Working state (Table B.10, i12001): 0 running; status 2/3 → 3 calibration, 4/8/9/10 → 2 fault,
  // 5 → 1 maintenance, 11 stopped → 9 standby.
  working: {
    normal: WORK_STATE.running,
    states: { calibration: WORK_STATE.calibration, fault: WORK_STATE.fault, maintenance: WORK_STATE.maintenance, stopped: WORK_STATE.standby },
    alarms: ["fault"],
  },
});
