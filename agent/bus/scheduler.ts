// Who may talk on a bus, and when. One scheduler per transport (so per bus):
// - RTU: one request on the wire at a time, in arrival order, and never before t3.5 has passed since
//   the last frame ended (a shorter gap makes the slaves read two frames as one: CRC error).
// - Modbus TCP: the MBAP transaction id keeps answers apart, so requests to different slaves are in
//   flight together, up to a limit (cheap gateways handle few at once). Requests to one slave stay in
//   order, one at a time, as they would on the serial line behind a gateway.
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface RequestScheduler {
  /** Runs `job` when the slave's turn comes; settles as the job does. */
  run<T>(slave: number, job: () => Promise<T>): Promise<T>;
}

export class SerialLineScheduler implements RequestScheduler {
  private tail: Promise<unknown> = Promise.resolve();
  /** performance.now() when the last frame (answer, or the quiet time after a timeout) ended. */
  private lastFrameEnd = -Infinity;

  constructor(readonly gapMs: number) {}

  run<T>(_slave: number, job: () => Promise<T>): Promise<T> {
    const go = async (): Promise<T> => {
      await this.keepSilence();
      try {
        return await job();
      } finally {
        this.lastFrameEnd = performance.now();
      }
    };
    const result = this.tail.then(go, go);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /**
   * Waits out the rest of t3.5. Node's timers have millisecond granularity and run from the loop's
   * cached clock: a 4.01 ms timer fires anywhere from ~3.5 to ~6 ms later. So the timer takes the bulk,
   * leaving under a millisecond, and the remainder is measured again and waited out in setImmediate
   * turns. At 9600 baud that trims ~1.5 ms of dead line per request (a few % of the wire).
   */
  private async keepSilence(): Promise<void> {
    for (;;) {
      const left = this.lastFrameEnd + this.gapMs - performance.now();
      if (left <= 0) return;
      if (left > 1.5) await sleep(left - 1.5);
      else await new Promise<void>((r) => setImmediate(r));
    }
  }
}

export class ConcurrentScheduler implements RequestScheduler {
  private readonly lanes = new Map<number, Promise<unknown>>();
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly maxInFlight: number) {}

  /** Requests in flight now (for tests and status). */
  get inFlight(): number {
    return this.active;
  }

  run<T>(slave: number, job: () => Promise<T>): Promise<T> {
    const go = async (): Promise<T> => {
      await this.acquire();
      try {
        return await job();
      } finally {
        this.release();
      }
    };
    const previous = this.lanes.get(slave) ?? Promise.resolve();
    const result = previous.then(go, go);
    const tail = result.catch(() => undefined);
    this.lanes.set(slave, tail);
    // Forget idle lanes, so a scan over 247 unit ids leaves nothing behind.
    void tail.then(() => {
      if (this.lanes.get(slave) === tail) this.lanes.delete(slave);
    });
    return result;
  }

  private acquire(): Promise<void> {
    if (this.active < this.maxInFlight) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next(); // the slot passes straight to the next request
    else this.active--;
  }
}
