// The shapes of a declarative Modbus driver. A driver file is data built from these (see define.ts);
// the poller reads with it and the simulator serves it, so the two cannot drift apart (style.md, drivers/).
import type { Hj212Flag, Reading } from "../agent/types.js";
import { FLAG_PRECEDENCE as STATION_FLAG_PRECEDENCE } from "../config/flags.js";

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
/** (The station's one precedence, config/flags.ts, restricted to the flags an instrument can imply.) */
export const FLAG_PRECEDENCE: readonly StateFlag[] = STATION_FLAG_PRECEDENCE.filter((f): f is StateFlag => "FDMCT".includes(f));
/**
 * A state that sets no flag ("N"): it only names what the instrument is doing (a water analyzer
 * idle between cycles or measuring one), for its working state (i12001). A flagged state wins over it.
 */
export type StateDefFlag = StateFlag | "N";

/** HJ 212-2017 Table B.10, the working state of a monitoring instrument (i12001-Info). */
export const WORK_STATE = {
  running: 0, // 运行
  maintenance: 1, // 维护
  fault: 2, // 故障
  calibration: 3, // 校准 (zero/span check)
  backflush: 5, // 反吹
  powerFault: 6, // 电源故障
  measuring: 7, // 测量
  standardization: 8, // 标定
  standby: 9, // 待机
  operation: 10, // 运维
} as const;
export type WorkState = (typeof WORK_STATE)[keyof typeof WORK_STATE];

/**
 * How a driver's states read as working states (i12001). Each driver file documents its table.
 * A state not named here maps by its flag: C → 3 calibration, M → 1 maintenance, D → 2 fault,
 * F → 9 standby, T → `normal`; no answer → 2.
 */
export interface WorkingStates {
  /** With no (flagged) state active: 0 running for a continuous analyzer. */
  normal: WorkState;
  /** Driver state name → working state. */
  states?: Record<string, WorkState>;
  /** States that are the instrument's alarm (i12003 = 1); a driver without them sends no i12003. */
  alarms?: string[];
}

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
  /** For a field with a sample time: the simulated instrument samples this often (s, default 3600). */
  sample_every_s?: number;
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
  /** Fields and states come from each analyzer's `registers`/`states` config keys (generic-modbus; drivers/configure.ts). */
  fromConfig?: boolean;
  /** States as HJ 212 working states (i12001/i12003); default: normal 0, states by flag. */
  working?: WorkingStates;
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

/** Registers a value of this type occupies. */
export function registerCount(type: RegisterType): 1 | 2 {
  return type === "int16" || type === "uint16" ? 1 : 2;
}

/** The Modbus kind of driver (it keeps the name DriverDefinition: it came first, and most code wants it). */
export type ModbusDriverDefinition = DriverDefinition;

// ---- The ASCII kind: an instrument asked for a record by a text command, answering CSV lines. ----

/** A value taken from one column of the instrument's record. */
export interface AsciiFieldDef {
  channel: string;
  /** Header name of the column, matched case-insensitively without its "(unit)" suffix: "Conc" matches "Conc(mg/m3)". */
  column: string;
  /** 0-based column position, used when the answer carries no header line. */
  index: number;
  /** decoded = number in the text × scale. */
  scale: number;
  unit: string;
  code: string;
  description?: string;
  sim?: SimHint;
}

/** A state signalled by a column: active when its text is one of `when` (default: a number other than 0). */
export interface AsciiStateDef {
  column: string;
  index: number;
  state: string;
  flag: StateFlag;
  when?: string[];
  description?: string;
}

/** A line of text that makes the instrument do something. */
export interface AsciiCommandDef {
  kind: "line";
  send: string;
  description?: string;
}

/** The line settings the instrument ships with (the bus config sets the real ones). */
export interface SerialDefaults {
  baud: number;
  parity: "none" | "even" | "odd";
  dataBits: 7 | 8;
  stopBits: 1 | 2;
}

/** A complete ASCII driver definition: data only; agent/bus/ascii.ts reads with it, drivers/sim/ascii.ts serves it. */
export interface AsciiDriverDefinition {
  protocol: "ascii";
  id: string;
  version: number;
  models: string[];
  description: string;
  serial: SerialDefaults;
  /** Sent to ask for one record (an analyzer may override it with options.request). */
  request: string;
  /** Ends each line of the answer. */
  lineEnd: string;
  /** Separates the columns of a line. */
  separator: string;
  /** The first column of the header line; a data line follows it. Lines before the header are ignored (menus, prompts). */
  headerStart: string;
  fields: AsciiFieldDef[];
  states: AsciiStateDef[];
  commands: Record<string, AsciiCommandDef>;
  channels: ChannelInfo[];
  /** States as HJ 212 working states (i12001/i12003); default: normal 0, states by flag. */
  working?: WorkingStates;
}

/**
 * The HJ 212 kind: an instrument that itself sends HJ 212 frames on its serial line (many CEMS and
 * water analyzers). Nothing is asked; the agent listens (agent/bus/hj212-serial.ts). Its channels are
 * the codes it sends, so there is no fixed list: `channels: {<code>: {code: …}}` remaps one.
 */
export interface Hj212SerialDefinition {
  protocol: "hj212";
  id: string;
  version: number;
  models: string[];
  description: string;
  serial: SerialDefaults;
  /** Which items of the CP become readings: "Rtd" takes `<code>-Rtd` with its `<code>-Flag`. */
  valueKey: "Rtd";
  /** No fixed states or commands: each value carries its own flag. */
  states: never[];
  commands: Record<string, never>;
  channels: ChannelInfo[];
  /** Working states (i12001): each value's flag maps by flag (C → 3, M → 1, D → 2, F → 9). */
  working?: WorkingStates;
}

/** Any driver in the registry; `protocol` says which kind, and the poller picks the transport by it. */
export type Driver = DriverDefinition | AsciiDriverDefinition | Hj212SerialDefinition;
