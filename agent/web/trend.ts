// The trend plots' data: minute means of every configured channel over the last hours, compact
// (one array a channel, one flag letter a minute). Built once in full, then kept up incrementally:
// each minute closed (or recomputed after a late reading) re-reads only the minutes from there on,
// so a page polled every few seconds costs a few index lookups a minute, not a day of rows.
import type { ConfiguredChannel } from "./channels.js";

export interface TrendSeries extends ConfiguredChannel {
  /** Minute means, oldest first; null where there is none. */
  values: Array<number | null>;
  /** One letter a minute: the minute's flag (N valid, H too few readings, M, C, D, B…), "." for none. */
  flags: string;
}

export interface Trend {
  from: number;
  stepS: 60;
  points: number;
  series: TrendSeries[];
}

export interface MinuteSource {
  series(analyzer: string, channel: string, periodS: number, from: number, to: number): Array<{ periodStart: number; avg: number | null; flag: string }>;
}

const MINUTE = 60_000;
/** A full re-read this often anyway: cheap insurance against a missed recomputation. */
const FULL_EVERY_MS = 30 * MINUTE;

export class TrendCache {
  private from = 0;
  private values: Array<Array<number | null>> = [];
  private flags: string[][] = [];
  /** The earliest minute start that changed since the last build (null: nothing changed). */
  private dirtyFrom: number | null = null;
  private builtAt = 0;
  private json: string | null = null;

  constructor(
    private readonly source: MinuteSource,
    private readonly channels: readonly ConfiguredChannel[],
    private readonly hours: number,
  ) {}

  /** A minute period was closed or recomputed (events: periodClosed). */
  minuteClosed(start: number): void {
    this.dirtyFrom = this.dirtyFrom === null ? start : Math.min(this.dirtyFrom, start);
  }

  /** The trend as JSON, rebuilt only when the window moved or minutes changed. */
  get(now = Date.now()): string {
    const points = this.hours * 60;
    const from = Math.floor(now / MINUTE) * MINUTE - points * MINUTE;
    const full = this.json === null || now - this.builtAt > FULL_EVERY_MS || from - this.from >= points * MINUTE || from < this.from;
    if (!full && from === this.from && this.dirtyFrom === null) return this.json!;
    if (full) {
      this.values = this.channels.map(() => new Array(points).fill(null));
      this.flags = this.channels.map(() => new Array(points).fill("."));
      this.read(from, from, from + points * MINUTE);
      this.builtAt = now;
    } else {
      // Slide the window, then re-read from the first changed minute (or the new ones) on.
      const shift = (from - this.from) / MINUTE;
      for (let k = 0; k < this.channels.length; k++) {
        this.values[k].splice(0, shift);
        this.flags[k].splice(0, shift);
        for (let i = 0; i < shift; i++) {
          this.values[k].push(null);
          this.flags[k].push(".");
        }
      }
      const newFrom = from + (points - shift) * MINUTE;
      const readFrom = Math.max(from, Math.min(newFrom, this.dirtyFrom ?? newFrom));
      this.read(from, readFrom, from + points * MINUTE);
    }
    this.from = from;
    this.dirtyFrom = null;
    const trend: Trend = {
      from,
      stepS: 60,
      points,
      series: this.channels.map((c, k) => ({ ...c, values: this.values[k], flags: this.flags[k].join("") })),
    };
    this.json = JSON.stringify(trend);
    return this.json;
  }

  private read(windowFrom: number, from: number, to: number): void {
    this.channels.forEach((c, k) => {
      const values = this.values[k];
      const flags = this.flags[k];
      for (let i = (from - windowFrom) / MINUTE; i < values.length; i++) {
        values[i] = null;
        flags[i] = ".";
      }
      for (const row of this.source.series(c.analyzer, c.channel, 60, from, to)) {
        const i = (row.periodStart - windowFrom) / MINUTE;
        if (!Number.isInteger(i) || i < 0 || i >= values.length) continue;
        values[i] = row.avg === null ? null : Number(row.avg.toPrecision(5));
        flags[i] = row.flag;
      }
    });
  }
}
