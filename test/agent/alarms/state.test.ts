// The alarm life cycle and the pure conditions as tables.
import { test } from "node:test";
import assert from "node:assert/strict";
import { alarmStep, exceeds, heldSince, mean } from "../../../agent/alarms/state.js";

test("raise, repeat, clear, none", () => {
  const cases: Array<[open: boolean, active: boolean, step: string]> = [
    [false, true, "raise"],
    [true, true, "repeat"],
    [true, false, "clear"],
    [false, false, "none"],
  ];
  for (const [open, active, step] of cases) assert.equal(alarmStep(open, active), step, `open ${open}, active ${active}`);
});

test("since when a condition has held", () => {
  const rows = (flags: string) => [...flags].map((f, i) => ({ ts: i * 1000, f }));
  const isD = (r: { f: string }) => r.f === "D";
  const cases: Array<[flags: string, since: number | null]> = [
    ["", null],
    ["NNN", null],
    ["DDD", 0],
    ["NDD", 1000],
    ["DDN", null],
    ["DNDD", 2000],
  ];
  for (const [flags, since] of cases) assert.equal(heldSince(rows(flags), isD), since, flags);
});

test("thresholds are strict, null never exceeds", () => {
  const cases: Array<[value: number | null, t: { above?: number; below?: number }, hit: boolean]> = [
    [201, { above: 200 }, true],
    [200, { above: 200 }, false],
    [4.9, { below: 5 }, true],
    [5, { below: 5 }, false],
    [null, { above: 0 }, false],
    [Number.NaN, { above: 0 }, false],
    [50, { above: 200, below: 60 }, true],
  ];
  for (const [v, t, hit] of cases) assert.equal(exceeds(v, t), hit, `${v} vs ${JSON.stringify(t)}`);
  assert.equal(mean([]), null);
  assert.equal(mean([1, 2, 3]), 2);
});
