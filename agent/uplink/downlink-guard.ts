// What a wrong password or a malformed frame may cost the station: little. Per connection, the
// answers to such frames (QnRtn=3 wrong PW, 4 wrong MN, 9 bad CRC, 2 unreadable CP, 8 unknown CN)
// are rate-limited (a burst, then a few a minute), every one is counted, and once a minute one
// log line and one audit entry give the counts: never one line per frame.
import type { Logger } from "../log.js";

export type BadFrameKind = "wrong-pw" | "wrong-mn" | "bad-crc" | "malformed" | "bad-cp" | "unknown-cn";

export interface GuardSinks {
  log: Logger;
  audit?: { append(entry: { actor: string; action: string; reason?: string; details?: Record<string, unknown> }): unknown };
  now?: () => number;
}

/** Answers allowed at once, and one more every REFILL_MS. */
const BURST = 5;
const REFILL_MS = 6_000;
const SUMMARY_MS = 60_000;

export class DownlinkGuard {
  private tokens = BURST;
  private refilledAt: number;
  private counts = new Map<BadFrameKind, number>();
  private unanswered = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly platform: string,
    private readonly sinks: GuardSinks,
  ) {
    this.refilledAt = this.now();
  }

  private now(): number {
    return (this.sinks.now ?? Date.now)();
  }

  /** Counts a bad frame; true when it may be answered (within the rate), false when it stays unanswered. */
  allow(kind: BadFrameKind, answerable = true): boolean {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), SUMMARY_MS);
      this.timer.unref();
    }
    if (!answerable) return false;
    const now = this.now();
    const earned = Math.floor((now - this.refilledAt) / REFILL_MS);
    if (earned > 0) {
      this.tokens = Math.min(BURST, this.tokens + earned);
      this.refilledAt += earned * REFILL_MS;
    }
    if (this.tokens > 0) {
      this.tokens--;
      return true;
    }
    this.unanswered++;
    return false;
  }

  /** Counts so far in this minute (status, tests). */
  snapshot(): { counts: Record<string, number>; unanswered: number } {
    return { counts: Object.fromEntries(this.counts), unanswered: this.unanswered };
  }

  /** The minute's one log line and audit entry; also at the end of the connection. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.counts.size) return;
    const { counts, unanswered } = this.snapshot();
    this.counts = new Map();
    this.unanswered = 0;
    const total = Object.values(counts).reduce((s, n) => s + n, 0);
    const text = Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(", ");
    this.sinks.log.warn(`platform ${this.platform}: ${total} bad frames in the last minute (${text}); ${unanswered} left unanswered (rate limit)`);
    this.sinks.audit?.append({ actor: `platform:${this.platform}`, action: "platform.bad_frames", details: { platform: this.platform, ...counts, unanswered } });
  }
}
