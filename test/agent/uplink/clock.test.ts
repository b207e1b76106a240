// 1012 through the request file: a step beyond clock.max_step_s is refused with ExeRtn=3 and
// audited; ExeRtn=1 only once the clock really moved. The set-time unit is played by the test
// (it consumes the real request file and steps a wall clock of the test's own: the machine's
// clock cannot be stepped in a test).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { requestFileClock } from "../../../agent/uplink/clock.js";
import { silentLogger } from "../../../agent/log.js";
import { tempDir } from "../../helpers/station.js";

function setup() {
  const { dir, cleanup } = tempDir();
  const path = join(dir, "settime.request");
  const entries: { action: string; reason?: string; details?: Record<string, unknown> }[] = [];
  let offset = 0;
  const clock = requestFileClock(path, silentLogger, { maxStepS: 3600, audit: { append: (e) => entries.push(e) }, timeoutMs: 1500, wall: () => Date.now() + offset });
  /** The set-time unit: applies the request it finds (or only removes it), once. */
  const unit = (apply: boolean) => {
    const t = setInterval(() => {
      if (!existsSync(path)) return;
      const line = readFileSync(path, "utf8").trim();
      rmSync(path);
      if (apply) offset = Date.parse(line.replace(" ", "T") + "Z") - Date.now();
      clearInterval(t);
    }, 20);
    return () => clearInterval(t);
  };
  return { path, entries, clock, unit, cleanup };
}

test("a time more than clock.max_step_s away is refused with ExeRtn=3, audited, and no request is written", async () => {
  const s = setup();
  try {
    assert.equal(await s.clock(Date.now() + 2 * 3600_000), 3);
    assert.equal(existsSync(s.path), false);
    assert.equal(s.entries[0].action, "clock.set_refused");
    assert.match(s.entries[0].reason!, /max_step_s/);
    assert.equal(await s.clock(Date.now() - 3 * 86400_000), 3, "backwards too");
  } finally {
    s.cleanup();
  }
});

test("ExeRtn=1 once the clock really moved; ExeRtn=2 when the request was taken but the clock did not change", async () => {
  const s = setup();
  try {
    let stop = s.unit(true);
    assert.equal(await s.clock(Date.now() + 600_000), 1);
    stop();
    stop = s.unit(false);
    assert.equal(await s.clock(Date.now() + 900_000), 2, "a refused or failed set is not reported as done");
    stop();
    assert.equal(await s.clock(Date.now() + 300_000), 2, "nobody applies it: timeout");
  } finally {
    s.cleanup();
  }
});
