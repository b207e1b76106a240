import { test } from "node:test";
import assert from "node:assert/strict";
import { effectiveFlag, FLAG_MEANING, FLAG_PRECEDENCE } from "../../config/flags.js";
import { FLAG_PRECEDENCE as DRIVER_PRECEDENCE } from "../../drivers/types.js";
import { FLAG_PRECEDENCE as AGGREGATE_PRECEDENCE } from "../../agent/aggregate/compute.js";
import { HJ212_FLAGS } from "../../agent/types.js";

test("the precedence is a total order over every HJ 212 flag, N last", () => {
  assert.deepEqual([...FLAG_PRECEDENCE].sort(), [...HJ212_FLAGS].sort());
  assert.equal(FLAG_PRECEDENCE.at(-1), "N");
  assert.deepEqual(Object.keys(FLAG_MEANING).sort(), [...HJ212_FLAGS].sort());
});

test("drivers and aggregation use the same order", () => {
  assert.deepEqual(DRIVER_PRECEDENCE, FLAG_PRECEDENCE.filter((f) => "FDMCT".includes(f)));
  assert.equal(AGGREGATE_PRECEDENCE, FLAG_PRECEDENCE);
});

const cases: { flags: string[]; want: string; why: string }[] = [
  { flags: [], want: "N", why: "nothing applies" },
  { flags: ["N", "N"], want: "N", why: "normal stays normal" },
  { flags: ["N", "T"], want: "T", why: "any flag beats N" },
  { flags: ["N", "S"], want: "S", why: "a manual flag invalidates a normal value" },
  { flags: ["D", "S"], want: "D", why: "a manual flag cannot hide a fault" },
  { flags: ["C", "M"], want: "M", why: "maintenance explains a calibration done during it" },
  { flags: ["B", "M"], want: "M", why: "maintenance explains the lost communication" },
  { flags: ["T", "B"], want: "B", why: "no communication beats over range" },
  { flags: ["F", "D", "M"], want: "F", why: "stopped beats all" },
  { flags: ["N", "H", "x"], want: "N", why: "letters that are no HJ 212 data flag are ignored" },
];

for (const c of cases) {
  test(`effective flag of ${c.flags.join("+") || "nothing"} is ${c.want}: ${c.why}`, () => {
    assert.equal(effectiveFlag(c.flags), c.want);
  });
}
