// Screening rules: pure functions (reading, context) → hit | null. They look at one value and
// what came before it on the same channel (or the partner PM channel), never at the store.
// A hit adds a flag and a reason to the reading; the raw reading is never changed.
import type { Hj212Flag } from "../types.js";

export type RuleName = "range" | "negative" | "stuck" | "spike" | "pm_consistency";

export interface QcHit {
  flag: Hj212Flag;
  rule: string;
  reason: string;
}

/** A channel's rules, resolved from config and built-in defaults (see config.ts). */
export interface ChannelRules {
  range: readonly [number, number] | null;
  /** null: not checked. */
  negativeTolerance: number | null;
  /** 0: not checked. */
  stuckCount: number;
  stuckMinutes: number;
  /** null: not checked. */
  maxRatePerMin: number | null;
  flags: Readonly<Record<RuleName, Hj212Flag>>;
}

export interface PmCheck {
  tolerance: number;
  absTolerance: number;
  windowS: number;
}

/** The last value accepted as normal on this channel, and the current run of identical values. */
export interface ChannelHistory {
  last: { ts: number; value: number } | null;
  run: { value: number; count: number; since: number } | null;
}

export interface RuleContext {
  rules: ChannelRules;
  history: ChannelHistory;
  /** For PM2.5 the latest PM10 and vice versa, when the check is on. */
  partner?: { code: string; ts: number; value: number } | null;
  pm?: PmCheck | null;
}

/** The part of a reading the rules look at. */
export interface ScreenedValue {
  ts: number;
  code: string;
  value: number;
  unit: string;
}

export type Rule = (r: ScreenedValue, ctx: RuleContext) => QcHit | null;

const fmt = (v: number) => String(Number(v.toPrecision(6)));

export const rangeRule: Rule = (r, { rules }) => {
  if (!rules.range) return null;
  const [lo, hi] = rules.range;
  if (r.value >= lo && r.value <= hi) return null;
  return { flag: rules.flags.range, rule: "range", reason: `${fmt(r.value)} ${r.unit} is outside the physical range ${fmt(lo)}…${fmt(hi)}` };
};

export const negativeRule: Rule = (r, { rules }) => {
  const tol = rules.negativeTolerance;
  if (tol === null || r.value >= -tol) return null;
  return { flag: rules.flags.negative, rule: "negative", reason: `${fmt(r.value)} ${r.unit} is below the negative tolerance -${fmt(tol)}` };
};

/** Trips when this value completes a run of `stuckCount` identical values lasting `stuckMinutes`. */
export const stuckRule: Rule = (r, { rules, history }) => {
  const run = history.run;
  if (!rules.stuckCount || !run || run.value !== r.value) return null;
  const count = run.count + 1;
  const minutes = (r.ts - run.since) / 60_000;
  if (count < rules.stuckCount || minutes < rules.stuckMinutes) return null;
  return { flag: rules.flags.stuck, rule: "stuck", reason: `${fmt(r.value)} ${r.unit} repeated ${count} times over ${Math.round(minutes)} min` };
};

/** Rate of change against the last normal value; after a gap of 10 min or more there is nothing to compare. */
export const spikeRule: Rule = (r, { rules, history }) => {
  const max = rules.maxRatePerMin;
  const last = history.last;
  if (max === null || !last) return null;
  const dtMin = (r.ts - last.ts) / 60_000;
  if (dtMin <= 0 || dtMin >= 10) return null;
  // Readings closer than a second apart are compared as if a second apart: jitter is no spike.
  const rate = Math.abs(r.value - last.value) / Math.max(dtMin, 1 / 60);
  if (rate <= max) return null;
  return { flag: rules.flags.spike, rule: "spike", reason: `changed ${fmt(r.value - last.value)} ${r.unit} in ${fmt(dtMin * 60)} s (${fmt(rate)}/min > ${fmt(max)}/min)` };
};

export const PM25 = "a34004";
export const PM10 = "a34002";

/** PM2.5 must not exceed PM10 (PM2.5 is part of PM10); both values of an inconsistent pair are flagged. */
export const pmConsistencyRule: Rule = (r, { rules, partner, pm }) => {
  if (!pm || !partner || (r.code !== PM25 && r.code !== PM10)) return null;
  if (Math.abs(r.ts - partner.ts) > pm.windowS * 1000) return null;
  const [pm25, pm10] = r.code === PM25 ? [r.value, partner.value] : [partner.value, r.value];
  const limit = pm10 * (1 + pm.tolerance) + pm.absTolerance;
  if (pm25 <= limit) return null;
  return { flag: rules.flags.pm_consistency, rule: "pm_consistency", reason: `PM2.5 ${fmt(pm25)} > PM10 ${fmt(pm10)} (+${fmt(pm.tolerance * 100)} % +${fmt(pm.absTolerance)})` };
};

export const RULES: readonly Rule[] = [rangeRule, negativeRule, stuckRule, spikeRule, pmConsistencyRule];

/** Every rule's hit for one value. */
export function screen(r: ScreenedValue, ctx: RuleContext): QcHit[] {
  const hits: QcHit[] = [];
  for (let i = 0; i < RULES.length; i++) {
    const h = RULES[i](r, ctx);
    if (h) hits.push(h);
  }
  return hits;
}

/**
 * The history after a value. Only values without any flag feed `last`, so a spike is not the
 * reference for the next value; every value counts for the stuck run, flagged or not.
 */
export function nextHistory(h: ChannelHistory, r: ScreenedValue, normal: boolean): ChannelHistory {
  const run = h.run && h.run.value === r.value ? { ...h.run, count: h.run.count + 1 } : { value: r.value, count: 1, since: r.ts };
  return { last: normal ? { ts: r.ts, value: r.value } : h.last, run };
}
