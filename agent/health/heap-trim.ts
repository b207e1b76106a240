// Keeps the JavaScript heap near what is alive, on a machine with memory to share. With the unit's
// small young generation (--max-semi-space-size=1), whatever lives a few seconds (a batch of
// readings, a window of packets waiting for their acks) is promoted and dies in the old
// generation, and V8 lets that grow by ~8 MB above the live size before it collects: a station's
// RSS crept from 62 to 70 MB between collections, and a backlog drain's heap to 4× its live
// size. A full collection of a station's ~15 MB heap takes ~10 ms; this asks for one only when
// the heap has grown by `slackMb` (2 MB) since the last, checking every 5 s: at most one per check
// during a backlog drain, about one a minute at a steady station.
//
// It needs `gc`, which Node exposes only with --expose-gc (the systemd unit's flags): without it
// (a development run, another unit) this does nothing and says so once.
import type { Feature } from "../feature.js";
import type { Logger } from "../log.js";

export interface HeapTrimDeps {
  log: Logger;
  /** The collector (default: globalThis.gc, present with --expose-gc). */
  gc?: (() => void) | undefined;
  /** Bytes of heap in use (default process.memoryUsage().heapUsed). */
  heapUsed?: () => number;
  /** Growth above the heap's size after the last collection that starts one (MB, default 2). */
  slackMb?: number;
  /** How often the heap is looked at (ms, default 5000). */
  everyMs?: number;
}

/** Whether to collect now: the heap grew by more than `slack` bytes since the last collection left it at `base`. */
export function shouldCollect(used: number, base: number, slack: number): boolean {
  return used - base > slack;
}

export class HeapTrim implements Feature {
  private timer: NodeJS.Timeout | null = null;
  private base = 0;
  /** Collections asked for since start. */
  collections = 0;

  constructor(private readonly deps: HeapTrimDeps) {}

  private get gc(): (() => void) | undefined {
    return "gc" in this.deps ? this.deps.gc : (globalThis as { gc?: () => void }).gc;
  }

  /** Whether collections can be asked for (node runs with --expose-gc). */
  get available(): boolean {
    return typeof this.gc === "function";
  }

  start(): void {
    if (!this.available) {
      this.deps.log.debug("heap trim off: node runs without --expose-gc (the systemd unit passes it)");
      return;
    }
    this.base = this.used();
    this.timer = setInterval(() => this.check(), this.deps.everyMs ?? 5000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Collects when the heap grew by the slack since the last collection. Returns whether it did. */
  check(): boolean {
    const gc = this.gc;
    if (!gc || !shouldCollect(this.used(), this.base, (this.deps.slackMb ?? 2) * 1024 * 1024)) return false;
    gc();
    this.collections++;
    this.base = this.used();
    return true;
  }

  private used(): number {
    return this.deps.heapUsed ? this.deps.heapUsed() : process.memoryUsage().heapUsed;
  }
}
