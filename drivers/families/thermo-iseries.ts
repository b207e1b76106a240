// The Thermo Scientific iSeries MODBUS layout shared by the 42i, 43i, 48i and 49i (instruments.md §7,
// §1b): CDAB floats read with FC03 (FC04 reads the same registers), status bits read with FC01
// (FC02 returns the same bits), zero/span by write coils. Addresses here are PDU addresses: the
// manuals' register and coil numbers minus 1 (§7.0: the 43i/48i worked example "registers 10–13" at
// start address 0x0009, and the working 42i/43i logger drivers reading the first value at PDU 0).
// A unit that answers at the printed numbers takes `address_offset: 1`.
import { bit, coil, float32 } from "../define.js";
import { WORK_STATE, type CommandDef, type FieldDef, type SimHint, type StateDef, type WorkingStates } from "../types.js";

export interface IseriesValue {
  channel: string;
  /** PDU address (the manual's number − 1). */
  address: number;
  unit: string;
  code?: string;
  description: string;
  sim: SimHint;
}

/** A CDAB float at a PDU address, FC03. */
export const iseriesFloat = (v: IseriesValue): FieldDef =>
  float32({ channel: v.channel, fc: 3, address: v.address, order: "CDAB", unit: v.unit, code: v.code ?? "", description: v.description, sim: v.sim });

/**
 * The status bits (FC01, PDU = coil number − 1): SERVICE → M, ZERO MODE / SPAN MODE → C, GEN ALARM
 * → D (§7.1). `alarm` is the model's GEN ALARM bit (43i: 9, 42i: 10, 48i/49i: 7).
 */
export function iseriesStates(alarm: number, extra: StateDef[] = []): StateDef[] {
  return [
    bit({ fc: 1, address: 2, state: "service", flag: "M", description: "SERVICE mode (coil 3)" }),
    bit({ fc: 1, address: 4, state: "zero", flag: "C", description: "ZERO MODE (coil 5)" }),
    bit({ fc: 1, address: 5, state: "span", flag: "C", description: "SPAN MODE (coil 6)" }),
    bit({ fc: 1, address: alarm, state: "general-alarm", flag: "D", description: `GEN ALARM (coil ${alarm + 1})` }),
    ...extra,
  ];
}

/** Write coils 101/102 (PDU 100/101): 1 goes to zero/span mode, 0 back to sample; hold ≥ 1 s. */
export const ISERIES_COMMANDS: Record<string, CommandDef> = {
  zero: coil(100, "ZERO MODE (coil 101): ON goes to zero, OFF back to sample (hold ≥ 1 s)"),
  span: coil(101, "SPAN MODE (coil 102): ON goes to span, OFF back to sample (hold ≥ 1 s)"),
};

/**
 * Working states (HJ 212-2017 Table B.10, i12001): a continuous analyzer, 0 running; SERVICE → 1
 * maintenance, ZERO/SPAN MODE → 3 calibration, GEN ALARM → 2 fault, which is also its alarm (i12003).
 */
export const ISERIES_WORKING: WorkingStates = {
  normal: WORK_STATE.running,
  states: { service: WORK_STATE.maintenance, zero: WORK_STATE.calibration, span: WORK_STATE.calibration, "general-alarm": WORK_STATE.fault },
  alarms: ["general-alarm"],
};
