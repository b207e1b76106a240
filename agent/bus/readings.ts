// From an analyzer's config and driver to requests, and from responses to Readings. Pure: the poller
// and the probe command do the I/O. States are resolved by the driver's flag precedence (drivers/types.ts).
import type { AnalyzerConfig } from "../../config/schema.js";
import { decode, wordsToBuffer } from "../../drivers/codec.js";
import {
  FLAG_PRECEDENCE,
  NO_ANSWER_STATE,
  OK_STATE,
  registerCount,
  type DriverDefinition,
  type FieldDef,
  type StateDef,
  type StateFlag,
} from "../../drivers/types.js";
import type { Hj212Flag, Reading } from "../types.js";
import { planReads, type GroupingParams, type ReadItem, type ReadRequest } from "./plan.js";

export type PollItem = ReadItem & ({ kind: "field"; field: FieldDef } | { kind: "state"; def: StateDef; flag: StateFlag });

export interface AnalyzerPlan {
  analyzer: AnalyzerConfig;
  driver: DriverDefinition;
  /** `driver-id@version`. */
  source: string;
  /** Enabled fields, in driver order. */
  fields: FieldDef[];
  requests: ReadRequest<PollItem>[];
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
function stateFlag(analyzer: AnalyzerConfig, def: StateDef): StateFlag | null {
  const override = analyzer.options[`flag.${def.state}`];
  if (override === undefined) return def.flag;
  if (typeof override !== "string" || !OVERRIDABLE.has(override))
    throw new Error(`analyzer ${analyzer.id}: options."flag.${def.state}" must be one of ${[...OVERRIDABLE].join(", ")}`);
  return override === "N" || override === "off" ? null : (override as StateFlag);
}

export function planAnalyzer(analyzer: AnalyzerConfig, driver: DriverDefinition, grouping?: Partial<GroupingParams>): AnalyzerPlan {
  for (const name of Object.keys(analyzer.channels))
    if (!driver.fields.some((f) => f.channel === name))
      throw new Error(`analyzer ${analyzer.id}: channels.${name}: driver ${driver.id} has no such channel`);
  const fields = driver.fields.filter((f) => analyzer.channels[f.channel]?.enabled !== false);
  const items: PollItem[] = fields.map((f) => ({ kind: "field", field: f, fc: f.fc, address: f.address, length: registerCount(f.type) }));
  for (const def of driver.states) {
    const flag = stateFlag(analyzer, def);
    if (flag) items.push({ kind: "state", def, flag, fc: def.fc, address: def.address, length: 1 });
  }
  return { analyzer, driver, source: `${driver.id}@${driver.version}`, fields, requests: planReads(items, grouping) };
}

/** The state to report: the active state whose flag comes first in F > D > M > C > T; "ok"/N when none. */
export function resolveState(active: ReadonlyArray<{ state: string; flag: StateFlag }>): ResolvedState {
  let best: { state: string; flag: StateFlag } | undefined;
  for (const s of active)
    if (!best || FLAG_PRECEDENCE.indexOf(s.flag) < FLAG_PRECEDENCE.indexOf(best.flag)) best = s;
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
export function decodePoll(plan: AnalyzerPlan, responses: readonly PollResponse[]): { readings: Reading[]; state: ResolvedState } {
  const active: Array<{ state: string; flag: StateFlag }> = [];
  const values = new Map<string, { words: Uint16Array; ts: number }>();
  for (const r of responses) {
    for (const item of r.request.items) {
      const offset = item.address - r.request.address;
      if (item.kind === "state") {
        if (isActive(item.def, r.data, offset)) active.push({ state: item.def.state, flag: item.flag });
      } else {
        const words = (r.data as Uint16Array).subarray(offset, offset + item.length);
        values.set(item.field.channel, { words, ts: r.ts });
      }
    }
  }
  const state = resolveState(active);
  const readings = plan.fields.map((f): Reading => {
    const got = values.get(f.channel);
    const decoded = got ? decode(got.words, f.type, f.order, f.scale) : NaN;
    return {
      ts: got?.ts ?? Date.now(),
      analyzer: plan.analyzer.id,
      channel: f.channel,
      code: plan.analyzer.channels[f.channel]?.code ?? f.code,
      // A float that is NaN or infinite is no value (instruments send NaN for "not available").
      value: Number.isFinite(decoded) ? decoded : null,
      unit: f.unit,
      flag: state.flag,
      state: state.state,
      raw: got ? wordsToBuffer(got.words) : null,
      source: plan.source,
    };
  });
  return { readings, state };
}

/** Readings of a failed poll: every enabled channel, value null, flag B. Never silence. */
export function noAnswerReadings(plan: AnalyzerPlan, ts: number): Reading[] {
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
