// Station local time. HJ 212 carries wall-clock times of the station's zone (Beijing time for
// every Chinese platform), while the agent stores UTC milliseconds. These helpers convert between
// the two for any IANA zone.
//
// Speed matters: the outbox stamps a QN on every packet and history replays format thousands of
// DataTimes per second. Intl.DateTimeFormat#formatToParts costs microseconds per call, so the
// zone's UTC offset is computed once per zone and UTC hour and cached; formatting is then plain
// Date arithmetic.
//
// Memory matters too: the offsets come from the system's tz database (agent/tzif.ts) where it can
// tell them, and from Intl only where it cannot (a zone with DST rules for the future, no
// zoneinfo file): Intl with a timeZone costs ~8 MB of resident ICU data.

import { loadZone, offsetAt, type ZoneTable } from "./tzif.js";

export const DEFAULT_TZ = "Asia/Shanghai";

/** Text that is not a time in the expected layout. */
export class TimeFormatError extends Error {
  readonly timeFormat = true as const;
  constructor(
    readonly input: string,
    readonly expected: string,
    detail?: string,
  ) {
    super(`invalid time ${JSON.stringify(input)}: expected ${expected}${detail ? ` (${detail})` : ""}`);
    this.name = "TimeFormatError";
  }
}

/** A zone name Intl does not know (a typo in station.yaml, or a system without full ICU data). */
export class UnknownTimeZoneError extends Error {
  readonly unknownTimeZone = true as const;
  constructor(readonly tz: string, options?: { cause?: unknown }) {
    super(`unknown time zone ${JSON.stringify(tz)}: expected an IANA name such as "Asia/Shanghai"`, options);
    this.name = "UnknownTimeZoneError";
  }
}

const HOUR_MS = 3_600_000;
// Bounded so a replay over years of history cannot grow the cache without limit (a year is 8,760 entries).
const MAX_CACHED_OFFSETS = 50_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
// `${tz}|${utcHour}` → offset in ms, or NaN when a transition falls inside that hour.
const offsetCache = new Map<string, number>();

function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone: tz,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
      });
    } catch (cause) {
      throw new UnknownTimeZoneError(tz, { cause });
    }
    formatters.set(tz, f);
  }
  return f;
}

// Per zone: its tz database table, or null where there is none usable (then Intl).
const zones = new Map<string, ZoneTable | null>();

/** The exact offset at one instant: from the tz database, else the slow way (formatToParts). */
function exactOffset(ms: number, tz: string): number {
  let zone = zones.get(tz);
  if (zone === undefined) zones.set(tz, (zone = loadZone(tz) ?? null));
  return (zone ? offsetAt(zone, ms) : undefined) ?? intlOffset(ms, tz);
}

/** The exact offset at one instant from ICU (Intl.DateTimeFormat#formatToParts). */
export function intlOffset(ms: number, tz: string): number {
  const p: Record<string, number> = {};
  for (const part of formatterFor(tz).formatToParts(ms)) {
    if (part.type !== "literal") p[part.type] = Number(part.value);
  }
  // Some ICU versions print midnight as 24 even with h23.
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour % 24, p.minute, p.second);
  return wall - (ms - mod(ms, 1000));
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

/** UTC offset of `tz` at instant `ms` (local = UTC + offset), in milliseconds. */
export function tzOffsetMs(ms: number, tz: string): number {
  if (!Number.isFinite(ms)) throw new RangeError(`tzOffsetMs: not a finite time: ${ms}`);
  const hour = Math.floor(ms / HOUR_MS);
  const key = `${tz}|${hour}`;
  const cached = offsetCache.get(key);
  if (cached !== undefined) return Number.isNaN(cached) ? exactOffset(ms, tz) : cached;
  // The offset holds for the whole hour when it is the same at both ends (zones change their
  // offset at most once an hour). Lord Howe switches at half past, so an hour can straddle a
  // transition: those hours are marked NaN and computed exactly per call.
  const start = exactOffset(hour * HOUR_MS, tz);
  const end = exactOffset(hour * HOUR_MS + HOUR_MS - 1, tz);
  if (offsetCache.size >= MAX_CACHED_OFFSETS) offsetCache.clear();
  offsetCache.set(key, start === end ? start : NaN);
  return start === end ? start : exactOffset(ms, tz);
}

/** Wall-clock fields of `ms` in `tz`, read from a Date shifted by the offset. */
function wallClock(ms: number, tz: string): Date {
  return new Date(ms + tzOffsetMs(ms, tz));
}

