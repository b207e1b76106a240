// Reopening a lost port or connection by itself (USB-RS485 adapter pulled and plugged back, TCP peer
// restarted), with a doubling delay so a missing device costs little. Shared by the Modbus transport
// and the ASCII serial port.
import type { BusLog } from "./bus-log.js";

export interface ReopenOptions {
  bus: string;
  target: string;
  log: BusLog;
  /** First retry delay (ms); doubles up to maxMs. */
  minMs: number;
  maxMs: number;
  /** Opens the port; resolves when open. */
  connect: () => Promise<void>;
  /** True while the port is open (no retry needed). */
  isOpen: () => boolean;
}

export class Reopener {
  private timer: NodeJS.Timeout | null = null;
  private delay: number;
  /** The owner wants the port open (between open() and close()). */
  wanted = false;

  constructor(private readonly o: ReopenOptions) {
    this.delay = o.minMs;
  }

  /** The port opened: the next loss starts again from the shortest delay. */
  opened(): void {
    this.delay = this.o.minMs;
  }

  /** The port was lost while wanted: say so once, then keep trying. */
  lost(): void {
    if (!this.wanted) return;
    this.o.log.warn("bus lost, reopening", { bus: this.o.bus, target: this.o.target });
    this.schedule();
  }

  schedule(): void {
    if (!this.wanted || this.timer) return;
    const delay = this.delay;
    this.delay = Math.min(delay * 2, this.o.maxMs);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.wanted || this.o.isOpen()) return;
      this.o.connect().catch((e: Error) => {
        this.o.log.debug("reopen failed", { bus: this.o.bus, error: e.message, retryInMs: this.delay });
        this.schedule();
      });
    }, delay);
    this.timer.unref?.();
  }

  stop(): void {
    this.wanted = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
