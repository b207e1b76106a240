// From an ASCII driver definition to Readings: what to send, when the answer is complete, and how its
// columns become values and states. Pure except pollAscii, which talks through an AsciiPort.
import type { AnalyzerConfig } from "../../config/schema.js";
import { FLAG_PRECEDENCE, NO_ANSWER_STATE, type AsciiDriverDefinition, type AsciiFieldDef, type AsciiStateDef, type StateFlag } from "../../drivers/types.js";
import type { Reading } from "../types.js";
import type { AsciiPort } from "./ascii-port.js";
import { BadResponseError, BusClosedError } from "./errors.js";
import type { PollOutcome } from "./poll.js";
import { resolveState } from "./readings.js";

export interface AsciiPlan {
  analyzer: AnalyzerConfig;
  driver: AsciiDriverDefinition;
  source: string;
  /** Enabled fields, in driver order. */
  fields: AsciiFieldDef[];
  states: Array<{ def: AsciiStateDef; flag: StateFlag }>;
  /** What is sent: the driver's request, or options.request. */
  request: string;
}

export interface ParsedRecord {
  /** Values by channel (NaN when the column is missing or not a number). */
  values: Map<string, number>;
  active: Array<{ state: string; flag: StateFlag }>;
  /** The record line as received. */
  line: string;
}

const OVERRIDABLE = new Set<string>([...FLAG_PRECEDENCE, "N", "off"]);

export function planAscii(analyzer: AnalyzerConfig, driver: AsciiDriverDefinition): AsciiPlan {
  for (const name of Object.keys(analyzer.channels))
    if (!driver.fields.some((f) => f.channel === name)) throw new Error(`analyzer ${analyzer.id}: channels.${name}: driver ${driver.id} has no such channel`);
  const states: AsciiPlan["states"] = [];
  for (const def of driver.states) {
    // Same override as the Modbus kind (readings.ts): options."flag.<state>" = a flag letter, or N/off to ignore.
    const override = analyzer.options[`flag.${def.state}`];
    if (override !== undefined && (typeof override !== "string" || !OVERRIDABLE.has(override)))
      throw new Error(`analyzer ${analyzer.id}: options."flag.${def.state}" must be one of ${[...OVERRIDABLE].join(", ")}`);
    const flag = override === undefined ? def.flag : override;
    if (flag !== "N" && flag !== "off") states.push({ def, flag: flag as StateFlag });
  }
  const request = analyzer.options.request;
  return {
    analyzer,
    driver,
    source: `${driver.id}@${driver.version}`,
    fields: driver.fields.filter((f) => analyzer.channels[f.channel]?.enabled !== false),
    states,
    request: typeof request === "string" ? request : driver.request,
  };
}

/** Column name without its "(unit)" suffix, for matching: "Conc(mg/m3)" → "conc". */
const bare = (name: string) => name.replace(/\(.*$/, "").trim().toLowerCase();

function isHeader(def: AsciiDriverDefinition, line: string): boolean {
  return bare(line.split(def.separator)[0] ?? "") === bare(def.headerStart);
}

function columnsNeeded(def: AsciiDriverDefinition): number {
  return Math.max(0, ...def.fields.map((f) => f.index), ...def.states.map((s) => s.index)) + 1;
}

/**
 * The last record line among `lines`, with the header before it if any; undefined when none arrived
 * yet. After a header a record has the header's column count; alone, enough columns for every index.
 */
export function findRecord(def: AsciiDriverDefinition, lines: readonly string[]): { header?: string; line: string } | undefined {
  const count = (l: string) => l.split(def.separator).length;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i];
    if (isHeader(def, line)) continue;
    const header = i > 0 && isHeader(def, lines[i - 1]) ? lines[i - 1] : undefined;
    if (header ? count(line) === count(header) : count(line) >= columnsNeeded(def)) return { header, line };
  }
  return undefined;
}

