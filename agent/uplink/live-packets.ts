// Live packets as a feature: realtime data (2011) with the latest value of each channel, and
// equipment status (2021), on the timers of live.ts while a platform is connected and wants them.
// Neither is backfilled: a busy or full database skips one (the next interval brings another).
import type { StationConfig } from "../../config/schema.js";
import type { EventBus } from "../events.js";
import type { Feature } from "../feature.js";
import type { Logger } from "../log.js";
import type { Quality } from "../qc/quality.js";
import type { Storage } from "../store/storage.js";
import { UPLOAD_CN } from "../types.js";
import { LiveUploads } from "./live.js";
import type { NewPacket } from "./outbox.js";
import { realtimeCp, statusCp, type ChannelLookup } from "./packets.js";
import type { Platforms } from "./platforms.js";

export interface LivePacketsDeps {
  cfg: StationConfig;
  tz: string;
  lookup: ChannelLookup;
  events: EventBus;
  log: Logger;
  storage: Storage;
  quality: Quality;
  platforms: Platforms;
}

export class LivePackets implements Feature {
  private live: LiveUploads | null = null;

  constructor(private readonly deps: LivePacketsDeps) {}

  start(): void {
    this.live = new LiveUploads(this.deps.platforms.sessions.values(), {
      realtime: (platform, intervalS) => this.queueRealtime(platform, intervalS),
      status: (platform) => this.queueStatus(platform),
    });
    this.live.start();
  }

  stop(): void {
    this.live?.stop();
  }

  /** Queues live packets; a busy or full database skips this one (the next interval brings another). */
  private tryEnqueue(packets: NewPacket[]): boolean {
    try {
      this.deps.platforms.outbox.enqueue(packets);
      return true;
    } catch (err) {
      this.deps.log.warn(`live packet not queued: ${(err as Error).message}`);
      return false;
    }
  }

  /** A realtime packet with the latest value of each channel, while the platform is connected. */
  private queueRealtime(platform: string, intervalS: number): void {
    const { cfg, tz, lookup, storage } = this.deps;
    const s = this.deps.platforms.sessions.get(platform);
    if (!storage.db || !s?.state().connected) return; // realtime data is not backfilled: minute data is
    const now = Date.now();
    // A channel polled less often than the realtime interval still has a current value.
    const slowestPoll = Math.max(0, ...cfg.analyzers.map((a) => a.interval_s));
    const latest = this.deps.quality.engine.store.withEffectiveFlags(storage.readings.latest(now - Math.max(intervalS, 3 * slowestPoll) * 1000, now));
    const cp = realtimeCp(latest, now, tz, lookup);
    if (!cp) return;
    if (this.tryEnqueue([{ platform, cn: UPLOAD_CN.realtime, dataTime: now, cp, ackRequired: true }])) this.deps.events.emit("packetsQueued", platform, 1);
  }

  /** Equipment status (2021), while a platform has asked for it (2021 until 2022). */
  private queueStatus(platform: string): void {
    const { cfg, tz, lookup, storage } = this.deps;
    if (!storage.db) return;
    const now = Date.now();
    const slowestPoll = Math.max(10, ...cfg.analyzers.map((a) => a.interval_s));
    const cp = statusCp(storage.readings.latest(now - 3 * slowestPoll * 1000, now), now, tz, lookup);
    if (!cp) return;
    if (this.tryEnqueue([{ platform, cn: "2021", dataTime: now, cp, ackRequired: true }])) this.deps.events.emit("packetsQueued", platform, 1);
  }
}
