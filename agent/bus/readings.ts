// From an analyzer's config and driver to requests, and from responses to Readings. Pure: the poller
// and the probe command do the I/O. States are resolved by the driver's flag precedence (drivers/types.ts).
import type { AnalyzerConfig } from "../../config/schema.js";
import { BCD_TIME_REGISTERS, decode, decodeBcdTime, encodeBcdTime, wordsToBuffer } from "../../drivers/codec.js";
import { configureDriver } from "../../drivers/configure.js";
import {
  FLAG_PRECEDENCE,
  NO_ANSWER_STATE,
  OK_STATE,
  registerCount,
  type DriverDefinition,
  type FieldDef,
  type StateDef,
  type StateDefFlag,
} from "../../drivers/types.js";
import { DEFAULT_TZ } from "../time.js";
import type { Hj212Flag, Reading } from "../types.js";
import { groupingFor, planReads, type GroupingParams, type ReadItem, type ReadRequest } from "./plan.js";

export type PollItem = ReadItem &
  ({ kind: "field"; field: FieldDef } | { kind: "state"; def: StateDef; flag: StateDefFlag } | { kind: "time"; key: string });

export interface AnalyzerPlan {
  analyzer: AnalyzerConfig;
  /** The analyzer's definition: its driver with the config's overrides applied (drivers/configure.ts). */
  driver: DriverDefinition;
  /** `driver-id@version`. */
  source: string;
  /** Enabled fields, in driver order. */
  fields: FieldDef[];
  requests: ReadRequest<PollItem>[];
  /** Zone of the instrument's clock, for sample times (options.timezone, default Asia/Shanghai). */
  timezone: string;
  /** Kept across polls: per channel, the raw sample time last emitted (a sample is stored once). */
  lastSample: Map<string, string>;
  /** Kept across polls: per channel, the code last read from the instrument (codeFrom), for B readings. */
  codes: Map<string, string>;
}

/** One answered request: the data and when it arrived. */
export interface PollResponse {
  request: ReadRequest<PollItem>;
  data: Uint16Array | boolean[];
  ts: number;
}

export interface ResolvedState {
  state: string;
  flag: Hj212Flag;
  /** Every active state name, in driver order. */
  active: string[];
}

const OVERRIDABLE = new Set<string>([...FLAG_PRECEDENCE, "N", "off"]);

/**
 * The flag a state implies for this analyzer: the driver's, unless `options["flag.<state>"]` overrides
 * it with another flag letter, or with "N"/"off" to ignore the state (instruments.md: installers override).
 */
function stateFlag(analyzer: AnalyzerConfig, def: StateDef): StateDefFlag | null {
  const override = analyzer.options[`flag.${def.state}`];
  if (override === undefined) return def.flag;
  if (typeof override !== "string" || !OVERRIDABLE.has(override))
    throw new Error(`analyzer ${analyzer.id}: options."flag.${def.state}" must be one of ${[...OVERRIDABLE].join(", ")}`);
  return override === "N" || override === "off" ? null : (override as StateDefFlag);
}

/** A field is read unless the config disables it; an optional one only when the config lists it. */
function enabled(analyzer: AnalyzerConfig, f: FieldDef): boolean {
  const c = analyzer.channels[f.channel];
  return f.optional ? c !== undefined && c.enabled !== false : c?.enabled !== false;
}

const timeKey = (t: { fc: number; address: number }) => `${t.fc}:${t.address}`;

