// Builders for ASCII driver files: an instrument that is asked for a record with a line of text and
// answers a header line and a data line of separated columns. A driver is one `defineAsciiDriver({...})`
// call; the poller (agent/bus/ascii.ts) and the simulator (drivers/sim/ascii.ts) both read it.
import type { AsciiCommandDef, AsciiDriverDefinition, AsciiFieldDef, AsciiStateDef, SerialDefaults, StateFlag, WorkingStates } from "./types.js";
import { FLAG_PRECEDENCE } from "./types.js";

/** A column value as written in a driver file: scale defaults to 1, code to "". */
export function column(input: Omit<AsciiFieldDef, "scale" | "code"> & { scale?: number; code?: string }): AsciiFieldDef {
  return { ...input, scale: input.scale ?? 1, code: input.code ?? "" };
}

/** A state column: active when its text is one of `when`, or by default any number other than 0. */
export function flagColumn(input: { column: string; index: number; state: string; flag: StateFlag; when?: string[]; description?: string }): AsciiStateDef {
  return { ...input };
}

/** A command that sends one line. */
export const line = (send: string, description?: string): AsciiCommandDef => ({ kind: "line", send, description });

export interface AsciiDriverInput {
  id: string;
  version: number;
  models: string[];
  description: string;
  serial?: Partial<SerialDefaults>;
  request: string;
  lineEnd?: string;
  separator?: string;
  headerStart: string;
  fields: AsciiFieldDef[];
  states?: AsciiStateDef[];
  commands?: Record<string, AsciiCommandDef>;
  working?: WorkingStates;
}

/** Problems with a definition, as "id: path message" strings; empty when it is sound. */
export function checkAsciiDefinition(d: AsciiDriverInput): string[] {
  const errors: string[] = [];
  const err = (path: string, msg: string) => errors.push(`${d.id}: ${path} ${msg}`);
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(d.id)) err("id", "must be kebab-case");
  if (!Number.isInteger(d.version) || d.version < 1) err("version", "must be a positive integer");
  if (!d.request) err("request", "must not be empty");
  if (!d.headerStart) err("headerStart", "must not be empty");
  const seen = new Set<string>();
  d.fields.forEach((f, i) => {
    if (seen.has(f.channel)) err(`fields[${i}].channel`, `"${f.channel}" is not unique`);
    seen.add(f.channel);
    if (!/^[a-z0-9_]+$/.test(f.channel)) err(`fields[${i}].channel`, "must be snake_case");
    if (!Number.isInteger(f.index) || f.index < 0) err(`fields[${i}].index`, "must be a column position ≥ 0");
    if (!(f.scale !== 0 && Number.isFinite(f.scale))) err(`fields[${i}].scale`, "must be a finite non-zero number");
  });
  (d.states ?? []).forEach((s, i) => {
    if (!(FLAG_PRECEDENCE as readonly string[]).includes(s.flag)) err(`states[${i}].flag`, `must be one of ${FLAG_PRECEDENCE.join(", ")}`);
    if (s.state === "ok" || s.state === "no-answer") err(`states[${i}].state`, `"${s.state}" is reserved`);
    if (!Number.isInteger(s.index) || s.index < 0) err(`states[${i}].index`, "must be a column position ≥ 0");
  });
  return errors;
}

/** Checks a definition and completes it (defaults, channels derived from fields). Throws on an unsound definition. */
export function defineAsciiDriver(input: AsciiDriverInput): AsciiDriverDefinition {
  const errors = checkAsciiDefinition(input);
  if (errors.length) throw new Error(`invalid driver definition:\n  ${errors.join("\n  ")}`);
  return {
    protocol: "ascii",
    ...input,
    serial: { baud: 9600, parity: "none", dataBits: 8, stopBits: 1, ...input.serial },
    lineEnd: input.lineEnd ?? "\r\n",
    separator: input.separator ?? ",",
    states: input.states ?? [],
    commands: input.commands ?? {},
    channels: input.fields.map((f) => ({ name: f.channel, unit: f.unit, code: f.code, description: f.description })),
  };
}
