// The Teledyne API T-series "MODBUS Register Map" layout shared by the T100, T200, T300 and T400
// (instruments.md §8, §1): 0-based PDU addresses; FC04 ABCD floats (range 1 is the one uploaded);
// FC02 discrete inputs for invalid concentration, calibration modes, System OK (a positive signal,
// hence inverted) and the sample-flow warning; FC05 calibration coils ("on enters cal.; off exits cal.").
// These analyzers have no maintenance bit.
import { bit, coil, float32 } from "../define.js";
import { WORK_STATE, type CommandDef, type FieldDef, type SimHint, type StateDef, type WorkingStates } from "../types.js";

/** An ABCD float input register (FC04). */
export const tFloat = (channel: string, address: number, unit: string, description: string, sim: SimHint, code = ""): FieldDef =>
  float32({ channel, fc: 4, address, unit, code, description, sim });

/** The discrete inputs of one model: where each of the family's signals is (§8.1 T100, §8.3 T300). */
export interface TseriesInputs {
  invalid: number;
  zero: number;
  span: number;
  multipoint?: number;
  systemOk: number;
  sampleFlow: number;
  /** Concentration alarm limits 1 and 2 (option) → T. */
  limits?: [number, number];
}

export function tseriesStates(i: TseriesInputs): StateDef[] {
  return [
    bit({ fc: 2, address: i.invalid, state: "invalid", flag: "D", description: "Invalid concentration" }),
    bit({ fc: 2, address: i.zero, state: "zero", flag: "C", description: "In zero calibration" }),
    bit({ fc: 2, address: i.span, state: "span", flag: "C", description: "In span calibration" }),
    ...(i.multipoint === undefined ? [] : [bit({ fc: 2, address: i.multipoint, state: "multipoint", flag: "C", description: "In multipoint calibration" })]),
    bit({ fc: 2, address: i.systemOk, state: "fault", flag: "D", inverted: true, description: "System is OK off" }),
    bit({ fc: 2, address: i.sampleFlow, state: "flow-warning", flag: "D", description: "Sample flow warning" }),
    ...(i.limits ?? []).map((a, n) => bit({ fc: 2, address: a, state: "over-limit", flag: "T", description: `Concentration alarm limit ${n + 1} exceeded (option)` })),
  ];
}

/** Coils 20/21: zero / span calibration of range 1, level-triggered (22/23 do range 2 and are not offered). */
export const TSERIES_COMMANDS: Record<string, CommandDef> = {
  zero: coil(20, "Zero calibration, range 1: ON enters, OFF exits"),
  span: coil(21, "Span calibration, range 1: ON enters, OFF exits"),
};

/**
 * Working states (Table B.10, i12001): 0 running; zero/span/multipoint calibration → 3, invalid
 * concentration, System OK off and the sample-flow warning → 2 fault (no maintenance bit). The
 * concentration alarm limits (option) are the analyzer's alarm (i12003) where the model has them.
 */
export function tseriesWorking(states: readonly StateDef[]): WorkingStates {
  const all = { zero: WORK_STATE.calibration, span: WORK_STATE.calibration, multipoint: WORK_STATE.calibration, invalid: WORK_STATE.fault, fault: WORK_STATE.fault, "flow-warning": WORK_STATE.fault };
  const has = (name: string) => states.some((s) => s.state === name);
  return {
    normal: WORK_STATE.running,
    states: Object.fromEntries(Object.entries(all).filter(([name]) => has(name))),
    ...(has("over-limit") ? { alarms: ["over-limit"] } : {}),
  };
}