export function planAnalyzer(analyzer: AnalyzerConfig, driverIn: DriverDefinition, grouping?: Partial<GroupingParams>): AnalyzerPlan {
  const driver = configureDriver(analyzer, driverIn);
  for (const name of Object.keys(analyzer.channels))
    if (!driver.fields.some((f) => f.channel === name) && !driver.hooks?.derived?.some((c) => c.name === name))
      throw new Error(`analyzer ${analyzer.id}: channels.${name}: driver ${driver.id} has no such channel`);
  const timezone = String(analyzer.options.timezone ?? DEFAULT_TZ);
  const fields = driver.fields.filter((f) => enabled(analyzer, f));
  const items: PollItem[] = fields.map((f) => ({ kind: "field", field: f, fc: f.fc, address: f.address, length: registerCount(f.type) }));
  const times = new Map(fields.filter((f) => f.sampleTime).map((f) => [timeKey(f.sampleTime!), f.sampleTime!]));
  for (const [key, t] of times) items.push({ kind: "time", key, fc: t.fc, address: t.address, length: BCD_TIME_REGISTERS });
  for (const def of driver.states) {
    const flag = stateFlag(analyzer, def);
    if (flag) items.push({ kind: "state", def, flag, fc: def.fc, address: def.address, length: 1 });
  }
  return {
    analyzer,
    driver,
    source: `${driver.id}@${driver.version}`,
    fields,
    requests: planReads(items, grouping ?? groupingFor(analyzer.coalesce, analyzer.max_gap, driver.mapped)),
    timezone,
    lastSample: new Map(),
    codes: new Map(),
  };
}

/**
 * The code a channel is uploaded under: the channel's config code, else (codeFrom) the option's choice
 * or the code the instrument reports, else the driver's default.
 */
function codeOf(plan: AnalyzerPlan, f: FieldDef, values?: ReadonlyMap<string, { words: Uint16Array }>): string {
  const configured = plan.analyzer.channels[f.channel]?.code;
  if (configured !== undefined) return configured;
  const from = f.codeFrom;
  if (!from) return f.code;
  const chosen = plan.analyzer.options[from.option];
  if (typeof chosen === "string" && chosen in from.choices) return from.choices[chosen];
  const source = plan.fields.find((g) => g.channel === from.channel);
  const got = source && values?.get(source.channel);
  if (source && got) {
    const n = decode(got.words, source.type, source.order, source.scale);
    if (Number.isInteger(n) && n > 0 && String(n).length <= from.digits) plan.codes.set(f.channel, from.prefix + String(n).padStart(from.digits, "0"));
    else plan.codes.delete(f.channel);
  }
  return plan.codes.get(f.channel) ?? f.code;
}

/**
 * The state to report: the active state whose flag comes first in F > D > M > C > T; with none,
 * the first active state that sets no flag (a water analyzer's "measuring"), else "ok"; flag N.
 */
export function resolveState(active: ReadonlyArray<{ state: string; flag: StateDefFlag }>): ResolvedState {
  let best: { state: string; flag: StateDefFlag } | undefined;
  const rank = (f: StateDefFlag) => (f === "N" ? FLAG_PRECEDENCE.length : FLAG_PRECEDENCE.indexOf(f));
  for (const s of active) if (!best || rank(s.flag) < rank(best.flag)) best = s;
  const names = [...new Set(active.map((s) => s.state))];
  return best ? { state: best.state, flag: best.flag, active: names } : { ...OK_STATE, active: [] };
}

function isActive(def: StateDef, data: Uint16Array | boolean[], offset: number): boolean {
  let signal: boolean;
  if (def.kind === "bit") signal = Boolean(data[offset]);
  else {
    const word = Number(data[offset]);
    signal = def.equals !== undefined ? (word & (def.mask ?? 0xffff)) === def.equals : (word & (def.mask ?? 0)) !== 0;
  }
  return signal !== def.inverted;
}

/** Readings of a successful poll: one per enabled field, each with the state of the whole instrument. */
/**
 * Readings of a successful poll: one per enabled field, each with the state of the whole instrument.
 * A field with a sample time gets that time as its ts, and is left out when its sample was already
 * emitted (same raw time as last time); a time that is no valid time (no sample yet) gives value null.
 */
