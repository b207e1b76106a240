import { test } from "node:test";
import assert from "node:assert/strict";
import {
  negativeRule, nextHistory, pmConsistencyRule, rangeRule, screen, spikeRule, stuckRule,
  type ChannelHistory, type ChannelRules, type RuleContext, type ScreenedValue,
} from "../../../agent/qc/rules.js";
import { defaultRange, resolveRules } from "../../../agent/qc/config.js";

const FLAGS = { range: "T", negative: "T", stuck: "D", spike: "D", pm_consistency: "D" } as const;
const rules = (o: Partial<ChannelRules> = {}): ChannelRules => ({ range: null, negativeTolerance: null, stuckCount: 0, stuckMinutes: 0, maxRatePerMin: null, flags: FLAGS, ...o });
const empty: ChannelHistory = { last: null, run: null };
const v = (value: number, ts = 600_000, code = "a05024"): ScreenedValue => ({ ts, code, value, unit: "ppb" });
const ctx = (o: Partial<RuleContext> = {}): RuleContext => ({ rules: rules(), history: empty, ...o });

const cases: { name: string; rule: typeof rangeRule; value: ScreenedValue; ctx: RuleContext; want: string | null }[] = [
  // physical range
  { name: "range: inside", rule: rangeRule, value: v(500), ctx: ctx({ rules: rules({ range: [0, 1000] }) }), want: null },
  { name: "range: at the top", rule: rangeRule, value: v(1000), ctx: ctx({ rules: rules({ range: [0, 1000] }) }), want: null },
  { name: "range: above", rule: rangeRule, value: v(1000.1), ctx: ctx({ rules: rules({ range: [0, 1000] }) }), want: "T" },
  { name: "range: below", rule: rangeRule, value: v(-0.1), ctx: ctx({ rules: rules({ range: [0, 1000] }) }), want: "T" },
  { name: "range: not configured", rule: rangeRule, value: v(1e9), ctx: ctx(), want: null },
  // negative beyond tolerance
  { name: "negative: within tolerance", rule: negativeRule, value: v(-2), ctx: ctx({ rules: rules({ negativeTolerance: 2 }) }), want: null },
  { name: "negative: beyond tolerance", rule: negativeRule, value: v(-2.01), ctx: ctx({ rules: rules({ negativeTolerance: 2 }) }), want: "T" },
  { name: "negative: not checked", rule: negativeRule, value: v(-50), ctx: ctx(), want: null },
  // stuck value: count and duration must both be reached
  { name: "stuck: run one short", rule: stuckRule, value: v(7, 600_000), ctx: ctx({ rules: rules({ stuckCount: 5, stuckMinutes: 5 }), history: { last: null, run: { value: 7, count: 3, since: 0 } } }), want: null },
  { name: "stuck: run complete", rule: stuckRule, value: v(7, 600_000), ctx: ctx({ rules: rules({ stuckCount: 5, stuckMinutes: 5 }), history: { last: null, run: { value: 7, count: 4, since: 0 } } }), want: "D" },
  { name: "stuck: count reached but too short", rule: stuckRule, value: v(7, 60_000), ctx: ctx({ rules: rules({ stuckCount: 5, stuckMinutes: 5 }), history: { last: null, run: { value: 7, count: 10, since: 0 } } }), want: null },
  { name: "stuck: a different value", rule: stuckRule, value: v(7.01, 600_000), ctx: ctx({ rules: rules({ stuckCount: 5, stuckMinutes: 5 }), history: { last: null, run: { value: 7, count: 10, since: 0 } } }), want: null },
  { name: "stuck: off", rule: stuckRule, value: v(7, 600_000), ctx: ctx({ history: { last: null, run: { value: 7, count: 1000, since: 0 } } }), want: null },
  // spike / rate of change
  { name: "spike: slow change", rule: spikeRule, value: v(15, 60_000), ctx: ctx({ rules: rules({ maxRatePerMin: 10 }), history: { last: { ts: 0, value: 5 }, run: null } }), want: null },
  { name: "spike: fast change", rule: spikeRule, value: v(16, 60_000), ctx: ctx({ rules: rules({ maxRatePerMin: 10 }), history: { last: { ts: 0, value: 5 }, run: null } }), want: "D" },
  { name: "spike: fast drop", rule: spikeRule, value: v(0, 30_000), ctx: ctx({ rules: rules({ maxRatePerMin: 10 }), history: { last: { ts: 0, value: 6 }, run: null } }), want: "D" },
  { name: "spike: after a gap of 10 min", rule: spikeRule, value: v(500, 600_000), ctx: ctx({ rules: rules({ maxRatePerMin: 10 }), history: { last: { ts: 0, value: 5 }, run: null } }), want: null },
  { name: "spike: nothing before", rule: spikeRule, value: v(500), ctx: ctx({ rules: rules({ maxRatePerMin: 10 }) }), want: null },
  // PM2.5 > PM10 across analyzers
  { name: "pm: PM2.5 below PM10", rule: pmConsistencyRule, value: v(30, 0, "a34004"), ctx: ctx({ partner: { code: "a34002", ts: 0, value: 50 }, pm: { tolerance: 0.1, absTolerance: 5, windowS: 300 } }), want: null },
  { name: "pm: PM2.5 above PM10 within tolerance", rule: pmConsistencyRule, value: v(60, 0, "a34004"), ctx: ctx({ partner: { code: "a34002", ts: 0, value: 50 }, pm: { tolerance: 0.1, absTolerance: 5, windowS: 300 } }), want: null },
  { name: "pm: PM2.5 above PM10 beyond tolerance", rule: pmConsistencyRule, value: v(60.1, 0, "a34004"), ctx: ctx({ partner: { code: "a34002", ts: 0, value: 50 }, pm: { tolerance: 0.1, absTolerance: 5, windowS: 300 } }), want: "D" },
  { name: "pm: the PM10 of an inconsistent pair", rule: pmConsistencyRule, value: v(20, 0, "a34002"), ctx: ctx({ partner: { code: "a34004", ts: 0, value: 40 }, pm: { tolerance: 0.1, absTolerance: 5, windowS: 300 } }), want: "D" },
  { name: "pm: too far apart in time", rule: pmConsistencyRule, value: v(80, 301_000, "a34004"), ctx: ctx({ partner: { code: "a34002", ts: 0, value: 50 }, pm: { tolerance: 0.1, absTolerance: 5, windowS: 300 } }), want: null },
  { name: "pm: check off", rule: pmConsistencyRule, value: v(80, 0, "a34004"), ctx: ctx({ partner: { code: "a34002", ts: 0, value: 50 }, pm: null }), want: null },
];

