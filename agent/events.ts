// A typed notification bus. Data travels through the store, never through here: events only say
// that something happened, so a listener that misses one loses nothing.
import { EventEmitter } from "node:events";

export interface EventMap {
  readingsStored: [count: number, analyzers: string[], byFlag?: Record<string, Record<string, number>>];
  readingFailed: [analyzer: string];
  packetsQueued: [platform: string, count: number];
  packetAcked: [platform: string, qn: string, cn: string];
  platformConnected: [platform: string];
  platformDisconnected: [platform: string, reason: string];
  periodClosed: [periodS: number, periodStart: number, aggregates: number];
}

export class EventBus {
  private readonly emitter = new EventEmitter();
  constructor() {
    this.emitter.setMaxListeners(100);
  }
  on<K extends keyof EventMap>(event: K, listener: (...args: EventMap[K]) => void): () => void {
    // A listener that throws must not stop the emitter's caller (the poll loop, the uplink).
    const safe = (...args: unknown[]) => {
      try {
        (listener as (...a: unknown[]) => void)(...args);
      } catch (err) {
        process.stderr.write(`event listener for ${String(event)} failed: ${(err as Error).message}\n`);
      }
    };
    this.emitter.on(event, safe);
    return () => this.emitter.off(event, safe);
  }
  emit<K extends keyof EventMap>(event: K, ...args: EventMap[K]): void {
    this.emitter.emit(event, ...args);
  }
}
