// Timers of what a platform receives while connected: realtime data (2011) and equipment status
// (2021). The interval is read again before each tick, so a platform's 1062 takes effect at once,
// and each stream is switched by the session's runtime flags (2011/2012, 2021/2022).
import type { Uplink } from "./delivery.js";

export interface LiveQueue {
  realtime(platform: string, intervalS: number): void;
  status(platform: string): void;
}

export class LiveUploads {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = true;

  constructor(
    private readonly sessions: Iterable<Uplink>,
    private readonly queue: LiveQueue,
  ) {}

  start(): void {
    this.stopped = false;
    for (const s of this.sessions) this.schedule(s);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private schedule(s: Uplink): void {
    if (this.stopped) return;
    const intervalS = s.cfg.realtime_interval_s;
    this.timers.set(
      s.cfg.id,
      setTimeout(() => {
        // Realtime data is not backfilled (minute data is): only while connected.
        if (s.connected && s.runtime.realtime) this.queue.realtime(s.cfg.id, intervalS);
        if (s.connected && s.runtime.status) this.queue.status(s.cfg.id);
        this.schedule(s);
      }, intervalS * 1000),
    );
  }
}