for (const c of cases) {
  test(`rule ${c.name}`, () => {
    const hit = c.rule(c.value, c.ctx);
    assert.equal(hit?.flag ?? null, c.want, hit?.reason);
    if (hit) assert.ok(hit.reason.length > 10, "a hit says why");
  });
}

test("screen returns every rule that trips, each with its reason", () => {
  const hits = screen(v(-5), ctx({ rules: rules({ range: [0, 100], negativeTolerance: 1 }) }));
  assert.deepEqual(hits.map((h) => h.rule), ["range", "negative"]);
});

test("history: a flagged value is no reference for the next spike check, but counts for the stuck run", () => {
  let h = nextHistory(empty, v(5, 0), true);
  h = nextHistory(h, v(5, 1000), false);
  assert.deepEqual(h.last, { ts: 0, value: 5 });
  assert.deepEqual(h.run, { value: 5, count: 2, since: 0 });
  h = nextHistory(h, v(6, 2000), true);
  assert.deepEqual(h.run, { value: 6, count: 1, since: 2000 });
});

test("rules resolve channel over station defaults over built-ins", () => {
  const r = resolveRules("a05024", "ppb", { stuck_count: 10 }, { stuck_count: 30, max_rate_per_min: 50 }, FLAGS);
  assert.equal(r.stuckCount, 10);
  assert.equal(r.maxRatePerMin, 50);
  assert.deepEqual(r.range, [0, 1000]);
  assert.equal(r.negativeTolerance, 0, "concentrations are checked for negatives by default");
  assert.equal(resolveRules("a01001", "°C", undefined, {}, FLAGS).negativeTolerance, null, "temperatures are not");
  assert.equal(defaultRange("a34004", "µg/m³")?.[1], 1000);
  assert.equal(defaultRange("a34004", "mg/m3"), null, "a range in another unit is not guessed");
});
