// The aggregates table, the per-period-length cursor of what has been closed, and the periods
// to recompute. Closing a period and enqueueing its packets happen in one transaction (see
// agent/uplink/period-uploads.ts), so a crash either closes a period with its packets or not at all.
// Minutes come from readings with their effective flag (after QC); N-minute periods and hours
// from minutes; days from hours. A late reading (or a flag added afterwards) marks its closed
// minute dirty; recomputing it marks the hour, the hour the day, and every period that changed
// is returned again, so its packets are sent again.
import type { Db } from "../store/db.js";
import { cachedStatement, migrate } from "../store/db.js";
import type { Aggregate } from "../types.js";
import type { ReadingStore } from "../store/readings.js";
import { tzOffsetMs } from "../time.js";
import { effectiveReadingsBetween, minuteInputsBetween, QcStore } from "../qc/store.js";
import { aggregatePeriod, combineChannel, groupByChannel, type AggregateOptions } from "./compute.js";
import { periodStartOf } from "./periods.js";
import { PRESETS, requiredValid, sourcePeriod, validityNote, type ValidityRule } from "./validity.js";
import { DEFAULT_DAY_HOURS, isDayHour, isSoundLevel, type DayHours } from "./noise.js";
import { eightHourMean, O3_CODE } from "./eight-hour.js";

const MIGRATIONS = [
  `CREATE TABLE aggregates (
     analyzer TEXT NOT NULL, channel TEXT NOT NULL, period_s INTEGER NOT NULL, period_start INTEGER NOT NULL,
     code TEXT NOT NULL, unit TEXT NOT NULL, min REAL, avg REAL, max REAL,
     count INTEGER NOT NULL, total INTEGER NOT NULL, flag TEXT NOT NULL, computed_at INTEGER NOT NULL,
     PRIMARY KEY (analyzer, channel, period_s, period_start)
   ) WITHOUT ROWID;
   CREATE TABLE aggregate_cursor (period_s INTEGER PRIMARY KEY, next_start INTEGER NOT NULL);`,
  `ALTER TABLE aggregates ADD COLUMN stats TEXT;
   ALTER TABLE aggregates ADD COLUMN note TEXT;
   CREATE TABLE aggregate_dirty (period_s INTEGER NOT NULL, period_start INTEGER NOT NULL, PRIMARY KEY (period_s, period_start)) WITHOUT ROWID;`,
  // list() reads by period length and time (closing periods, platform history requests): without
  // this, each call scans every aggregate of every channel (the key starts with the analyzer).
  `CREATE INDEX aggregates_by_period ON aggregates (period_s, period_start);`,
];

export interface AggregateStoreOptions {
  /** The validity rule of an analyzer (default: ambient air). */
  validity?: (analyzer: string) => ValidityRule;
  /** Whether a channel holds sound levels (default: unit in dB). */
  energy?: (analyzer: string, channel: string, unit: string) => boolean;
  /** Day time of sound levels, local hours [start, end) (default 06–22). */
  dayHours?: DayHours;
}

const DEFAULT_RULE: ValidityRule = { ...PRESETS["ambient-air"], preset: "ambient-air", invalidFlag: "cause" };

type Row = Omit<Aggregate, "stats" | "note"> & { stats: string | null; note: string | null };
const toAggregate = ({ stats, note, ...a }: Row): Aggregate => ({ ...a, ...(stats ? { stats: JSON.parse(stats) as Record<string, number> } : {}), ...(note ? { note } : {}) });
const COLUMNS = "analyzer, channel, period_s AS periodS, period_start AS periodStart, code, unit, min, avg, max, count, total, flag, stats, note";

const same = (a: Aggregate, b: Aggregate | undefined) =>
  !!b && a.min === b.min && a.avg === b.avg && a.max === b.max && a.count === b.count && a.total === b.total && a.flag === b.flag && JSON.stringify(a.stats ?? null) === JSON.stringify(b.stats ?? null);

