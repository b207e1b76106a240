// Offsets from the tz database without ICU: a TZif file built here (transitions, a fixed footer, a
// DST footer, no transitions), rejected files, POSIX footers, and every instant a station sees
// compared with Intl for real zones of the system's zoneinfo.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { fixedFooterOffset, loadZone, offsetAt, parseTzif, TzifError } from "../../agent/tzif.js";
import { intlOffset, tzOffsetMs } from "../../agent/time.js";

/** A version 2 TZif file: an empty v1 block, then the 64-bit block and the footer (RFC 8536). */
function tzif(transitions: Array<[atS: number, type: number]>, types: number[], footer: string, opts: { leap?: number; version?: number } = {}): Uint8Array {
  const header = (time: number, type: number, char: number, leap: number) => {
    const b = Buffer.alloc(44);
    b.write("TZif", 0, "latin1");
    b[4] = opts.version ?? 0x32;
    [0, 0, leap, time, type, char].forEach((n, i) => b.writeUInt32BE(n, 20 + 4 * i));
    return b;
  };
  const v1 = header(0, 1, 4, 0); // v1 data: one type, "UTC\0"
  const v1data = Buffer.concat([Buffer.from([0, 0, 0, 0, 0, 0]), Buffer.from("UTC\0", "latin1")]);
  const leap = opts.leap ?? 0;
  const parts = [header(transitions.length, types.length, 4, leap)];
  for (const [at] of transitions) {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(at));
    parts.push(b);
  }
  parts.push(Buffer.from(transitions.map(([, t]) => t)));
  for (const off of types) {
    const b = Buffer.alloc(6);
    b.writeInt32BE(off);
    parts.push(b);
  }
  parts.push(Buffer.from("ABC\0", "latin1"), Buffer.alloc(leap * 12));
  return Buffer.concat([v1, v1data, ...parts, Buffer.from(`\n${footer}\n`, "latin1")]);
}

const H = 3600;

test("transitions, before the first, after the last with a fixed footer", () => {
  // A Shanghai-like zone: LMT, then +8, DST +9 from 1986 to 1991, +8 for ever.
  const z = parseTzif(tzif([[-1_000_000_000, 1], [515_520_000, 2], [527_007_600, 1]], [29_143, 8 * H, 9 * H], "CST-8"));
  const cases: Array<[string, number, number | undefined]> = [
    ["before the first transition: type 0", -2_000_000_000_000, 29_143_000],
    ["at the first transition", -1_000_000_000_000, 8 * H * 1000],
    ["inside DST", 520_000_000_000, 9 * H * 1000],
    ["1 ms before DST ends", 527_007_600_000 - 1, 9 * H * 1000],
    ["at the last transition", 527_007_600_000, 8 * H * 1000],
    ["2026, from the footer", Date.UTC(2026, 11, 3), 8 * H * 1000],
  ];
  for (const [name, ms, want] of cases) assert.equal(offsetAt(z, ms), want, name);
});

test("a footer with DST rules leaves the future to Intl; no transitions; an empty footer", () => {
  const berlin = parseTzif(tzif([[0, 1]], [0, H], "CET-1CEST,M3.5.0,M10.5.0/3"));
  assert.equal(offsetAt(berlin, -1), 0);
  assert.equal(offsetAt(berlin, 1000), undefined, "after the last transition the rules apply: not followed here");
  assert.equal(offsetAt(parseTzif(tzif([], [5.75 * H], "<+0545>-5:45")), 0), 5.75 * H * 1000, "no transition: the footer");
  assert.equal(offsetAt(parseTzif(tzif([[0, 1]], [0, -3 * H], "")), 10_000), -3 * H * 1000, "empty footer: the last type for ever");
});

test("files it cannot use are refused with the reason", () => {
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ["not TZif", Buffer.from("hello world, this is no zone file at all, really."), /no TZif magic/],
    ["version 1", tzif([], [0], "UTC0", { version: 0 }), /version 1/],
    ["leap seconds", tzif([], [0], "UTC0", { leap: 1 }), /leap seconds/],
    ["truncated", tzif([[0, 1]], [0, H], "CET-1").subarray(0, 100), /truncated/],
    ["unknown type", tzif([[0, 5]], [0, H], "CET-1"), /unknown type/],
    ["out of order", tzif([[10, 1], [5, 0]], [0, H], "CET-1"), /out of order/],
  ];
  for (const [name, buf, re] of cases) assert.throws(() => parseTzif(buf), (e: unknown) => e instanceof TzifError && re.test(e.message), name);
});

test("POSIX footers: fixed offsets are read, DST rules and junk are not", () => {
  const cases: Array<[string, number | undefined]> = [
    ["CST-8", 8 * H * 1000],
    ["UTC0", 0],
    ["<+06>-6", 6 * H * 1000],
    ["<-03>3", -3 * H * 1000],
    ["<+0545>-5:45", 5.75 * H * 1000],
    ["IST-5:30", 5.5 * H * 1000],
    ["EST5EDT,M3.2.0,M11.1.0", undefined],
    ["", undefined],
    ["8", undefined],
  ];
  for (const [footer, want] of cases) assert.equal(fixedFooterOffset(footer), want, footer);
});

test("zone names that are paths are not read", () => {
  for (const name of ["../../etc/passwd", "/etc/passwd", "Asia/../../etc/passwd", "Asia//Shanghai", ""]) assert.equal(loadZone(name), undefined, name);
});

const ZONEINFO = "/usr/share/zoneinfo";
const system = existsSync(`${ZONEINFO}/Asia/Shanghai`);
if (!system) console.log(`# skipped: the comparison with Intl needs the system's tz database (${ZONEINFO}, Debian's tzdata)`);

test("the system's zones agree with Intl at every instant a station sees (1990–2040)", { skip: !system && `no ${ZONEINFO}` }, () => {
  // Zones whose rules have not changed in decades (a newer or older tzdata than Node's ICU agrees on them).
  const zones = ["Asia/Shanghai", "Asia/Urumqi", "Asia/Hong_Kong", "UTC", "Asia/Kolkata", "Asia/Kathmandu", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Sao_Paulo"];
  for (const tz of zones) {
    assert.ok(loadZone(tz), `${tz} is read from ${ZONEINFO}`);
    let checked = 0;
    for (let ms = Date.UTC(1990, 0, 1); ms < Date.UTC(2040, 0, 1); ms += 5 * 86_400_000 + 3_599_000) {
      assert.equal(tzOffsetMs(ms, tz), intlOffset(ms, tz), `${tz} at ${new Date(ms).toISOString()}`);
      checked++;
    }
    assert.ok(checked > 3000);
  }
  assert.equal(loadZone("Asia/Shanghai")!.after, 8 * H * 1000, "Beijing time needs no ICU after 1991");
});
