// The aggregate → outbox step: every second, ended periods are closed (aggregate/store.ts) and
// their packets queued for the platforms that want them, in one transaction, with the run-time
// day data (2041) as days close. Stopping closes what the last readings ended.
import type { StationConfig } from "../../config/schema.js";
import { periodStartOf, periodsToClose } from "../aggregate/periods.js";
import type { Aggregation } from "../aggregate/aggregation.js";
import type { EventBus } from "../events.js";
import type { Feature } from "../feature.js";
import type { Logger } from "../log.js";
import type { Quality } from "../qc/quality.js";
import { cachedStatement, type Db } from "../store/db.js";
import type { Storage } from "../store/storage.js";
import type { Aggregate } from "../types.js";
import { UPLOAD_CN } from "../types.js";
import type { NewPacket } from "./outbox.js";
import { aggregateCp, runtimeCp, type ChannelLookup } from "./packets.js";
import type { Platforms } from "./platforms.js";

/** Periods (s) the platforms' uploads need, with the platforms that want each. */
export function periodsWanted(cfg: StationConfig): Map<number, string[]> {
  const m = new Map<number, string[]>();
  const add = (s: number, p: string) => m.set(s, [...(m.get(s) ?? []), p]);
  for (const p of cfg.platforms.filter((p) => p.enabled)) {
    if (p.uploads.includes("minute")) add(p.minute_interval_min * 60, p.id);
    if (p.uploads.includes("hour")) add(3600, p.id);
    if (p.uploads.includes("day")) add(86400, p.id);
    if (p.uploads.includes("runtime") && !m.has(86400)) m.set(86400, []); // 2041 goes out as days close
  }
  if (!m.has(60)) m.set(60, []); // minute values are always kept, for the CLI and later uploads
  return m;
}

const CN_BY_PERIOD = (s: number) => (s === 3600 ? UPLOAD_CN.hour : s === 86400 ? UPLOAD_CN.day : UPLOAD_CN.minute);

export interface PeriodUploadsDeps {
  cfg: StationConfig;
  tz: string;
  lookup: ChannelLookup;
  events: EventBus;
  log: Logger;
  storage: Pick<Storage, "db" | "readings">;
  quality: Pick<Quality, "engine">;
  aggregation: Pick<Aggregation, "aggregates">;
  platforms: Pick<Platforms, "outbox">;
}

/** What the last successful closePeriods saw: while nothing of it moved, another would do nothing. */
interface LastClose {
  db: Db;
  /** Start of the first period still open, per period length (they move only at boundaries). */
  closable: string;
  dirtyMarks: number;
  dirtyLeft: boolean;
  /** PRAGMA data_version: changes when another connection (the CLI: flag, calibrate…) committed. */
  dataVersion: number;
}

export class PeriodUploads implements Feature {
  private timer: NodeJS.Timeout | null = null;
  private last: LastClose | null = null;
  /** The period lengths to close with their platforms (from the configuration, which does not change). */
  private periods: [number, string[]][] | null = null;

  constructor(private readonly deps: PeriodUploadsDeps) {}

  start(): void {
    this.timer = setInterval(() => this.closePeriods(), 1000);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.closePeriods();
  }

  /**
   * Closes ended periods and queues their packets for the platforms that want them, atomically.
   * Runs every second, but between period boundaries there is seldom anything to do: when no
   * boundary passed, no period was marked dirty, every reading stored here was screened and no
   * other connection wrote to the database since the last close, it returns without a transaction
   * (that close would have found nothing: the same result, without its queries).
   */
  closePeriods(now = Date.now()): void {
    const { cfg, tz, lookup, events, storage } = this.deps;
    const db = storage.db;
    if (!db) return;
    const aggregates = this.deps.aggregation.aggregates;
    const outbox = this.deps.platforms.outbox;
    const grace = cfg.storage.batch_ms + 3000;
    const periods = (this.periods ??= periodsToClose(periodsWanted(cfg)));
    let closable = "";
    for (let i = 0; i < periods.length; i++) closable += `${periodStartOf(now - grace, periods[i][0], tz)},`;
    const dataVersion = (cachedStatement(db, "PRAGMA data_version").get() as { data_version: number }).data_version;
    const last = this.last;
    if (
      last && last.db === db && last.closable === closable && last.dataVersion === dataVersion && !last.dirtyLeft && last.dirtyMarks === aggregates.dirtyMarks &&
      storage.readings.lastInsertedId <= this.deps.quality.engine.screenedThrough
    ) return;
    this.last = null;
    aggregates.dirtyLeft = false;
    const queued = new Map<string, number>();
    try {
      db.transaction(() => {
        this.deps.quality.engine.process(); // readings a failure or a crash left unscreened are screened before they count
        // Shortest first: hours are built from closed minutes, days from closed hours. A period
        // recomputed after a late reading comes back here too and is queued again.
        for (const [periodS, platforms] of periods) {
          const aggs = aggregates.closePeriods(periodS, now, grace);
          if (!aggs.length) continue;
          const byStart = new Map<number, Aggregate[]>();
          for (const a of aggs) byStart.set(a.periodStart, [...(byStart.get(a.periodStart) ?? []), a]);
          for (const [start, group] of byStart) {
            events.emit("periodClosed", periodS, start, group.length);
            const cp = aggregateCp(group, tz, lookup);
            if (!cp) continue;
            const packets: NewPacket[] = platforms.map((platform) => ({ platform, cn: CN_BY_PERIOD(periodS), dataTime: start, cp, ackRequired: true }));
            outbox.enqueue(packets);
            for (const p of platforms) queued.set(p, (queued.get(p) ?? 0) + 1);
          }
          if (periodS === 86400) for (const start of byStart.keys()) this.queueRuntime(start, queued);
        }
      })();
    } catch (err) {
      this.deps.log.error(`aggregation failed, will retry: ${(err as Error).message}`);
      return;
    }
    this.last = { db, closable, dataVersion, dirtyMarks: aggregates.dirtyMarks, dirtyLeft: aggregates.dirtyLeft };
    for (const [p, n] of queued) events.emit("packetsQueued", p, n);
  }

  /** Run-time day data (2041) of a closed day, for the platforms whose uploads include runtime. */
  private queueRuntime(dayStart: number, queued: Map<string, number>): void {
    const { cfg, tz, storage } = this.deps;
    const platforms = cfg.platforms.filter((p) => p.enabled && p.uploads.includes("runtime")).map((p) => p.id);
    if (!platforms.length) return;
    const equipment = (analyzer: string) => String(cfg.analyzers.find((a) => a.id === analyzer)?.options.equipment ?? analyzer);
    const cp = runtimeCp(storage.readings.runMinutes(dayStart, dayStart + 86_400_000), dayStart, tz, equipment);
    if (!cp) return;
    this.deps.platforms.outbox.enqueue(platforms.map((platform) => ({ platform, cn: "2041", dataTime: dayStart, cp, ackRequired: true })));
    for (const p of platforms) queued.set(p, (queued.get(p) ?? 0) + 1);
  }
}
