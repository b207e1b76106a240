// The trend kept up incrementally must always equal a trend built afresh from the same minutes:
// as the window slides, as new minutes close, and when an old minute is recomputed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { TrendCache, type MinuteSource } from "../../../agent/web/trend.js";

const MIN = 60_000;
const channels = [
  { analyzer: "a", channel: "x", code: "a05024", unit: "ppb" },
  { analyzer: "b", channel: "y", code: "a01001", unit: "°C" },
];

/** Minutes held in a plain table, as the aggregates table holds them. */
function table() {
  const rows = new Map<string, { periodStart: number; avg: number | null; flag: string }>();
  const source: MinuteSource = {
    series: (a, c, _p, from, to) => [...rows.entries()].filter(([k, r]) => k.startsWith(`${a}/${c}/`) && r.periodStart >= from && r.periodStart < to).map(([, r]) => r).sort((x, y) => x.periodStart - y.periodStart),
  };
  const put = (a: string, c: string, start: number, avg: number | null, flag: string) => rows.set(`${a}/${c}/${start}`, { periodStart: start, avg, flag });
  return { source, put };
}

test("incremental trend equals a fresh build through slides, new minutes and a recomputed old minute", () => {
  const { source, put } = table();
  const t0 = Date.UTC(2026, 0, 10, 12, 0, 0);
  for (let m = -200; m < 0; m++) {
    put("a", "x", t0 + m * MIN, 40 + m / 10, m % 50 === 0 ? "M" : "N");
    put("b", "y", t0 + m * MIN, m % 7 === 0 ? null : 20, "N");
  }
  const kept = new TrendCache(source, channels, 2);
  const fresh = (now: number) => new TrendCache(source, channels, 2).get(now);
  let now = t0 + 5_000;
  assert.equal(kept.get(now), fresh(now));
  const first = JSON.parse(kept.get(now));
  assert.equal(first.points, 120);
  assert.equal(first.series[0].values.length, 120);
  assert.equal(first.series[0].flags.length, 120);

  for (let step = 0; step < 30; step++) {
    // A minute closes, the clock moves on.
    put("a", "x", t0 + step * MIN, 50 + step, step % 9 === 0 ? "C" : "N");
    put("b", "y", t0 + step * MIN, 21, "N");
    kept.minuteClosed(t0 + step * MIN);
    now = t0 + (step + 1) * MIN + 4_000;
    if (step === 12) {
      // A late reading recomputed a minute 80 minutes back: flagged B now.
      put("a", "x", t0 - 80 * MIN, null, "B");
      kept.minuteClosed(t0 - 80 * MIN);
    }
    assert.equal(kept.get(now), fresh(now), `step ${step}`);
  }
  const last = JSON.parse(kept.get(now));
  assert.match(last.series[0].flags, /B/);
  assert.equal(last.series[0].values.at(-1), 79);
});

test("the same JSON string is handed out while nothing changed (so its ETag and gzip are reused)", () => {
  const { source, put } = table();
  const t0 = Date.UTC(2026, 0, 10, 12, 0, 0);
  put("a", "x", t0 - MIN, 1, "N");
  const c = new TrendCache(source, channels, 1);
  const a = c.get(t0 + 1000);
  assert.equal(c.get(t0 + 30_000), a);
  c.minuteClosed(t0 - MIN);
  assert.notEqual(c.get(t0 + 31_000), undefined);
  assert.notEqual(c.get(t0 + MIN + 1000), a, "a new minute slides the window");
});

test("a clock stepped back rebuilds the window from scratch", () => {
  const { source, put } = table();
  const t0 = Date.UTC(2026, 0, 10, 12, 0, 0);
  for (let m = -120; m < 0; m++) put("a", "x", t0 + m * MIN, m, "N");
  const c = new TrendCache(source, channels, 1);
  c.get(t0);
  const back = t0 - 30 * MIN;
  assert.equal(c.get(back), new TrendCache(source, channels, 1).get(back));
});