export class AggregateStore {
  private readonly upsert;
  private seriesStmt: import("better-sqlite3").Statement<unknown[]> | undefined;
  private readonly validity: (analyzer: string) => ValidityRule;
  private readonly energy: (analyzer: string, channel: string, unit: string) => boolean;
  private readonly dayHours: DayHours;
  /**
   * Counts every period marked dirty through this store (late readings, flags, dependants), and
   * whether a closePeriods left a dirty period for later (a clock that stepped back): what the
   * once-a-second tick needs to know that calling again would find nothing to do.
   */
  dirtyMarks = 0;
  dirtyLeft = false;

  constructor(
    private readonly db: Db,
    private readonly readings: ReadingStore,
    private readonly tz: string,
    opts: AggregateStoreOptions = {},
  ) {
    migrate(db, "aggregates", MIGRATIONS);
    new QcStore(db); // minutes read the readings' QC flags: their table must exist
    this.validity = opts.validity ?? (() => DEFAULT_RULE);
    this.energy = opts.energy ?? ((_a, _c, unit) => isSoundLevel(unit));
    this.dayHours = opts.dayHours ?? DEFAULT_DAY_HOURS;
    this.upsert = db.prepare(
      `INSERT OR REPLACE INTO aggregates
       (analyzer, channel, period_s, period_start, code, unit, min, avg, max, count, total, flag, computed_at, stats, note)
       VALUES (@analyzer, @channel, @periodS, @periodStart, @code, @unit, @min, @avg, @max, @count, @total, @flag, @now, @statsJson, @noteText)`,
    );
  }

  /**
   * Recomputes the dirty periods of length `periodS` that are closed, then closes every period
   * that ended at least `graceMs` before `now`. Returns the aggregates of each newly closed
   * period and of each recomputed period that changed (oldest first). Run inside the caller's
   * transaction together with whatever consumes the result, for each length in ascending order
   * (hours need their minutes, days their hours).
   */
  closePeriods(periodS: number, now: number, graceMs: number): Aggregate[] {
    const p = periodS * 1000;
    const cursor = this.cursor(periodS);
    const out: Aggregate[] = [];
    const closable = periodStartOf(now - graceMs, periodS, this.tz); // periods starting before this are over
    if (cursor !== null) out.push(...this.recomputeDirty(periodS, cursor, closable));
    // First run: start at the oldest data, so nothing stored before is left unaggregated.
    const oldest = cursor === null ? this.nextDataFrom(periodS, -Infinity) : null;
    let next = cursor ?? (oldest === null ? closable : Math.min(closable, periodStartOf(oldest, periodS, this.tz)));
    while (next < closable) {
      const aggs = this.compute(periodS, next);
      if (aggs.length === 0) {
        // Skip empty stretches (an agent that was off for days) in one step.
        const t = this.nextDataFrom(periodS, next + p);
        next = t === null ? closable : Math.min(closable, Math.max(next + p, periodStartOf(t, periodS, this.tz)));
        continue;
      }
      this.save(aggs);
      out.push(...aggs);
      next += p;
    }
    if (periodS === 3600) this.updateEightHour(out, next);
    // Written only when it moved: this runs every second, and an unchanged cursor must not cost
    // a write (and its fsync) each time.
    if (next !== cursor) {
      cachedStatement(this.db, "INSERT INTO aggregate_cursor (period_s, next_start) VALUES (?, ?) ON CONFLICT(period_s) DO UPDATE SET next_start = excluded.next_start").run(periodS, next);
    }
    return out;
  }

  /**
   * O3 8-hour means of every window a closed or recomputed hour belongs to (the windows ending
   * with it and with each of the 7 hours after it that are closed already, before `closedBefore`).
   */
  updateEightHour(hours: readonly Aggregate[], closedBefore: number): Aggregate[] {
    const out: Aggregate[] = [];
    const done = new Set<string>();
    for (const h of hours) {
      if (h.periodS !== 3600 || h.code !== O3_CODE) continue;
      const v = this.validity(h.analyzer);
      const rule = { minValid: v.eightHourMinValidHours, invalidFlag: v.invalidFlag, standard: v.standard };
      for (let k = 0; k < 8; k++) {
        const last = h.periodStart + k * 3_600_000;
        const key = `${h.analyzer}\u0000${h.channel}\u0000${last}`;
        if (last >= closedBefore || done.has(key)) continue;
        done.add(key);
        const window = this.list(3600, last - 7 * 3_600_000, last + 1).filter((x) => x.analyzer === h.analyzer && x.channel === h.channel);
        const m = eightHourMean(window, last, rule);
        if (m) out.push(m);
      }
    }
    this.save(out);
    return out;
  }

