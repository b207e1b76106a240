import { test } from "node:test";
import assert from "node:assert/strict";
import { boundPending, diskLevel, freePercent, RawThrottle } from "../../../agent/store/disk-guard.js";
import type { Reading } from "../../../agent/types.js";

const r = (analyzer: string, channel: string, ts: number): Reading => ({
  ts, analyzer, channel, code: "a05024", value: 1, unit: "ppb", flag: "N", state: "ok", raw: null, source: "t@1",
});

for (const [pct, want] of [[50, "ok"], [10, "ok"], [9.9, "low"], [2, "low"], [1.99, "critical"], [0, "critical"]] as const) {
  test(`disk level at ${pct} % free: ${want}`, () => assert.equal(diskLevel(pct), want));
}

test("critical disk: one raw reading per channel per minute, the rest counted", () => {
  const t = new RawThrottle();
  const kept = t.filter([r("a", "o3", 0), r("a", "o3", 10_000), r("a", "flow", 10_000), r("b", "o3", 20_000), r("a", "o3", 60_000), r("a", "o3", 61_000)]);
  assert.deepEqual(kept.map((x) => `${x.analyzer}.${x.channel}@${x.ts}`), ["a.o3@0", "a.flow@10000", "b.o3@20000", "a.o3@60000"]);
  assert.equal(t.dropped, 2);
  // The throttle remembers across batches.
  assert.equal(t.filter([r("a", "o3", 62_000)]).length, 0);
});

test("a backlog that cannot be written is bounded: the oldest go, and are counted", () => {
  const q = Array.from({ length: 10 }, (_, i) => r("a", "o3", i));
  assert.equal(boundPending(q, 4), 6);
  assert.deepEqual(q.map((x) => x.ts), [6, 7, 8, 9]);
  assert.equal(boundPending(q, 4), 0);
});

test("free space of a real filesystem", () => {
  const p = freePercent("/");
  assert.ok(p !== null && p >= 0 && p <= 100);
  assert.equal(freePercent("/nonexistent/dir"), null);
});
