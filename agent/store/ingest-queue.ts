// The store step as it runs: polled readings are queued and committed in batches (ingest.ts),
// a database that refuses them keeps them queued (bounded, the excess counted), and the data
// disk is watched: low is worth an alarm, critical thins raw readings (disk-guard.ts).
import type { EventBus } from "../events.js";
import type { Feature } from "../feature.js";
import type { Logger } from "../log.js";
import type { Reading } from "../types.js";
import { boundPending, diskLevel, freePercent, RawThrottle, type DiskLevel } from "./disk-guard.js";
import { storeBatch, type IngestParts } from "./ingest.js";

export interface IngestQueueDeps {
  /** Milliseconds a batch collects before it is committed (storage.batch_ms; 0: at once). */
  batchMs: number;
  /** The directory of the data disk. */
  dataDir: string;
  /** The database and the stages of the batch's transaction; null once the database is closed. */
  parts: () => IngestParts | null;
  events: EventBus;
  log: Logger;
}

/** Readings of one stored batch counted by analyzer and flag (the readingsStored event carries it). */
export function countByFlag(rows: ReadonlyArray<{ analyzer: string; flag: string }>): Record<string, Record<string, number>> {
  return batchSummary(rows).byFlag;
}

/**
 * The analyzers of a batch (in order of first appearance) and its readings counted by analyzer and
 * flag, in one indexed pass: this runs at every batch, interpreted (no iterator, Set or mapped copy).
 */
export function batchSummary(rows: ReadonlyArray<{ analyzer: string; flag: string }>): { analyzers: string[]; byFlag: Record<string, Record<string, number>> } {
  const byFlag: Record<string, Record<string, number>> = {};
  const analyzers: string[] = [];
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    let m = byFlag[r.analyzer];
    if (m === undefined) {
      m = byFlag[r.analyzer] = {};
      analyzers.push(r.analyzer);
    }
    m[r.flag] = (m[r.flag] ?? 0) + 1;
  }
  return { analyzers, byFlag };
}

export class IngestQueue implements Feature {
  private queue: Reading[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private diskTimer: NodeJS.Timeout | null = null;
  private readonly rawThrottle = new RawThrottle();
  /** When readings last arrived from a poller (B readings included): the watchdog's sign of life. */
  lastIngestAt = Date.now();
  /** How full the data disk is; checked every minute. */
  disk: DiskLevel = "ok";
  /** Readings lost because the database could not take them for too long. */
  unstoredDropped = 0;

  constructor(private readonly deps: IngestQueueDeps) {}

  start(): void {
    this.checkDisk();
    this.diskTimer = setInterval(() => this.checkDisk(), 60_000);
  }

  /** After the pollers stopped: the readings in hand are committed. */
  stop(): void {
    if (this.diskTimer) clearInterval(this.diskTimer);
    this.diskTimer = null;
    this.flush();
  }

  /** Polled readings are committed in batches; nothing else touches them before that. */
  ingest(rows: Reading[]): void {
    this.lastIngestAt = Date.now();
    this.queue.push(...(this.disk === "critical" ? this.rawThrottle.filter(rows) : rows));
    const ms = this.deps.batchMs;
    if (ms === 0) this.flush();
    else if (!this.flushTimer) this.flushTimer = setTimeout(() => this.flush(), ms);
  }

  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const parts = this.deps.parts();
    if (!this.queue.length || !parts) return;
    const rows = this.queue;
    const { log } = this.deps;
    try {
      storeBatch(parts, rows);
      this.queue = [];
    } catch (err) {
      // Disk full or I/O error: keep the readings and try again. The backlog is bounded; what
      // goes beyond it is counted and logged, never dropped silently.
      const lost = boundPending(this.queue);
      this.unstoredDropped += lost;
      log.error(`cannot store ${this.queue.length} readings, will retry: ${(err as Error).message}`, lost ? { dropped: lost, droppedTotal: this.unstoredDropped } : undefined);
      if (!this.flushTimer) this.flushTimer = setTimeout(() => this.flush(), 1000);
      return;
    }
    const { analyzers, byFlag } = batchSummary(rows);
    this.deps.events.emit("readingsStored", rows.length, analyzers, byFlag);
  }

  /** Watches the data disk: low is worth an alarm, critical thins raw readings (disk-guard.ts). */
  checkDisk(freePct = freePercent(this.deps.dataDir)): DiskLevel {
    if (freePct === null) return this.disk;
    const level = diskLevel(freePct);
    if (level !== this.disk) {
      const msg = `data disk ${freePct.toFixed(1)} % free: ${level}`;
      const { log } = this.deps;
      if (level === "critical") log.error(`${msg}; raw readings now kept at one per channel per minute (aggregates unaffected)`);
      else if (level === "low") log.warn(msg);
      else log.info(msg);
      this.disk = level;
    }
    return level;
  }
}
