// The shapes of the two serial kinds of driver besides Modbus: ASCII (asked by a text command,
// answering CSV lines) and HJ 212 (sending frames itself). Re-exported by drivers/types.ts.
import type { ChannelInfo, SimHint, StateFlag, WorkingStates } from "./common.js";

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
