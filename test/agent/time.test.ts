import { test } from "node:test";
import assert from "node:assert/strict";
import {
  formatHj212Time,
  formatLocal,
  formatQn,
  parseCliTime,
  parseHj212Time,
  TimeFormatError,
  tzOffsetMs,
  UnknownTimeZoneError,
} from "../../agent/time.js";

const SH = "Asia/Shanghai";
const NY = "America/New_York";

test("tzOffsetMs: fixed and DST zones", () => {
  const cases: Array<[string, number, string, number]> = [
    ["Beijing has no DST", Date.UTC(2024, 6, 1), SH, 8 * 3600_000],
    ["Beijing in winter", Date.UTC(2024, 0, 1), SH, 8 * 3600_000],
    ["UTC", Date.UTC(2024, 0, 1), "UTC", 0],
    ["Kolkata half hour", Date.UTC(2024, 0, 1), "Asia/Kolkata", 5.5 * 3600_000],
    ["New York winter", Date.UTC(2024, 0, 15), NY, -5 * 3600_000],
    ["New York summer", Date.UTC(2024, 6, 15), NY, -4 * 3600_000],
    ["New York 1 ms before spring forward", Date.UTC(2024, 2, 10, 7) - 1, NY, -5 * 3600_000],
    ["New York at spring forward", Date.UTC(2024, 2, 10, 7), NY, -4 * 3600_000],
    // Lord Howe changes by 30 minutes at 02:00 local (15:30 UTC): a transition inside a UTC hour.
    ["Lord Howe before half-hour transition", Date.UTC(2024, 9, 5, 15, 29, 59), "Australia/Lord_Howe", 10.5 * 3600_000],
    ["Lord Howe after half-hour transition", Date.UTC(2024, 9, 5, 15, 30), "Australia/Lord_Howe", 11 * 3600_000],
  ];
  for (const [name, ms, tz, want] of cases) assert.equal(tzOffsetMs(ms, tz), want, name);
});

