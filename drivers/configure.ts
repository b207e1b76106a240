// One analyzer's definition: its driver, with the installer's overrides from the analyzer config applied
// (instruments.md: "where a map is ambiguous, let the installer override it"), or, for a driver that
// takes its map from the config (generic-modbus), built from the `registers` and `states` keys.
// The poller plans its reads with the result and the simulator serves it, so both see the same map.
//
// Overrides, in `options` (every driver):
//   "<channel>.address": 19      the field's 0-based PDU address
//   "<channel>.fc": 3            function code 3 or 4
//   "<channel>.type": "uint16"   int16 | uint16 | int32 | uint32 | float32
//   "<channel>.order": "CDAB"    ABCD | CDAB | BADC | DCBA
//   "<channel>.scale": 0.01      value = raw × scale
//   "*.fc" / "*.order"           the same for every register field (and, for fc, register states and sample times)
//   "address_offset": -1         added to every address the driver reads or writes (a map counted from 1)
//   "timezone": "Asia/Shanghai"  zone of the instrument's clock, for sample times (the default)
// "flag.<state>" (agent/bus/readings.ts) changes a state's flag; a field's codeFrom option (water-dbs
// `factor`) must name one of its choices.
import type { AnalyzerConfig } from "../config/schema.js";
import { bit, channelsOf, checkDefinition, field, register } from "./define.js";
import {
  REGISTER_TYPES,
  WORD_ORDERS,
  type CommandDef,
  type DriverDefinition,
  type FieldDef,
  type RegisterFc,
  type StateDef,
} from "./types.js";

/** One thing wrong, and under which analyzer key it is. */
export interface DriverConfigProblem {
  key: "options" | "registers" | "states" | "driver";
  message: string;
}

/** An analyzer whose config does not fit its driver (a bad override, generic-modbus without registers). */
export class DriverConfigError extends Error {
  readonly driverConfig = true as const;
  constructor(
    readonly analyzer: string,
    readonly problems: DriverConfigProblem[],
  ) {
    super(`analyzer ${analyzer}: ${problems.map((p) => p.message).join("; ")}`);
    this.name = "DriverConfigError";
  }
}

/** What an analyzer config needs to carry for this module (raw YAML data checked by the schema fits too). */
export type AnalyzerInput = Pick<AnalyzerConfig, "id" | "options" | "registers" | "states">;

const FIELD_PROPS = ["address", "fc", "type", "order", "scale"] as const;
type FieldProp = (typeof FIELD_PROPS)[number];

/** The definition this analyzer is polled and simulated with. Throws DriverConfigError. */
export function configureDriver(analyzer: AnalyzerInput, driver: DriverDefinition): DriverDefinition {
  const problems: DriverConfigProblem[] = [];
  let def = driver.fromConfig ? fromRegisters(analyzer, driver, problems) : driver;
  if (driver.hooks?.fromOptions) {
    // The map this analyzer has, picked by its options (yosemitech sensor, adam-4017 ranges…).
    const picked = driver.hooks.fromOptions(analyzer.options ?? {});
    problems.push(...picked.problems.map((message) => ({ key: "options" as const, message })));
    def = withFields(def, picked.fields, picked.states ?? def.states, def.commands);
  }
  for (const key of ["registers", "states"] as const)
    if (!driver.fromConfig && analyzer[key]) problems.push({ key, message: `${key} is only for driver generic-modbus, which reads what the config lists; ${driver.id} has its own map` });
  def = applyOverrides(analyzer, def, problems);
  checkOptions(analyzer, def, problems);
  if (problems.length === 0)
    problems.push(...checkDefinition(def).map((p) => ({ key: driver.fromConfig ? ("registers" as const) : ("driver" as const), message: p.replace(/^[^:]+: /, "") })));
  if (problems.length) throw new DriverConfigError(analyzer.id, problems);
  return def;
}

/** The problems of an analyzer config with this driver; empty when configureDriver will succeed. */
export function analyzerProblems(analyzer: AnalyzerInput, driver: DriverDefinition): DriverConfigProblem[] {
  try {
    configureDriver(analyzer, driver);
    return [];
  } catch (e) {
    if (e instanceof DriverConfigError) return e.problems;
    throw e;
  }
}

/** Options that are not overrides: a codeFrom option names a choice, the timezone is a zone. */
function checkOptions(analyzer: AnalyzerInput, def: DriverDefinition, problems: DriverConfigProblem[]): void {
  const options = analyzer.options ?? {};
  for (const f of def.fields) {
    const chosen = f.codeFrom && options[f.codeFrom.option];
    if (f.codeFrom && chosen !== undefined && !(typeof chosen === "string" && chosen in f.codeFrom.choices))
      problems.push({ key: "options", message: `options.${f.codeFrom.option} must be one of ${Object.keys(f.codeFrom.choices).join(", ")}, got ${JSON.stringify(chosen)}` });
  }
  if (options.timezone !== undefined) {
    try {
      new Intl.DateTimeFormat("en", { timeZone: String(options.timezone) });
      if (typeof options.timezone !== "string") throw new RangeError();
    } catch {
      problems.push({ key: "options", message: `options.timezone must be an IANA zone such as Asia/Shanghai, got ${JSON.stringify(options.timezone)}` });
    }
  }
}