/** Values and active states of a record (header + line, or the line alone, where columns go by index). */
export function parseRecord(def: AsciiDriverDefinition, lines: readonly string[], states = def.states.map((d) => ({ def: d, flag: d.flag }))): ParsedRecord {
  const found = findRecord(def, lines);
  if (!found) throw new Error("no record line");
  const cells = found.line.split(def.separator).map((c) => c.trim());
  const names = found.header?.split(def.separator).map(bare);
  const cell = (column: string, index: number) => {
    const at = names ? names.indexOf(bare(column)) : index;
    return at >= 0 ? cells[at] : undefined;
  };
  const values = new Map<string, number>();
  for (const f of def.fields) {
    const text = cell(f.column, f.index);
    const n = text === undefined || text === "" ? NaN : Number(text);
    // toPrecision(12) drops binary noise of the scaling (0.042 × 1000 = 42, not 42.00000000000001).
    values.set(f.channel, Number.isFinite(n) ? Number((n * f.scale).toPrecision(12)) : NaN);
  }
  const active: ParsedRecord["active"] = [];
  for (const { def: s, flag } of states) {
    const text = cell(s.column, s.index);
    if (text === undefined) continue;
    const on = s.when ? s.when.includes(text) : Number(text) !== 0 && !Number.isNaN(Number(text));
    if (on) active.push({ state: s.state, flag });
  }
  return { values, active, line: found.line };
}

/** Readings of an answered poll: one per enabled field, each with the state of the whole instrument. */
export function decodeAscii(plan: AsciiPlan, lines: readonly string[], ts: number): Extract<PollOutcome, { ok: true }> {
  const parsed = parseRecord(plan.driver, lines, plan.states);
  const state = resolveState(parsed.active);
  const raw = Buffer.from(parsed.line, "latin1");
  const readings = plan.fields.map((f): Reading => {
    const v = parsed.values.get(f.channel) ?? NaN;
    return {
      ts,
      analyzer: plan.analyzer.id,
      channel: f.channel,
      code: plan.analyzer.channels[f.channel]?.code ?? f.code,
      value: Number.isFinite(v) ? v : null,
      unit: f.unit,
      flag: state.flag,
      state: state.state,
      raw,
      source: plan.source,
    };
  });
  return { ok: true, readings, state };
}

/** Readings of a failed poll: every enabled channel, value null, flag B. */
export function noAnswerAscii(plan: AsciiPlan, ts: number): Reading[] {
  return plan.fields.map((f) => ({
    ts,
    analyzer: plan.analyzer.id,
    channel: f.channel,
    code: plan.analyzer.channels[f.channel]?.code ?? f.code,
    value: null,
    unit: f.unit,
    flag: NO_ANSWER_STATE.flag,
    state: NO_ANSWER_STATE.state,
    raw: null,
    source: plan.source,
  }));
}

/** Asks for one record, retrying a timeout or a garbled answer; a failure becomes B readings. */
export async function pollAscii(port: AsciiPort, plan: AsciiPlan, timeoutMs: number, retries = plan.analyzer.retries): Promise<PollOutcome> {
  const { driver, analyzer } = plan;
  // The answer is complete with a record line, or with the prompt alone (the instrument answered, not with a record).
  const complete = (lines: readonly string[], tail: string) => findRecord(driver, lines) !== undefined || tail.trim() === "*" || lines.at(-1)?.trim() === "*";
  for (let attempt = 0; ; attempt++) {
    try {
      const { lines, ts } = await port.request(analyzer.slave, plan.request, driver.lineEnd, complete, timeoutMs);
      if (!findRecord(driver, lines))
        throw new BadResponseError({ bus: port.bus, slave: analyzer.slave, detail: `no record in ${JSON.stringify(lines.join("|").slice(0, 80))}` });
      return decodeAscii(plan, lines, ts);
    } catch (e) {
      if (e instanceof BusClosedError || attempt >= retries) return { ok: false, readings: noAnswerAscii(plan, Date.now()), error: e as Error };
    }
  }
}
