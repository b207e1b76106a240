// The shapes of a declarative Modbus driver. A driver file is data built from these (see define.ts);
// the poller reads with it and the simulator serves it, so the two cannot drift apart (style.md, drivers/).
import type { Hj212Flag } from "../agent/types.js";

/** Register value types. 16-bit types take one register, 32-bit types two. */
export type RegisterType = "int16" | "uint16" | "int32" | "uint32" | "float32";
export const REGISTER_TYPES: readonly RegisterType[] = ["int16", "uint16", "int32", "uint32", "float32"];

/**
 * Byte order of a value, A = most significant byte. For 32-bit values: ABCD = high word first
 * (big-endian), CDAB = low word first, BADC = bytes swapped in each word, DCBA = little-endian.
 * For 16-bit values only the byte order inside the register counts: ABCD/CDAB read AB, BADC/DCBA read BA.
 */
export type WordOrder = "ABCD" | "CDAB" | "BADC" | "DCBA";
export const WORD_ORDERS: readonly WordOrder[] = ["ABCD", "CDAB", "BADC", "DCBA"];

export type BitFc = 1 | 2;
export type RegisterFc = 3 | 4;
export type ReadFc = BitFc | RegisterFc;

/** Flags a state can imply. B (no answer) and S (manual input) come from the agent, never from an instrument. */
export type StateFlag = Extract<Hj212Flag, "F" | "D" | "M" | "C" | "T">;
/** When several states are active the reading takes the flag first in this list. */
export const FLAG_PRECEDENCE: readonly StateFlag[] = ["F", "D", "M", "C", "T"];
/** The state of an instrument with no active state. */
export const OK_STATE = { state: "ok", flag: "N" } as const;
/** The state of a reading whose poll failed (timeout, exception, closed port). */
export const NO_ANSWER_STATE = { state: "no-answer", flag: "B" } as const;

/** How the simulator makes a plausible value: base + amplitude·sin(2πt/period) + gaussian noise. */
export interface SimHint {
  base: number;
  amplitude?: number;
  period_s?: number;
  /** Standard deviation of the noise. */
  noise?: number;
}

/** A value read from registers. Every field is a channel; `code` is "" for diagnostics not uploaded by default. */
export interface FieldDef {
  channel: string;
  fc: RegisterFc;
  /** 0-based PDU address (instruments.md conventions). */
  address: number;
  type: RegisterType;
  order: WordOrder;
  /** decoded = raw × scale. */
  scale: number;
  unit: string;
  /** Default HJ 212 code; "" when the channel is stored but not uploaded unless the config gives a code. */
  code: string;
  description?: string;
  sim?: SimHint;
}

/** A state signalled by one bit (FC01 coil or FC02 discrete input). */
export interface BitStateDef {
  kind: "bit";
  fc: BitFc;
  address: number;
  state: string;
  flag: StateFlag;
  /** The bit is a positive signal ("System OK"): the state is active when the bit is 0. */
  inverted: boolean;
  description?: string;
}

/**
 * A state signalled by a register value (FC03/FC04). With `equals` the state is active when
 * (value & mask) === equals (mask defaults to 0xFFFF); with only `mask` it is active when any masked bit is set.
 */
export interface RegisterStateDef {
  kind: "register";
  fc: RegisterFc;
  address: number;
  state: string;
  flag: StateFlag;
  equals?: number;
  mask?: number;
  inverted: boolean;
  description?: string;
}

export type StateDef = BitStateDef | RegisterStateDef;

/** Something the agent can make the instrument do (calibration). */
export type CommandDef =
  | { kind: "coil"; address: number; description?: string }
  | { kind: "register"; address: number; value: number; description?: string };

/** What a channel is, for listings, config validation and upload. */
export interface ChannelInfo {
  name: string;
  unit: string;
  code: string;
  description?: string;
}

/** A complete Modbus driver definition: data only. */
export interface DriverDefinition {
  protocol: "modbus";
  id: string;
  version: number;
  models: string[];
  description: string;
  fields: FieldDef[];
  states: StateDef[];
  /** Keyed by command name; a command named like a state (e.g. "zero") puts the instrument in that state. */
  commands: Record<string, CommandDef>;
  /** Derived from fields. */
  channels: ChannelInfo[];
}

/** Registers a value of this type occupies. */
export function registerCount(type: RegisterType): 1 | 2 {
  return type === "int16" || type === "uint16" ? 1 : 2;
}
