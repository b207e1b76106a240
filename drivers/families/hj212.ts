// The builder of the HJ 212 kind of driver (drivers/types.ts Hj212SerialDefinition): an instrument that
// sends HJ 212 frames itself. Data only; agent/bus/hj212-serial.ts listens with it and
// drivers/sim/hj212-serial.ts sends with it.
import { WORK_STATE, type Hj212SerialDefinition, type SerialDefaults } from "../types.js";

export function defineHj212Driver(input: { id: string; version: number; models: string[]; description: string; serial?: Partial<SerialDefaults> }): Hj212SerialDefinition {
  return {
    protocol: "hj212",
    ...input,
    serial: { baud: 9600, parity: "none", dataBits: 8, stopBits: 1, ...input.serial },
    valueKey: "Rtd",
    states: [],
    commands: {},
    channels: [],
    // A reading's own flag decides (C → 3 calibration, M → 1 maintenance, D → 2 fault, F → 9 standby).
    working: { normal: WORK_STATE.running },
  };
}
