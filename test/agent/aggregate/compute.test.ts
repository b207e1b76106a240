import { test } from "node:test";
import assert from "node:assert/strict";
import { aggregateChannel, aggregatePeriod, FLAG_PRECEDENCE } from "../../../agent/aggregate/compute.js";
import { periodStartOf } from "../../../agent/aggregate/periods.js";
import type { Hj212Flag, StoredReading } from "../../../agent/types.js";

let id = 0;
const r = (value: number | null, flag: Hj212Flag = "N", channel = "o3", analyzer = "a"): StoredReading => ({
  id: ++id, ts: 1000 + id, analyzer, channel, code: "a05024", value, unit: "ppb", flag, state: "ok", raw: null, source: "t@1",
});
const key = { periodStart: 0, periodS: 60 };

const cases: { name: string; rows: StoredReading[]; want: { min: number | null; avg: number | null; max: number | null; count: number; total: number; flag: string } }[] = [
  { name: "all valid", rows: [r(1), r(2), r(6)], want: { min: 1, avg: 3, max: 6, count: 3, total: 3, flag: "N" } },
  { name: "invalid values left out", rows: [r(1), r(100, "C"), r(3), r(null, "B")], want: { min: 1, avg: 2, max: 3, count: 2, total: 4, flag: "N" } },
  { name: "no valid value: worst flag wins, values kept", rows: [r(5, "C"), r(7, "M")], want: { min: 5, avg: 6, max: 7, count: 0, total: 2, flag: "M" } },
  { name: "no value at all", rows: [r(null, "B"), r(null, "B")], want: { min: null, avg: null, max: null, count: 0, total: 2, flag: "B" } },
  { name: "fault beats calibration", rows: [r(1, "C"), r(2, "D")], want: { min: 1, avg: 1.5, max: 2, count: 0, total: 2, flag: "D" } },
  { name: "NaN is not a valid value", rows: [r(Number.NaN), r(4)], want: { min: 4, avg: 4, max: 4, count: 1, total: 2, flag: "N" } },
];

for (const c of cases) {
  test(`aggregateChannel: ${c.name}`, () => {
    const a = aggregateChannel(c.rows, key)!;
    assert.deepEqual({ min: a.min, avg: a.avg, max: a.max, count: a.count, total: a.total, flag: a.flag }, c.want);
  });
}

test("aggregateChannel: empty period gives nothing", () => {
  assert.equal(aggregateChannel([], key), null);
});

test("aggregatePeriod groups by analyzer channel", () => {
  const out = aggregatePeriod([r(1, "N", "o3"), r(10, "N", "flow"), r(3, "N", "o3"), r(1, "N", "o3", "b")], key);
  const by = Object.fromEntries(out.map((a) => [`${a.analyzer}.${a.channel}`, a.avg]));
  assert.deepEqual(by, { "a.o3": 2, "a.flow": 10, "b.o3": 1 });
});

test("flag precedence is a total order over all HJ 212 flags", () => {
  assert.deepEqual([...FLAG_PRECEDENCE].sort(), ["B", "C", "D", "F", "M", "N", "S", "T"]);
  assert.equal(FLAG_PRECEDENCE.at(-1), "N");
});

test("periods align in station local time", () => {
  const t = Date.UTC(2026, 10, 23, 13, 47, 31, 500); // 21:47:31.5 in Beijing
  assert.equal(periodStartOf(t, 60, "Asia/Shanghai"), Date.UTC(2026, 10, 23, 13, 47));
  assert.equal(periodStartOf(t, 300, "Asia/Shanghai"), Date.UTC(2026, 10, 23, 13, 45));
  // A Beijing day starts at 16:00 UTC the day before.
  assert.equal(periodStartOf(t, 86400, "Asia/Shanghai"), Date.UTC(2026, 10, 22, 16));
  // A zone with a half-hour offset: hours start at :30 UTC.
  assert.equal(periodStartOf(t, 3600, "Asia/Kolkata"), Date.UTC(2026, 10, 23, 13, 30));
});