  /** The aggregates of one period, computed now from the store (not saved). */
  compute(periodS: number, start: number): Aggregate[] {
    const key = { periodStart: start, periodS };
    const end = start + periodS * 1000;
    const src = sourcePeriod(periodS);
    if (src === null) return aggregatePeriod(minuteInputsBetween(this.db, start, end), key, (a, c, u) => this.options(a, c, u, periodS));
    const out: Aggregate[] = [];
    const localHour = (ms: number) => new Date(ms + tzOffsetMs(ms, this.tz)).getUTCHours();
    for (const parts of groupByChannel(this.list(src, start, end))) {
      const { analyzer, channel, unit } = parts[0];
      const opts = this.options(analyzer, channel, unit, periodS);
      let extra = {};
      if (opts.energy) {
        // Percentile levels need the samples themselves: a percentile of minute values is not the hour's.
        const own = this.validSamples(start, end, analyzer, channel);
        extra = { samples: own.map((s) => s[1]) };
        if (periodS === 86400) {
          const isDay = (s: [number, number]) => isDayHour(localHour(s[0]), this.dayHours);
          extra = { ...extra, localHour, dayHours: this.dayHours, daySamples: own.filter(isDay).map((s) => s[1]), nightSamples: own.filter((s) => !isDay(s)).map((s) => s[1]) };
        }
      }
      const a = combineChannel(parts, key, { ...opts, ...extra });
      if (a) out.push(a);
    }
    return out;
  }

  private options(analyzer: string, channel: string, unit: string, periodS: number): AggregateOptions {
    const rule = this.validity(analyzer);
    // Parts a full period has: none known for a minute (readings come at the analyzer's pace).
    const expectedParts = periodS === 86400 ? 24 : periodS > 60 ? periodS / 60 : 0;
    return { minValid: requiredValid(rule, periodS), invalidFlag: rule.invalidFlag, expectedParts, energy: this.energy(analyzer, channel, unit), note: (valid) => validityNote(rule, periodS, valid) };
  }

  /** One channel's valid readings of a period (a day of a sound level: its own rows, not the station's). */
  private validSamples(from: number, to: number, analyzer: string, channel: string): Array<[ts: number, v: number]> {
    const out: Array<[number, number]> = [];
    for (const r of effectiveReadingsBetween(this.db, from, to, { analyzer, channel }))
      if (r.flag === "N" && r.value !== null && Number.isFinite(r.value)) out.push([r.ts, r.value]);
    return out;
  }

  private save(aggs: readonly Aggregate[]): void {
    const t = Date.now();
    for (const a of aggs) this.upsert.run({ ...a, stats: undefined, note: undefined, now: t, statsJson: a.stats ? JSON.stringify(a.stats) : null, noteText: a.note ?? null });
  }

  /** Start of the first data (reading or source aggregate) at or after `t`, or null. */
  private nextDataFrom(periodS: number, t: number): number | null {
    const src = sourcePeriod(periodS);
    const from = Number.isFinite(t) ? t : Number.MIN_SAFE_INTEGER;
    if (src === null) return (this.db.prepare("SELECT MIN(ts) AS t FROM readings WHERE ts >= ?").get(from) as { t: number | null }).t;
    return (this.db.prepare("SELECT MIN(period_start) AS t FROM aggregates WHERE period_s = ? AND period_start >= ?").get(src, from) as { t: number | null }).t;
  }

  private cursor(periodS: number): number | null {
    return (cachedStatement(this.db, "SELECT next_start FROM aggregate_cursor WHERE period_s = ?").get(periodS) as { next_start: number } | undefined)?.next_start ?? null;
  }

