// Builders for driver files: a driver is one `defineModbusDriver({...})` call over these presets
// (style.md §1: a preset is a few lines calling one primitive). They fill defaults and check the data.
import type {
  BitFc,
  BitStateDef,
  ChannelInfo,
  CommandDef,
  DriverHooks,
  DriverDefinition,
  FieldDef,
  MappedSpan,
  RegisterFc,
  RegisterStateDef,
  RegisterType,
  SampleTimeDef,
  StateDef,
  StateDefFlag,
  StateFlag,
  WordOrder,
  WorkingStates,
} from "./types.js";
import { FLAG_PRECEDENCE, registerCount } from "./types.js";

/** A field as written in a driver file: order defaults to ABCD, scale to 1, code to "". */
export type FieldInput = Omit<FieldDef, "type" | "order" | "scale" | "code"> & {
  order?: WordOrder;
  scale?: number;
  code?: string;
};

/** The primitive every type preset calls. */
export function field(type: RegisterType, input: FieldInput): FieldDef {
  return { ...input, type, order: input.order ?? "ABCD", scale: input.scale ?? 1, code: input.code ?? "" };
}
export const int16 = (input: FieldInput) => field("int16", input);
export const uint16 = (input: FieldInput) => field("uint16", input);
export const int32 = (input: FieldInput) => field("int32", input);
export const uint32 = (input: FieldInput) => field("uint32", input);
export const float32 = (input: FieldInput) => field("float32", input);

/** A state signalled by one coil (FC01) or discrete input (FC02); `inverted` for positive signals like "System OK". */
export function bit(input: { fc: BitFc; address: number; state: string; flag: StateFlag; inverted?: boolean; description?: string }): BitStateDef {
  return { kind: "bit", ...input, inverted: input.inverted ?? false };
}

/** A state signalled by a register value (`equals`) or by register bits (`mask`), FC03/FC04. */
export function register(input: {
  fc: RegisterFc;
  address: number;
  state: string;
  flag: StateDefFlag;
  equals?: number;
  mask?: number;
  inverted?: boolean;
  description?: string;
}): RegisterStateDef {
  return { kind: "register", ...input, inverted: input.inverted ?? false };
}

/** A command that writes a coil: ON starts it, OFF ends it. */
export const coil = (address: number, description?: string): CommandDef => ({ kind: "coil", address, description });
/** A command that writes one value to a holding register; with params "clock" the time now follows it (FC16). */
export const writeRegister = (address: number, value: number, description?: string, params?: "clock"): CommandDef => ({
  kind: "register",
  address,
  value,
  description,
  ...(params ? { params } : {}),
});

/** A sample time of 3 BCD registers (instruments.md §3), for a field's `sampleTime`. */
export const bcdTime = (fc: RegisterFc, address: number): SampleTimeDef => ({ fc, address, type: "bcd-time" });

export interface DriverInput {
  id: string;
  version: number;
  models: string[];
  description: string;
  fields: FieldDef[];
  states?: StateDef[];
  commands?: Record<string, CommandDef>;
  fromConfig?: boolean;
  working?: WorkingStates;
  clock?: { read: SampleTimeDef; set: string };
  /** Address spans the manual maps without a hole (MappedSpan): polls may read across them. */
  mapped?: MappedSpan[];
  hooks?: DriverHooks;
  /** The channels, when fields alone do not say (fields chosen by options: every channel any choice has). */
  channels?: ChannelInfo[];
}

/** Channels of fields, then the ones a derive hook adds. */
export function channelsOf(fields: readonly FieldDef[], hooks?: DriverHooks): ChannelInfo[] {
  return [...fields.map((f) => ({ name: f.channel, unit: f.unit, code: f.code, description: f.description })), ...(hooks?.derived ?? [])];
}

/** Problems with a definition, as "id: path message" strings; empty when it is sound. */
export function checkDefinition(d: DriverInput): string[] {
  const errors: string[] = [];
  const err = (path: string, msg: string) => errors.push(`${d.id}: ${path} ${msg}`);
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(d.id)) err("id", "must be kebab-case");
  if (!Number.isInteger(d.version) || d.version < 1) err("version", "must be a positive integer");
  const seen = new Set<string>();
  d.fields.forEach((f, i) => {
    if (seen.has(f.channel)) err(`fields[${i}].channel`, `"${f.channel}" is not unique`);
    seen.add(f.channel);
    if (!/^[a-z0-9_]+$/.test(f.channel)) err(`fields[${i}].channel`, "must be snake_case");
    if (!Number.isInteger(f.address) || f.address < 0 || f.address + registerCount(f.type) > 65536)
      err(`fields[${i}].address`, "must fit in 0..65535 with its length");
    if (!(f.scale !== 0 && Number.isFinite(f.scale))) err(`fields[${i}].scale`, "must be a finite non-zero number");
    if (f.sampleTime && !(Number.isInteger(f.sampleTime.address) && f.sampleTime.address >= 0 && f.sampleTime.address + 3 <= 65536))
      err(`fields[${i}].sampleTime.address`, "must fit in 0..65535 with its 3 registers");
    if (f.codeFrom && !d.fields.some((g) => g.channel === f.codeFrom!.channel)) err(`fields[${i}].codeFrom.channel`, `"${f.codeFrom.channel}" is no field`);
  });
  (d.states ?? []).forEach((s, i) => {
    if (!Number.isInteger(s.address) || s.address < 0 || s.address > 65535) err(`states[${i}].address`, "must be 0..65535");
    const flags: readonly string[] = s.kind === "register" ? [...FLAG_PRECEDENCE, "N"] : FLAG_PRECEDENCE;
    if (!flags.includes(s.flag)) err(`states[${i}].flag`, `must be one of ${flags.join(", ")}`);
    if (s.state === "ok" || s.state === "no-answer") err(`states[${i}].state`, `"${s.state}" is reserved`);
    if (s.kind === "register" && s.equals === undefined && s.mask === undefined) err(`states[${i}]`, "needs equals or mask");
  });
  if (d.clock && (d.commands ?? {})[d.clock.set]?.kind !== "register") err("clock.set", `"${d.clock.set}" is no register command`);
  for (const name of [...Object.keys(d.working?.states ?? {}), ...(d.working?.alarms ?? [])])
    if (!(d.states ?? []).some((s) => s.state === name)) err(`working`, `names "${name}", which is no state`);
  for (const [name, c] of Object.entries(d.commands ?? {}))
    if (!Number.isInteger(c.address) || c.address < 0 || c.address > 65535) err(`commands.${name}.address`, "must be 0..65535");
  (d.mapped ?? []).forEach((m, i) => {
    if (![1, 2, 3, 4].includes(m.fc)) err(`mapped[${i}].fc`, "must be 1, 2, 3 or 4");
    if (!(Number.isInteger(m.from) && Number.isInteger(m.to) && 0 <= m.from && m.from <= m.to && m.to <= 65535)) err(`mapped[${i}]`, "needs 0 <= from <= to <= 65535");
  });
  return errors;
}

/** Checks a definition and completes it (channels derived from fields). Throws on an unsound definition. */
export function defineModbusDriver(input: DriverInput): DriverDefinition {
  const errors = checkDefinition(input);
  if (errors.length) throw new Error(`invalid driver definition:\n  ${errors.join("\n  ")}`);
  return {
    protocol: "modbus",
    ...input,
    states: input.states ?? [],
    commands: input.commands ?? {},
    channels: input.channels ?? channelsOf(input.fields, input.hooks),
  };
}
