// The shapes of a declarative Modbus driver. A driver file is data built from these (see define.ts);
// the poller reads with it and the simulator serves it, so the two cannot drift apart (style.md, drivers/).
import type { Reading } from "../agent/types.js";
import type { ChannelInfo, SimHint, StateDefFlag, StateFlag, WorkingStates } from "./common.js";
import type { BitFc, MappedSpan, RegisterFc, RegisterType, WordOrder } from "./registers.js";
import type { AsciiDriverDefinition, Hj212SerialDefinition } from "./types-serial.js";

// The vocabularies and the serial kinds live in their own files; everything is still exported here.
export * from "./registers.js";
export * from "./common.js";
export * from "./types-serial.js";

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
  /** Read only when the analyzer's config lists the channel (`channels: {pm1: {}}`): a register not every unit has. */
  optional?: boolean;
  /**
   * The instrument's own time of this value (a water analyzer's sample time): it becomes the reading's
   * ts, and a value is stored once per sample time, not once per poll (agent/bus/readings.ts).
   */
  sampleTime?: SampleTimeDef;
  /** The HJ 212 code is chosen per analyzer: by an option, else from the value of another channel. */
  codeFrom?: CodeFromDef;
  /** A raw register word that means "no value" (WXT530: 32767 signed, 65535 unsigned): value null, flag D. */
  invalidWord?: number;
}

/** Where a field's sample time is: 3 registers of BCD `YY MM | DD hh | mm ss`, instrument local time (codec.ts). */
export interface SampleTimeDef {
  fc: RegisterFc;
  address: number;
  type: "bcd-time";
}

/**
 * A code picked per analyzer (water-dbs: one driver for COD, NH3-N, TP…). `options[option]` names a key
 * of `choices`; without the option, the code is `prefix` + the value of `channel` padded to `digits`
 * (the instrument's factor register holds the HJ 212 number, 21003 → w21003). The channel's config
 * `code` still wins over both.
 */
export interface CodeFromDef {
  option: string;
  choices: Record<string, string>;
  channel: string;
  prefix: string;
  digits: number;
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
  /** "N": a state that only names the working state (see StateDefFlag). */
  flag: StateDefFlag;
  equals?: number;
  mask?: number;
  inverted: boolean;
  description?: string;
}

export type StateDef = BitStateDef | RegisterStateDef;

/** Something the agent can make the instrument do (calibration). */
export type CommandDef =
  | { kind: "coil"; address: number; description?: string }
  | {
      kind: "register";
      address: number;
      value: number;
      /** Parameters written after the value in one FC16 request: "clock" = the time now as 3 BCD registers. */
      params?: "clock";
      description?: string;
    };

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
  /** Fields and states come from each analyzer's `registers`/`states` config keys (generic-modbus; drivers/configure.ts). */
  fromConfig?: boolean;
  /** States as HJ 212 working states (i12001/i12003); default: normal 0, states by flag. */
  working?: WorkingStates;
  /** The instrument's own clock: where it is read, and the command (params "clock") that sets it (HJ 212 1011/1012 with PolId). */
  clock?: { read: SampleTimeDef; set: string };
  /** Address spans the manual maps without a hole: polls may read across them (drivers/registers.ts MappedSpan). */
  mapped?: MappedSpan[];
  /** Code for what a table cannot say (options that pick the map, values computed from several registers). */
  hooks?: DriverHooks;
}

/** Analyzer options as the config gives them (scalars only). */
export type DriverOptions = Readonly<Record<string, string | number | boolean>>;

/**
 * Driver code where the map needs it (style.md: code only where the protocol needs it). Both are pure:
 * the simulator serves the fields `fromOptions` returns, and the poller decodes them the same way.
 */
export interface DriverHooks {
  /**
   * The fields and states this analyzer has, chosen by its options (yosemitech `sensor`, ysi-exo
   * `params`, adam-4017 per-channel ranges), and what is wrong with those options (config errors, exit 78).
   */
  fromOptions?(options: DriverOptions): { fields: FieldDef[]; states?: StateDef[]; problems: string[] };
  /** Readings of one poll turned into what is stored (adam-4017 counts → mA → value; tuf2000 totalizer). */
  derive?(readings: Reading[], options: DriverOptions): Reading[];
  /** Channels `derive` adds that are no field (listed by `drivers`, accepted under `channels:`). */
  derived?: ChannelInfo[];
}

/** The Modbus kind of driver (it keeps the name DriverDefinition: it came first, and most code wants it). */
export type ModbusDriverDefinition = DriverDefinition;

/** Any driver in the registry; `protocol` says which kind, and the poller picks the transport by it. */
export type Driver = DriverDefinition | AsciiDriverDefinition | Hj212SerialDefinition;
