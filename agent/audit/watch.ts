// Interventions that happen beside the agent rather than through it, audited as they are noticed:
// the config file edited (its hash differs from the last one recorded: at start, and checked every
// minute and on SIGHUP; the agent applies a changed file at its next start), and the wall clock
// stepped (by NTP, by `date -s`, by the set-time unit on a 1012): a jump of the wall clock against
// the monotonic clock of more than 2 s between two checks. Both change what the data's timestamps
// and flags mean, so both belong in the trail.
import type { Logger } from "../log.js";
import { fileSha256 } from "./config-hash.js";

export interface WatchDeps {
  audit: { append(e: { actor: string; action: string; reason?: string; details?: Record<string, unknown> }): unknown };
  configFile: string;
  /** The hash recorded at start (software.start). */
  startHash: string | null;
  log: Logger;
  /** Wall and monotonic clocks in ms (tests pass their own: the real clock cannot be stepped in a test). */
  wall?: () => number;
  mono?: () => number;
  /** Check periods (ms). */
  clockEveryMs?: number;
  configEveryMs?: number;
}

const STEP_MS = 2000;

export class InterventionWatch {
  private timers: NodeJS.Timeout[] = [];
  private lastHash: string | null;
  private offset: number;
  private readonly onHup = () => this.checkConfig("reload requested (SIGHUP)");

  constructor(private readonly deps: WatchDeps) {
    this.lastHash = deps.startHash;
    this.offset = this.wall() - this.mono();
  }

  private wall(): number {
    return (this.deps.wall ?? Date.now)();
  }
  private mono(): number {
    return (this.deps.mono ?? (() => performance.timeOrigin + performance.now()))();
  }

  start(): void {
    this.timers.push(setInterval(() => this.checkClock(), this.deps.clockEveryMs ?? 10_000), setInterval(() => this.checkConfig(), this.deps.configEveryMs ?? 60_000));
    for (const t of this.timers) t.unref();
    process.on("SIGHUP", this.onHup);
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    process.off("SIGHUP", this.onHup);
  }

  /** Audits a wall-clock step since the last check; returns the step (ms) or 0. */
  checkClock(): number {
    const offset = this.wall() - this.mono();
    const step = offset - this.offset;
    this.offset = offset;
    if (Math.abs(step) < STEP_MS) return 0;
    const now = this.wall();
    this.deps.audit.append({ actor: "agent", action: "clock.step", reason: "the wall clock jumped against the monotonic clock", details: { stepMs: Math.round(step), from: new Date(now - step).toISOString(), to: new Date(now).toISOString() } });
    this.deps.log.warn(`the system clock stepped ${step > 0 ? "forward" : "back"} by ${(Math.abs(step) / 1000).toFixed(1)} s (audited)`);
    return step;
  }

  /** Audits a config file whose hash changed since the last one recorded; returns the new hash or null. */
  checkConfig(reason = "the config file changed"): string | null {
    const h = fileSha256(this.deps.configFile);
    if (h === this.lastHash) return null;
    this.deps.audit.append({ actor: "agent", action: "config.changed", reason, details: { config: this.deps.configFile, previousSha256: this.lastHash, configSha256: h, appliedAt: "next start" } });
    this.deps.log.warn(`config ${this.deps.configFile} changed (audited); it applies at the next start`);
    this.lastHash = h;
    return h;
  }
}
