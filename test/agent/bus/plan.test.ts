// agent/bus/plan.ts: grouping fields into requests, as named table cases (after Telegraf's request_test.go).
import { test } from "node:test";
import assert from "node:assert/strict";
import { planReads, type GroupingParams, type PlanFc, type ReadItem } from "../../../agent/bus/plan.js";
import { planAnalyzer } from "../../../agent/bus/readings.js";
import { configSchema } from "../../../config/schema.js";
import { getModbusDriver } from "../../../drivers/index.js";

const r = (fc: PlanFc, address: number, length = 1): ReadItem => ({ fc, address, length });
type Expect = Array<[fc: PlanFc, address: number, count: number, items: number]>;

const cases: Array<{ name: string; items: ReadItem[]; params?: Partial<GroupingParams>; expect: Expect }> = [
  { name: "empty", items: [], expect: [] },
  { name: "single float", items: [r(4, 18, 2)], expect: [[4, 18, 2, 1]] },
  { name: "contiguous registers", items: [r(3, 0), r(3, 1), r(3, 2, 2)], expect: [[3, 0, 4, 3]] },
  { name: "unsorted input is sorted", items: [r(3, 10, 2), r(3, 0, 2), r(3, 4, 2)], expect: [[3, 0, 12, 3]] },
  { name: "small gaps filled", items: [r(4, 0, 2), r(4, 6, 2), r(4, 18, 2)], expect: [[4, 0, 20, 3]] },
  { name: "gap of exactly maxGap filled", items: [r(4, 0, 2), r(4, 12, 2)], expect: [[4, 0, 14, 2]] },
  { name: "large gaps split", items: [r(4, 0, 2), r(4, 13, 2), r(4, 100, 2)], expect: [[4, 0, 2, 1], [4, 13, 2, 1], [4, 100, 2, 1]] },
  { name: "large gaps filled when allowed", items: [r(4, 0, 2), r(4, 100, 2)], params: { maxGap: 100 }, expect: [[4, 0, 102, 2]] },
  { name: "maxGap 0 joins only adjacent", items: [r(3, 0), r(3, 1), r(3, 3)], params: { maxGap: 0 }, expect: [[3, 0, 2, 2], [3, 3, 1, 1]] },
  { name: "overlapping items", items: [r(3, 0, 2), r(3, 1, 1), r(3, 1, 2)], expect: [[3, 0, 3, 3]] },
  { name: "duplicate items", items: [r(3, 5, 2), r(3, 5, 2)], expect: [[3, 5, 2, 2]] },
  {
    name: "split at 125 registers",
    items: Array.from({ length: 70 }, (_, i) => r(4, i * 2, 2)),
    expect: [[4, 0, 124, 62], [4, 124, 16, 8]],
  },
  { name: "a float never straddles a request", items: [r(4, 0, 2), r(4, 123, 2)], expect: [[4, 0, 2, 1], [4, 123, 2, 1]] },
  { name: "custom maxRegisters", items: [r(3, 0), r(3, 1), r(3, 2), r(3, 3)], params: { maxRegisters: 2 }, expect: [[3, 0, 2, 2], [3, 2, 2, 2]] },
  { name: "function codes never mixed", items: [r(3, 0), r(4, 0), r(3, 1), r(4, 1)], expect: [[3, 0, 2, 2], [4, 0, 2, 2]] },
  { name: "FC order 1, 2, 3, 4", items: [r(4, 0), r(3, 0), r(2, 0), r(1, 0)], expect: [[1, 0, 1, 1], [2, 0, 1, 1], [3, 0, 1, 1], [4, 0, 1, 1]] },
  { name: "T400 discrete inputs in one read", items: [r(2, 9), r(2, 10), r(2, 19), r(2, 20), r(2, 22), r(2, 24), r(2, 26)], expect: [[2, 9, 18, 7]] },
  { name: "bits split at 2000", items: [r(1, 0), r(1, 1999), r(1, 2000)], params: { maxBitGap: 5000 }, expect: [[1, 0, 2000, 2], [1, 2000, 1, 1]] },
  { name: "large bit gap split", items: [r(2, 0), r(2, 100)], expect: [[2, 0, 1, 1], [2, 100, 1, 1]] },
  { name: "top of the address space", items: [r(3, 65534, 2)], expect: [[3, 65534, 2, 1]] },
  // A driver's mapped spans (T400: IR 0..57 has no hole): any gap inside one is read over.
  { name: "T400 input registers across the mapped 24..37", items: [r(4, 0, 2), r(4, 22, 2), r(4, 38, 2), r(4, 44, 2)], params: { mapped: [{ fc: 4, from: 0, to: 57 }] }, expect: [[4, 0, 46, 4]] },
  { name: "a gap reaching past the span is not read over", items: [r(4, 0, 2), r(4, 60, 2)], params: { mapped: [{ fc: 4, from: 0, to: 57 }] }, expect: [[4, 0, 2, 1], [4, 60, 2, 1]] },
  { name: "a gap exactly filling the span is read over", items: [r(4, 0, 2), r(4, 58, 2)], params: { mapped: [{ fc: 4, from: 2, to: 57 }] }, expect: [[4, 0, 60, 2]] },
  { name: "a gap starting before the span is not read over", items: [r(4, 0, 2), r(4, 40, 2)], params: { mapped: [{ fc: 4, from: 3, to: 57 }] }, expect: [[4, 0, 2, 1], [4, 40, 2, 1]] },
  { name: "a span of another function code does not count", items: [r(3, 0, 2), r(3, 40, 2)], params: { mapped: [{ fc: 4, from: 0, to: 57 }] }, expect: [[3, 0, 2, 1], [3, 40, 2, 1]] },
  { name: "a mapped span still splits at 125 registers", items: [r(3, 0, 2), r(3, 124, 2)], params: { mapped: [{ fc: 3, from: 0, to: 200 }] }, expect: [[3, 0, 2, 1], [3, 124, 2, 1]] },
  { name: "small gaps outside any span as before", items: [r(4, 0, 2), r(4, 60, 2), r(4, 66, 2)], params: { mapped: [{ fc: 4, from: 0, to: 57 }] }, expect: [[4, 0, 2, 1], [4, 60, 8, 2]] },
];

