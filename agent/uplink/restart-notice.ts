// HJ 212-2017 C.24: the data logger tells each platform when it (re)started, CN 2081 with
// `RestartTime`, once after it starts and first connects to that platform. Through the outbox
// like any upload, so it is acknowledged (9014) and survives a drop of the first connection.
import type { EventBus } from "../events.js";
import type { Logger } from "../log.js";
import { formatHj212Time } from "../time.js";
import type { Outbox } from "./outbox.js";

export interface RestartNoticeDeps {
  events: EventBus;
  outbox: Outbox;
  tz: string;
  /** When the agent started (ms). */
  startedAt: number;
  /** The HJ 212 platforms (ids) that get the notice. */
  platforms: readonly string[];
  log: Logger;
  now?: () => number;
}

/** `DataTime=<now>;RestartTime=<start>` (C.24). */
export function restartCp(startedAt: number, now: number, tz: string): string {
  return `DataTime=${formatHj212Time(now, tz)};RestartTime=${formatHj212Time(startedAt, tz)}`;
}

export class RestartNotice {
  private readonly sent = new Set<string>();
  private off: (() => void) | null = null;

  constructor(private readonly deps: RestartNoticeDeps) {}

  /** Before the sessions start: their first connection is what this waits for. */
  start(): void {
    this.off = this.deps.events.on("platformConnected", (platform) => this.onConnected(platform));
  }

  stop(): void {
    this.off?.();
    this.off = null;
  }

  private onConnected(platform: string): void {
    if (this.sent.has(platform) || !this.deps.platforms.includes(platform)) return;
    const now = (this.deps.now ?? Date.now)();
    try {
      this.deps.outbox.enqueue([{ platform, cn: "2081", dataTime: now, cp: restartCp(this.deps.startedAt, now, this.deps.tz), ackRequired: true }]);
      this.sent.add(platform);
      this.deps.events.emit("packetsQueued", platform, 1);
    } catch (err) {
      // A busy database: the next connection tries again.
      this.deps.log.warn(`platform ${platform}: restart notice (2081) not queued: ${(err as Error).message}`);
    }
  }
}