const p2 = (n: number): string => (n < 10 ? "0" : "") + n;
const p3 = (n: number): string => (n < 10 ? "00" : n < 100 ? "0" : "") + n;
const p4 = (n: number): string => String(n).padStart(4, "0");

/** "YYYYMMDDhhmmss" in station local time (HJ 212 DataTime, SystemTime, BeginTime…). */
export function formatHj212Time(ms: number, tz: string = DEFAULT_TZ): string {
  const d = wallClock(ms, tz);
  return (
    p4(d.getUTCFullYear()) + p2(d.getUTCMonth() + 1) + p2(d.getUTCDate()) +
    p2(d.getUTCHours()) + p2(d.getUTCMinutes()) + p2(d.getUTCSeconds())
  );
}

/** "YYYYMMDDhhmmsszzz": the HJ 212 request id (QN), local time with milliseconds. */
export function formatQn(ms: number, tz: string = DEFAULT_TZ): string {
  return formatHj212Time(ms, tz) + p3(mod(Math.floor(ms), 1000));
}

/** "YYYY-MM-DD HH:MM:SS" in station local time, for people (CLI output, logs). */
export function formatLocal(ms: number, tz: string = DEFAULT_TZ): string {
  const d = wallClock(ms, tz);
  return (
    `${p4(d.getUTCFullYear())}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} ` +
    `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`
  );
}

interface WallFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  milli: number;
}

/** Range checks shared by both parsers; returns a reason or undefined. */
function invalidField(f: WallFields): string | undefined {
  // Also keeps Date.UTC away from years 0–99, which it maps to 1900–1999.
  if (f.year < 1900) return `year ${f.year}`;
  if (f.month < 1 || f.month > 12) return `month ${f.month}`;
  const daysInMonth = new Date(Date.UTC(f.year, f.month, 0)).getUTCDate();
  if (f.day < 1 || f.day > daysInMonth) return `day ${f.day} of month ${f.month}`;
  if (f.hour > 23) return `hour ${f.hour}`;
  if (f.minute > 59) return `minute ${f.minute}`;
  if (f.second > 59) return `second ${f.second}`;
  return undefined;
}

/**
 * UTC instant of a wall-clock time in `tz`. The offset is taken at the first guess and corrected
 * once, which is exact except inside a DST gap or overlap (a local time that does not exist or
 * exists twice), where it picks a neighbouring instant.
 */
function wallToUtc(f: WallFields, tz: string): number {
  const wall = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second, f.milli);
  const guess = wall - tzOffsetMs(wall, tz);
  return wall - tzOffsetMs(guess, tz);
}

const HJ212_TIME = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(?:(\d{2})(\d{3})?)?$/;

/**
 * Parses an HJ 212 time in station local time: "YYYYMMDDhhmmss", also "YYYYMMDDhhmm" (some
 * platforms drop the seconds) and "YYYYMMDDhhmmsszzz" (a QN).
 */
export function parseHj212Time(s: string, tz: string = DEFAULT_TZ): number {
  const expected = "YYYYMMDDhhmmss (12, 14 or 17 digits)";
  const m = HJ212_TIME.exec(s);
  if (!m) throw new TimeFormatError(s, expected);
  const f: WallFields = {
    year: +m[1], month: +m[2], day: +m[3], hour: +m[4], minute: +m[5],
    second: m[6] === undefined ? 0 : +m[6], milli: m[7] === undefined ? 0 : +m[7],
  };
  const bad = invalidField(f);
  if (bad) throw new TimeFormatError(s, expected, `${bad} is out of range`);
  return wallToUtc(f, tz);
}

const CLI_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/;

/** Parses a CLI time "YYYY-MM-DDTHH:MM[:SS]" (a space instead of T is accepted) in station local time. */
export function parseCliTime(s: string, tz: string = DEFAULT_TZ): number {
  const expected = "YYYY-MM-DDTHH:MM[:SS] in station local time, e.g. 2024-01-31T08:00";
  const m = CLI_TIME.exec(s.trim());
  if (!m) throw new TimeFormatError(s, expected);
  const f: WallFields = {
    year: +m[1], month: +m[2], day: +m[3], hour: +m[4], minute: +m[5],
    second: m[6] === undefined ? 0 : +m[6], milli: 0,
  };
  const bad = invalidField(f);
  if (bad) throw new TimeFormatError(s, expected, `${bad} is out of range`);
  return wallToUtc(f, tz);
}