for (const c of cases) {
  test(`plan: ${c.name}`, () => {
    const got = planReads(c.items, c.params).map((q) => [q.fc, q.address, q.count, q.items.length]);
    assert.deepEqual(got, c.expect);
  });
}

test("plan: every item lies inside its request", () => {
  const items = [r(4, 0, 2), r(4, 40, 2), r(4, 18, 2), r(2, 24), r(2, 9), r(3, 7)];
  for (const q of planReads(items))
    for (const it of q.items) assert.ok(it.fc === q.fc && it.address >= q.address && it.address + it.length <= q.address + q.count);
});

test("plan: impossible items throw", () => {
  assert.throws(() => planReads([r(3, 65535, 2)]), RangeError);
  assert.throws(() => planReads([r(3, 0, 126)]), RangeError);
  assert.throws(() => planReads([r(3, -1, 1)]), RangeError);
});

test("plan: a driver's mapped spans apply in gaps mode with no max_gap, and move with address_offset", () => {
  const t400 = getModbusDriver("teledyne-t400")!;
  const analyzer = (extra: Record<string, unknown>) => configSchema.shape.analyzers.unwrap().element.parse({ id: "o3", driver: "teledyne-t400", bus: "b", slave: 1, ...extra });
  const inputReads = (extra: Record<string, unknown> = {}) =>
    planAnalyzer(analyzer(extra), t400).requests.filter((q) => q.fc === 4).map((q) => `${q.address}+${q.count}`);
  assert.deepEqual(inputReads(), ["0+46"]);
  // The installer's limits win: an explicit max_gap, contiguous, none.
  assert.deepEqual(inputReads({ max_gap: 10 }), ["0+24", "38+8"]);
  assert.deepEqual(inputReads({ coalesce: "contiguous" }), ["0+6", "14+2", "18+6", "38+8"]);
  assert.equal(inputReads({ coalesce: "none" }).length, 11);
  // A map counted from 1 moves as a whole, spans included.
  assert.deepEqual(inputReads({ options: { address_offset: 1 } }), ["1+46"]);
  // A register moved on its own: this unit's map is not the manual's, and no span is trusted.
  assert.deepEqual(inputReads({ options: { "sample_temp.address": 48 } }), ["0+24", "40+10"]);
  assert.deepEqual(inputReads({ options: { "*.order": "CDAB" } }), ["0+46"]);
});