test("cached offsets agree with Intl at random instants in several zones", () => {
  const zones = [SH, NY, "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"];
  let seed = 42;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 2000; i++) {
    const tz = zones[i % zones.length];
    const ms = Date.UTC(2000, 0, 1) + Math.floor(rand() * 30 * 365 * 86400_000);
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat("en-CA", { timeZone: tz, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" })
        .formatToParts(ms)
        .map((p) => [p.type, p.value]),
    );
    const want = `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
    assert.equal(formatLocal(ms, tz), want, `${tz} at ${new Date(ms).toISOString()}`);
  }
});

test("formatting in station local time", () => {
  const ms = Date.UTC(2024, 0, 1, 4, 0, 5, 7); // 12:00:05.007 in Beijing
  const cases: Array<[string, string, string]> = [
    ["formatHj212Time", formatHj212Time(ms, SH), "20240101120005"],
    ["formatQn pads milliseconds", formatQn(ms, SH), "20240101120005007"],
    ["formatLocal", formatLocal(ms, SH), "2024-01-01 12:00:05"],
    ["day rolls over in local time", formatHj212Time(Date.UTC(2023, 11, 31, 16), SH), "20240101000000"],
    ["default zone is Beijing", formatHj212Time(ms), "20240101120005"],
    ["New York summer", formatLocal(Date.UTC(2024, 6, 1, 16), NY), "2024-07-01 12:00:00"],
    ["QN in the 2016 example", formatQn(Date.UTC(2016, 7, 1, 0, 58, 57, 223), SH), "20160801085857223"],
  ];
  for (const [name, got, want] of cases) assert.equal(got, want, name);
});

test("parseHj212Time accepts 12, 14 and 17 digits", () => {
  const cases: Array<[string, string, number]> = [
    ["14 digits", "20240101120005", Date.UTC(2024, 0, 1, 4, 0, 5)],
    ["12 digits, no seconds", "202401011200", Date.UTC(2024, 0, 1, 4, 0)],
    ["17 digits, a QN", "20240101120005007", Date.UTC(2024, 0, 1, 4, 0, 5, 7)],
    ["leap day", "20240229000000", Date.UTC(2024, 1, 28, 16)],
  ];
  for (const [name, input, want] of cases) assert.equal(parseHj212Time(input, SH), want, name);
  assert.equal(parseHj212Time("20240701120000", NY), Date.UTC(2024, 6, 1, 16), "New York summer");
  assert.equal(parseHj212Time("20240115120000", NY), Date.UTC(2024, 0, 15, 17), "New York winter");
});

test("parseHj212Time rejects junk with a typed error", () => {
  const junk = ["", "2024", "2024010112000", "202401011200050", "2024-01-01 12:00", "20241301120000", "20240230120000", "20240101240000", "20240101126000", "20240101120060", "00500101120000", " 20240101120000"];
  for (const input of junk) {
    assert.throws(
      () => parseHj212Time(input, SH),
      (err: unknown) => err instanceof TimeFormatError && err.timeFormat && err.input === input && /YYYYMMDDhhmmss/.test(err.expected),
      JSON.stringify(input),
    );
  }
});

test("parseCliTime", () => {
  const cases: Array<[string, number]> = [
    ["2024-01-01T12:00", Date.UTC(2024, 0, 1, 4)],
    ["2024-01-01T12:00:30", Date.UTC(2024, 0, 1, 4, 0, 30)],
    ["2024-01-01 12:00", Date.UTC(2024, 0, 1, 4)],
  ];
  for (const [input, want] of cases) assert.equal(parseCliTime(input, SH), want, input);
  for (const input of ["2024-01-01", "yesterday", "2024-1-1T12:00", "2024-02-30T00:00", "2024-01-01T25:00"]) {
    assert.throws(
      () => parseCliTime(input, SH),
      (err: unknown) => err instanceof TimeFormatError && err.timeFormat && err.input === input && /YYYY-MM-DDTHH:MM\[:SS\]/.test(err.message),
      input,
    );
  }
});

test("round trip through local time, including across DST changes", () => {
  for (const tz of [SH, NY, "Europe/London", "Australia/Lord_Howe"]) {
    for (let ms = Date.UTC(2024, 0, 1); ms < Date.UTC(2025, 0, 1); ms += 7 * 3600_000 + 13_000) {
      const local = formatHj212Time(ms, tz);
      const back = parseHj212Time(local, tz);
      assert.equal(formatHj212Time(back, tz), local, `${tz} ${local}`);
      // In the hour a fall-back repeats, a local time names two instants; elsewhere it names one.
      const ambiguous = tzOffsetMs(ms - 3600_000, tz) !== tzOffsetMs(ms + 3600_000, tz);
      if (!ambiguous) assert.equal(back, ms, `${tz} ${local}`);
    }
  }
});

test("a local time inside a spring-forward gap maps to a neighbouring instant", () => {
  // 02:30 on 2024-03-10 does not exist in New York (clocks jump 02:00 → 03:00 at 07:00 UTC).
  const got = parseHj212Time("20240310023000", NY);
  assert.ok(Math.abs(got - Date.UTC(2024, 2, 10, 7, 0)) <= 3600_000, new Date(got).toISOString());
});

test("an unknown zone is a typed error", () => {
  assert.throws(() => formatHj212Time(0, "Asia/Shanghia"), (err: unknown) => err instanceof UnknownTimeZoneError && err.tz === "Asia/Shanghia");
});

test("formatting is fast (cached offsets, no formatToParts per call)", () => {
  const start = performance.now();
  const base = Date.UTC(2024, 0, 1);
  for (let i = 0; i < 100_000; i++) formatQn(base + i * 997, SH);
  const perSecond = 100_000 / ((performance.now() - start) / 1000);
  // Thousands per second are required; the bound is loose so a busy CI machine does not flake.
  assert.ok(perSecond > 20_000, `${Math.round(perSecond)} QNs per second`);
});
