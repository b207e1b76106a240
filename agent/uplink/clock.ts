// Setting the OS clock needs CAP_SYS_TIME, which the agent's unit does not have. The agent writes a
// request file instead; station-agent-settime.path sees it and scripts/settime.sh applies it with
// the privilege (one line, "YYYY-MM-DD HH:MM:SS" in UTC). Tests pass their own SetClock.
//
// A time more than clock.max_step_s from the station's own clock is refused (ExeRtn=3) and
// audited: a wrong or forged 1012 must not move the data's timestamps by hours or years. ExeRtn=1
// is answered only once the clock has really changed: the request consumed and the wall clock
// moved by the requested step against the monotonic clock; otherwise ExeRtn=2 after a timeout.
import { existsSync, renameSync, writeFileSync } from "node:fs";
import type { Logger } from "../log.js";
import { EXE_RTN } from "./answers.js";
import type { AuditSink, SetClock } from "./commands.js";

export interface ClockOptions {
  /** Largest step accepted (s); default 3600. */
  maxStepS?: number;
  audit?: AuditSink;
  /** How long to wait for the set-time unit (ms); default 15 s. */
  timeoutMs?: number;
  /** Wall and monotonic clocks (ms): tests step a wall clock of their own, the real one cannot be. */
  wall?: () => number;
  mono?: () => number;
}

/** A step is "done" when the wall clock moved within this of the requested step. */
const TOLERANCE_MS = 2000;

export function requestFileClock(path: string, log: Logger, opts: ClockOptions = {}): SetClock {
  const wall = opts.wall ?? Date.now;
  const mono = opts.mono ?? (() => performance.timeOrigin + performance.now());
  const maxMs = (opts.maxStepS ?? 3600) * 1000;
  return async (ms) => {
    const step = ms - wall();
    const line = new Date(ms).toISOString().slice(0, 19).replace("T", " ");
    if (Math.abs(step) > maxMs) {
      const reason = `the requested time is ${Math.round(step / 1000)} s from the station's clock, more than clock.max_step_s (${maxMs / 1000})`;
      opts.audit?.append({ actor: "agent", action: "clock.set_refused", reason, details: { requested: `${line} UTC`, stepS: Math.round(step / 1000), maxStepS: maxMs / 1000 } });
      log.warn(`clock-set request refused: ${reason}; answered ExeRtn=3`);
      return EXE_RTN.conditionError;
    }
    const before = wall() - mono();
    try {
      // Written whole then renamed, so the path unit never reads half a line.
      writeFileSync(`${path}.tmp`, line + "\n", { mode: 0o640 });
      renameSync(`${path}.tmp`, path);
    } catch (err) {
      log.warn(`cannot request a clock set (${(err as Error).message}); answered ExeRtn=2`);
      return EXE_RTN.failed;
    }
    log.warn(`clock-set request written to ${path} (${line} UTC); waiting for station-agent-settime.path to apply it`);
    const deadline = mono() + (opts.timeoutMs ?? 15_000);
    while (mono() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      const moved = wall() - mono() - before;
      if (!existsSync(path) && Math.abs(moved - step) < TOLERANCE_MS) {
        log.info(`the clock was set (moved ${(moved / 1000).toFixed(1)} s)`);
        return EXE_RTN.ok;
      }
    }
    log.warn(`the clock did not change within ${(opts.timeoutMs ?? 15_000) / 1000} s of the request (is station-agent-settime.path enabled?); answered ExeRtn=2`);
    return EXE_RTN.failed;
  };
}
