// The alarm check's incremental window gives, look after look, the same series per analyzer as
// reading the whole window from scratch (what the check did before): rows arriving in batches,
// some with earlier times than rows before them, some in the future, channels interleaved.
import { test } from "node:test";
import assert from "node:assert/strict";
import { StateWindow } from "../../../agent/alarms/state-window.js";
import type { ReadingState } from "../../../agent/store/readings.js";

/** What the check computed from a full query: rows of the window in (ts, id) order, per analyzer its first channel's. */
function fromScratch(all: readonly ReadingState[], analyzer: string, from: number, to: number): ReadingState[] {
  const rows = all.filter((r) => r.ts >= from && r.ts < to).sort((a, b) => a.ts - b.ts || a.id - b.id);
  const first = rows.find((r) => r.analyzer === analyzer)?.channel;
  return rows.filter((r) => r.analyzer === analyzer && r.channel === first);
}

// A deterministic pseudo-random sequence (no flakiness, every run the same cases).
function rng(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

for (const seed of [1, 7, 42, 1234]) {
  test(`incremental series equal the from-scratch ones (seed ${seed})`, () => {
    const rand = rng(seed);
    const all: ReadingState[] = [];
    const w = new StateWindow();
    let id = 0;
    let clock = 1_000_000;
    const span = 30_000;
    for (let look = 0; look < 40; look++) {
      const batch: ReadingState[] = [];
      for (let poll = 0; poll < 8; poll++) {
        clock += 1000;
        // A late poll (an earlier time), now and then one ahead of the clock.
        const ts = rand() < 0.1 ? clock - Math.floor(rand() * 5000) : rand() < 0.05 ? clock + 20_000 : clock;
        for (const analyzer of ["a", "b", "c"]) {
          if (rand() < 0.2) continue; // not polled this second
          const flag = rand() < 0.3 ? "D" : rand() < 0.3 ? "B" : "N";
          for (const channel of ["x", "y"]) batch.push({ id: ++id, ts, analyzer, channel, flag, state: flag === "D" ? "fault" : "ok" });
        }
      }
      all.push(...batch);
      w.add(batch);
      const from = clock - span;
      w.prune(from);
      for (const analyzer of ["a", "b", "c", "none"]) {
        assert.deepEqual(w.series(analyzer, from, clock + 1), fromScratch(all, analyzer, from, clock + 1), `look ${look}, analyzer ${analyzer}`);
      }
    }
    assert.equal(w.lastId, id);
  });
}

test("a reset forgets everything: the next look starts from scratch", () => {
  const w = new StateWindow();
  w.add([{ id: 5, ts: 10, analyzer: "a", channel: "x", flag: "D", state: "fault" }]);
  assert.equal(w.lastId, 5);
  w.reset();
  assert.equal(w.lastId, 0);
  assert.deepEqual(w.series("a", 0, 100), []);
});
