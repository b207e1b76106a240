// The heap trim collects only once the heap grew by its slack, with V8's real collector, and does
// nothing (one debug line) where node runs without --expose-gc.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { HeapTrim, shouldCollect } from "../../../agent/health/heap-trim.js";
import { silentLogger, type Logger } from "../../../agent/log.js";

// The real collector, as --expose-gc gives it (the test runner does not pass that flag).
setFlagsFromString("--expose-gc");
const realGc = runInNewContext("gc") as () => void;

test("shouldCollect: only growth beyond the slack", () => {
  const MB = 1024 * 1024;
  const cases: Array<[used: number, base: number, slack: number, want: boolean]> = [
    [20 * MB, 16 * MB, 4 * MB, false], // exactly the slack
    [20 * MB + 1, 16 * MB, 4 * MB, true],
    [10 * MB, 16 * MB, 4 * MB, false], // smaller than after the last collection
    [16 * MB, 16 * MB, 0, false],
  ];
  for (const [used, base, slack, want] of cases) assert.equal(shouldCollect(used, base, slack), want, `${used} over ${base}, slack ${slack}`);
});

test("collects the garbage that grew the heap, then waits for the next slack", () => {
  const trim = new HeapTrim({ log: silentLogger, gc: realGc, slackMb: 4, everyMs: 3_600_000 });
  realGc();
  trim.start();
  try {
    assert.equal(trim.check(), false, "no growth yet");
    let garbage: number[][] | null = Array.from({ length: 200 }, () => Array.from({ length: 10_000 }, (_, i) => i + 0.5));
    const grown = process.memoryUsage().heapUsed;
    garbage = null;
    assert.equal(garbage, null);
    assert.equal(trim.check(), true, "16 MB of dead arrays: a collection");
    assert.ok(process.memoryUsage().heapUsed < grown - 8 * 1024 * 1024, "the heap shrank by most of it");
    assert.equal(trim.check(), false, "nothing grew since");
    assert.equal(trim.collections, 1);
  } finally {
    trim.stop();
  }
});

test("without --expose-gc: nothing runs, and it says so once", () => {
  const lines: string[] = [];
  const log = { ...silentLogger, debug: (m: string) => void lines.push(m) } as Logger;
  const trim = new HeapTrim({ log, gc: undefined, heapUsed: () => 1e12 });
  assert.equal(trim.available, false);
  trim.start();
  assert.equal(trim.check(), false);
  trim.stop();
  assert.equal(lines.length, 1);
  assert.match(lines[0], /--expose-gc/);
});