export function decodePoll(plan: AnalyzerPlan, responses: readonly PollResponse[]): { readings: Reading[]; state: ResolvedState } {
  const active: Array<{ state: string; flag: StateDefFlag }> = [];
  const values = new Map<string, { words: Uint16Array; ts: number }>();
  const times = new Map<string, Uint16Array>();
  // Indexed loops: the service runs interpreted (--no-opt), where for…of allocates per step.
  for (let i = 0; i < responses.length; i++) {
    const r = responses[i];
    const items = r.request.items;
    for (let j = 0; j < items.length; j++) {
      const item = items[j];
      const offset = item.address - r.request.address;
      if (item.kind === "state") {
        if (isActive(item.def, r.data, offset)) active.push({ state: item.def.state, flag: item.flag });
      } else {
        const words = (r.data as Uint16Array).subarray(offset, offset + item.length);
        if (item.kind === "time") times.set(item.key, words);
        else values.set(item.field.channel, { words, ts: r.ts });
      }
    }
  }
  const state = resolveState(active);
  const readings: Reading[] = [];
  for (let i = 0; i < plan.fields.length; i++) {
    const f = plan.fields[i];
    const got = values.get(f.channel);
    const decoded = got ? decode(got.words, f.type, f.order, f.scale) : NaN;
    let ts = got?.ts ?? Date.now();
    // A float that is NaN or infinite is no value (instruments send NaN for "not available").
    let value = Number.isFinite(decoded) ? decoded : null;
    // The instrument's own "no value" word (WXT530 32767): no value, and the reading is flagged D.
    const invalid = got !== undefined && f.invalidWord !== undefined && got.words[0] === f.invalidWord;
    if (invalid) value = null;
    const timeWords = f.sampleTime && times.get(timeKey(f.sampleTime));
    if (timeWords) {
      const raw = wordsToBuffer(timeWords).toString("hex");
      if (plan.lastSample.get(f.channel) === raw) continue;
      plan.lastSample.set(f.channel, raw);
      const sampled = decodeBcdTime(timeWords, plan.timezone);
      if (sampled === null) value = null;
      else ts = sampled;
    }
    readings.push({
      ts,
      analyzer: plan.analyzer.id,
      channel: f.channel,
      code: codeOf(plan, f, values),
      value,
      unit: f.unit,
      flag: invalid && state.flag === "N" ? "D" : state.flag,
      state: invalid && state.flag === "N" ? "invalid-value" : state.state,
      raw: got ? wordsToBuffer(got.words) : null,
      source: plan.source,
    });
  }
  return { readings: derived(plan, readings), state };
}

/** The driver's derive hook (adam-4017 mA scaling, tuf2000 totalizer), if it has one. */
function derived(plan: AnalyzerPlan, readings: Reading[]): Reading[] {
  const derive = plan.driver.hooks?.derive;
  if (!derive) return readings;
  const out = derive(readings, plan.analyzer.options);
  // A derived channel the config disabled is not stored either.
  return out.filter((r) => plan.analyzer.channels[r.channel]?.enabled !== false);
}

/** Readings of a failed poll: every enabled channel, value null, flag B. Never silence. */
export function noAnswerReadings(plan: AnalyzerPlan, ts: number): Reading[] {
  return derived(plan, plan.fields.map((f) => ({
    ts,
    analyzer: plan.analyzer.id,
    channel: f.channel,
    code: codeOf(plan, f),
    value: null,
    unit: f.unit,
    flag: NO_ANSWER_STATE.flag,
    state: NO_ANSWER_STATE.state,
    raw: null,
    source: plan.source,
  })));
}

/** One Modbus write: FC05 a coil, FC06 one register, FC16 several. */
export interface CommandWrite {
  fc: 5 | 6 | 16;
  address: number;
  values: number[] | boolean[];
}

/**
 * The write that runs a driver command on its analyzer (`plan.driver`, overrides applied): a coil ON
 * (or OFF with `on: false`, to end a calibration), a register value, or a value with its parameters
 * in one FC16 request ("clock": the time now as BCD, in the instrument's zone).
 */
export function commandWrite(plan: Pick<AnalyzerPlan, "driver" | "timezone">, name: string, opts: { on?: boolean; now?: number } = {}): CommandWrite {
  const cmd = plan.driver.commands[name];
  if (!cmd) throw new RangeError(`driver ${plan.driver.id} has no command "${name}" (has: ${Object.keys(plan.driver.commands).join(", ") || "none"})`);
  if (cmd.kind === "coil") return { fc: 5, address: cmd.address, values: [opts.on ?? true] };
  if (cmd.params === "clock") return { fc: 16, address: cmd.address, values: [cmd.value, ...encodeBcdTime(opts.now ?? Date.now(), plan.timezone)] };
  return { fc: 6, address: cmd.address, values: [cmd.value] };
}