  private recomputeDirty(periodS: number, cursor: number, closable: number): Aggregate[] {
    const dirty = (cachedStatement(this.db, "SELECT period_start AS s FROM aggregate_dirty WHERE period_s = ? ORDER BY period_start").all(periodS) as { s: number }[]).map((r) => r.s);
    const out: Aggregate[] = [];
    const del = cachedStatement(this.db, "DELETE FROM aggregate_dirty WHERE period_s = ? AND period_start = ?");
    for (const start of dirty) {
      // Closed, yet still going by the clock: the clock stepped back (NTP, `date -s`) and new readings
      // land in it. Recomputed once it is over, not re-sent at every new reading.
      if (start < cursor && start >= closable) {
        this.dirtyLeft = true;
        continue;
      }
      del.run(periodS, start);
      if (start >= cursor) continue; // not closed yet: it will be computed when it closes
      const fresh = this.compute(periodS, start);
      const old = new Map(this.list(periodS, start, start + 1).map((a) => [`${a.analyzer}\u0000${a.channel}`, a]));
      if (fresh.every((a) => same(a, old.get(`${a.analyzer}\u0000${a.channel}`)))) continue;
      this.save(fresh);
      out.push(...fresh);
      // Whatever is built from this period is now stale too.
      for (const dep of this.cursorLengths()) if (sourcePeriod(dep) === periodS) this.markDirty(dep, periodStartOf(start, dep, this.tz));
    }
    return out;
  }

  private cursorLengths(): number[] {
    return (this.db.prepare("SELECT period_s AS p FROM aggregate_cursor ORDER BY period_s").all() as { p: number }[]).map((r) => r.p);
  }

  markDirty(periodS: number, start: number): void {
    this.dirtyMarks++;
    cachedStatement(this.db, "INSERT OR IGNORE INTO aggregate_dirty (period_s, period_start) VALUES (?, ?)").run(periodS, start);
  }

  /** After readings are stored: the closed minutes they fall in are recomputed at the next close. */
  noteStored(rows: readonly { ts: number }[]): void {
    const c = this.cursor(60);
    if (c === null) return;
    for (const r of rows) if (r.ts < c) this.markDirty(60, periodStartOf(r.ts, 60, this.tz));
  }

  /** After flags changed for from ≤ ts < to (a manual flag): every closed minute in it is recomputed. */
  markDirtyRange(from: number, to: number): number {
    const c = this.cursor(60);
    if (c === null) return 0;
    let n = 0;
    for (let s = periodStartOf(from, 60, this.tz); s < Math.min(to, c); s += 60_000, n++) this.markDirty(60, s);
    return n;
  }

  /** Start of the oldest period not closed yet (its readings are still needed), or null. */
  oldestOpenPeriod(): number | null {
    return (this.db.prepare("SELECT MIN(next_start) AS t FROM aggregate_cursor").get() as { t: number | null }).t;
  }

  /** Deletes up to `limit` aggregates of periods starting before `before`. Returns how many. */
  pruneBefore(before: number, limit: number): number {
    return this.db
      .prepare(
        `DELETE FROM aggregates WHERE (analyzer, channel, period_s, period_start) IN
           (SELECT analyzer, channel, period_s, period_start FROM aggregates WHERE period_start < ? LIMIT ?)`,
      )
      .run(before, limit).changes;
  }

  list(periodS: number, from: number, to: number): Aggregate[] {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM aggregates WHERE period_s = ? AND period_start >= ? AND period_start < ? ORDER BY period_start, analyzer, channel`).all(periodS, from, to) as Row[]).map(toAggregate);
  }

  /** One channel's aggregates of one period length in [from, to), by the primary key (a trend plot). */
  series(analyzer: string, channel: string, periodS: number, from: number, to: number): Array<Pick<Aggregate, "periodStart" | "avg" | "flag">> {
    this.seriesStmt ??= this.db.prepare(
      "SELECT period_start AS periodStart, avg, flag FROM aggregates WHERE analyzer = ? AND channel = ? AND period_s = ? AND period_start >= ? AND period_start < ? ORDER BY period_start",
    );
    return this.seriesStmt
      .all(analyzer, channel, periodS, from, to) as Array<Pick<Aggregate, "periodStart" | "avg" | "flag">>;
  }

  /** Every stored aggregate of a code starting at `start`, any period length (for `trace`). */
  byCodeAt(code: string, start: number): Aggregate[] {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM aggregates WHERE code = ? AND period_start = ? ORDER BY period_s, analyzer, channel`).all(code, start) as Row[]).map(toAggregate);
  }
}
