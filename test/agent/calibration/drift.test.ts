// The arithmetic of a check as a table: drift, limits at their boundary, the stabilised mean, and
// how failures in a row are counted.
import { test } from "node:test";
import assert from "node:assert/strict";
import { consecutiveFailures, judge, stabilisedValue } from "../../../agent/calibration/drift.js";

test("drift and verdict", () => {
  const cases: Array<[name: string, kind: "zero" | "span" | "standard", reading: number | null, reference: number, limit: number, drift: number | null, pass: boolean]> = [
    ["zero within the limit", "zero", 2, 0, 5, 2, true],
    ["zero exactly at the limit passes", "zero", -5, 0, 5, -5, true],
    ["zero beyond the limit", "zero", 5.01, 0, 5, 5.01, false],
    ["zero with a reference", "zero", 0.3, 0.1, 0.5, 0.2, true],
    ["span 5 % low with a 10 % limit", "span", 380, 400, 0.1, -0.05, true],
    ["span at +10 % passes", "span", 440, 400, 0.1, 0.1, true],
    ["span 12.5 % high fails", "span", 450, 400, 0.1, 0.125, false],
    ["standard sample, relative", "standard", 21, 20, 0.1, 0.05, true],
    ["no reading is a failure", "zero", null, 0, 5, null, false],
    ["NaN is no reading", "span", Number.NaN, 400, 0.1, null, false],
  ];
  for (const [name, kind, reading, reference, limit, drift, pass] of cases) {
    const v = judge(kind, reading, reference, limit);
    assert.equal(v.drift, drift, `${name}: drift`);
    assert.equal(v.pass, pass, `${name}: pass`);
    assert.equal(v.limit, limit);
    assert.equal(v.reference, reference);
  }
});

test("the stabilised value is the mean of the tail, else the last valid value", () => {
  const rows = [
    { ts: 1000, value: 50 },
    { ts: 2000, value: null },
    { ts: 3000, value: 4 },
    { ts: 4000, value: 2 },
  ];
  assert.equal(stabilisedValue(rows, 3000), 3);
  assert.equal(stabilisedValue(rows, 0), 18.6666666667, "rounded to 12 significant digits");
  assert.equal(stabilisedValue(rows, 5000), 2, "nothing in the tail: the last valid value");
  assert.equal(stabilisedValue([{ ts: 1, value: null }], 0), null);
  assert.equal(stabilisedValue([], 0), null);
});

test("consecutive failures count from the newest until a pass; errors are left out by the caller", () => {
  assert.equal(consecutiveFailures([]), 0);
  assert.equal(consecutiveFailures([{ pass: false }, { pass: false }, { pass: true }, { pass: false }]), 2);
  assert.equal(consecutiveFailures([{ pass: true }, { pass: false }]), 0);
  assert.equal(consecutiveFailures([{ pass: false }, { pass: null }]), 1);
});
