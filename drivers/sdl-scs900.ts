// 雪迪龙 SDL SCS-900 CEMS gas analyzer (SCS-900UV / SCS-900C), Modbus RTU.
// Map: instruments.md §11.1, from two data-logger drivers that agree (Yimning/Daily-Code
// rtuacq_protocol_cems_BJXueDiLong_scs900uv.c: FC04 from 0x0A, 12 registers; …_scs900c.c: FC04 from
// 0x0C). No vendor manual was found. Floats are ABCD. Confidence M.
//
// Status words (FC04): 0x000A high byte = fault/alarm code (≠ 0 → D); 0x000A low byte = working state
// (0/1 measuring, 2-7 calibration-related → C; the SCS-900C driver flags 3-7 only: `"flag.calibration-2":
// "off"`); 0x000B low byte = maintenance (≠ 0 → M). Precedence fault > maintenance > calibration, as in
// both drivers (the station's F > D > M > C order gives the same).
//
// Values are dry, raw concentrations in mg/m³ (O2 in %). O2-referenced (折算) values come from the agent
// (channel `reference_o2`), not from this analyzer. When NOx reads 0 the loggers upload NO × 1.53 + NO2;
// we report what the analyzer sends. No Modbus calibration command in these sources.
// Overrides: "<channel>.address", "*.order", address_offset, "flag.<state>" (drivers/configure.ts).
import { defineModbusDriver, float32, register } from "./define.js";
import { WORK_STATE, type SimHint, type StateDef } from "./types.js";

const gas = (channel: string, address: number, unit: string, code: string, description: string, sim: SimHint) =>
  float32({ channel, fc: 4, address, unit, code, description, sim });
const calibration = (n: number): StateDef =>
  register({ fc: 4, address: 0x000a, mask: 0x00ff, equals: n, state: `calibration-${n}`, flag: "C", description: `Working state ${n}: calibration-related` });

export default defineModbusDriver({
  id: "sdl-scs900",
  version: 1,
  models: ["SCS-900", "SCS-900UV", "SCS-900C"],
  description: "SDL (雪迪龙) SCS-900 CEMS gas analyzer: SO2, NO, NO2, NOx, O2 (FC04, ABCD floats)",
  fields: [
    gas("so2", 0x000c, "mg/m3", "a21026", "SO2 (dry, measured)", { base: 35, amplitude: 10, period_s: 1800, noise: 0.5 }),
    gas("no", 0x000e, "mg/m3", "a21003", "NO (dry, measured)", { base: 60, amplitude: 15, period_s: 1800, noise: 0.8 }),
    gas("o2", 0x0010, "%", "a19001", "O2", { base: 9.5, amplitude: 1, period_s: 1800, noise: 0.05 }),
    gas("no2", 0x0012, "mg/m3", "a21004", "NO2 (dry, measured)", { base: 5, noise: 0.2 }),
    gas("nox", 0x0014, "mg/m3", "a21002", "NOx as NO2 (dry, measured)", { base: 97, amplitude: 20, period_s: 1800, noise: 1 }),
  ],
  states: [
    register({ fc: 4, address: 0x000a, mask: 0xff00, state: "fault", flag: "D", description: "Fault/alarm code (0x000A high byte) not 0" }),
    register({ fc: 4, address: 0x000b, mask: 0x00ff, state: "maintenance", flag: "M", description: "Maintenance (0x000B low byte) not 0" }),
    ...[2, 3, 4, 5, 6, 7].map(calibration),
  ],
  // Working state (Table B.10, i12001): 0 running; fault code → 2 fault (also its alarm, i12003),
  // maintenance → 1, working states 2-7 → 3 calibration.
  working: {
    normal: WORK_STATE.running,
    states: { fault: WORK_STATE.fault, maintenance: WORK_STATE.maintenance, ...Object.fromEntries([2, 3, 4, 5, 6, 7].map((n) => [`calibration-${n}`, WORK_STATE.calibration])) },
    alarms: ["fault"],
  },
});