function fromRegisters(analyzer: AnalyzerInput, driver: DriverDefinition, problems: DriverConfigProblem[]): DriverDefinition {
  if (!analyzer.registers?.length) {
    problems.push({ key: "driver", message: `driver ${driver.id} needs a registers list, the values to read (see station.example.yaml)` });
    return driver;
  }
  const fields = analyzer.registers.map((r) =>
    field(r.type, { channel: r.channel, fc: r.fc, address: r.address, order: r.order, scale: r.scale, unit: r.unit, code: r.code ?? "", description: r.description }),
  );
  const states = (analyzer.states ?? []).map((s): StateDef => {
    const common = { address: s.address, state: s.state, flag: s.flag, inverted: s.inverted };
    if (s.fc === 1 || s.fc === 2) return bit({ fc: s.fc, ...common });
    return register({ fc: s.fc, ...common, equals: s.equals, mask: s.bit !== undefined ? 1 << s.bit : s.mask });
  });
  return withFields(driver, fields, states, driver.commands);
}

function withFields(driver: DriverDefinition, fields: FieldDef[], states: StateDef[], commands: Record<string, CommandDef>): DriverDefinition {
  return {
    ...driver,
    fields,
    states,
    commands,
    channels: channelsOf(fields, driver.hooks),
  };
}

function applyOverrides(analyzer: AnalyzerInput, def: DriverDefinition, problems: DriverConfigProblem[]): DriverDefinition {
  const options = analyzer.options ?? {};
  const byChannel = new Map<string, Partial<Record<FieldProp, unknown>>>();
  let offset = 0;
  for (const [key, value] of Object.entries(options)) {
    if (key === "address_offset") {
      if (!Number.isInteger(value)) problems.push({ key: "options", message: `options.address_offset must be an integer, got ${JSON.stringify(value)}` });
      else offset = value as number;
      continue;
    }
    const m = /^([a-z0-9_]+|\*)\.(address|fc|type|order|scale)$/.exec(key);
    if (!m) continue; // another option: flag.<state>, factor, timezone…
    const [, channel, prop] = m;
    if (channel !== "*" && !def.fields.some((f) => f.channel === channel)) {
      problems.push({ key: "options", message: `options."${key}": driver ${def.id} has no channel "${channel}" (its channels: ${def.fields.map((f) => f.channel).join(", ")})` });
      continue;
    }
    if (channel === "*" && prop !== "fc" && prop !== "order") {
      problems.push({ key: "options", message: `options."${key}": only *.fc and *.order apply to every field` });
      continue;
    }
    const bad = invalid(prop as FieldProp, value);
    if (bad) problems.push({ key: "options", message: `options."${key}" must be ${bad}, got ${JSON.stringify(value)}` });
    else byChannel.set(channel, { ...byChannel.get(channel), [prop]: value });
  }
  if (byChannel.size === 0 && offset === 0) return def;
  const all = byChannel.get("*") ?? {};
  const fc = all.fc as RegisterFc | undefined;
  const fields = def.fields.map((f): FieldDef => {
    const o = { ...all, ...byChannel.get(f.channel) } as Partial<FieldDef>;
    const sampleTime = f.sampleTime && { ...f.sampleTime, fc: fc ?? f.sampleTime.fc, address: f.sampleTime.address + offset };
    return { ...f, ...o, address: (o.address ?? f.address) + (byChannel.get(f.channel)?.address === undefined ? offset : 0), ...(sampleTime ? { sampleTime } : {}) };
  });
  const states = def.states.map((s): StateDef => (s.kind === "register" ? { ...s, fc: fc ?? s.fc, address: s.address + offset } : { ...s, address: s.address + offset }));
  const commands = Object.fromEntries(Object.entries(def.commands).map(([name, c]) => [name, { ...c, address: c.address + offset }]));
  // The manual's hole-free spans move with the whole map; a register moved on its own (or to another
  // function code) says this unit's map is not the manual's, so none of its spans is trusted.
  const moved = [...byChannel.values()].some((o) => o.address !== undefined || o.fc !== undefined);
  const mapped = moved ? undefined : def.mapped?.map((m) => ({ ...m, from: m.from + offset, to: m.to + offset })).filter((m) => m.from >= 0 && m.to <= 65535);
  return { ...withFields(def, fields, states, commands), mapped };
}

/** What a value of an override must be, or undefined when it is fine. */
function invalid(prop: FieldProp, v: unknown): string | undefined {
  switch (prop) {
    case "address":
      return Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535 ? undefined : "an integer from 0 to 65535";
    case "fc":
      return v === 3 || v === 4 ? undefined : "3 or 4";
    case "type":
      return (REGISTER_TYPES as readonly unknown[]).includes(v) ? undefined : `one of ${REGISTER_TYPES.join(", ")}`;
    case "order":
      return (WORD_ORDERS as readonly unknown[]).includes(v) ? undefined : `one of ${WORD_ORDERS.join(", ")}`;
    case "scale":
      return typeof v === "number" && v !== 0 && Number.isFinite(v) ? undefined : "a finite non-zero number";
  }
}
