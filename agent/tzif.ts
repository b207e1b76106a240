// A zone's UTC offsets from the system's tz database (/usr/share/zoneinfo, RFC 8536 "TZif"),
// without ICU: Intl.DateTimeFormat with a timeZone maps ~8 MB of ICU data into the process
// (6 MB of the node binary's pages and 2 MB of heap), an eighth of a Pi station's memory budget,
// for what is one fixed offset since 1991 in every Chinese station's zone.
//
// The file gives every transition up to its last one, and a POSIX TZ string for the times after
// it. Only a footer without daylight saving time ("CST-8") is followed here; a zone with rules
// for the future (Europe/Berlin's "CET-1CEST,M3.5.0,M10.5.0/3"), leap seconds ("right/" zones) or
// a file that cannot be read or parsed answers `undefined`, and agent/time.ts asks Intl instead.
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Offsets of a zone: `offsetAt` is exact for any instant, or undefined where this table cannot tell. */
export interface ZoneTable {
  /** Transition instants (ms, ascending) and the offset (ms) in force from each one. */
  readonly at: readonly number[];
  readonly offset: readonly number[];
  /** Offset before the first transition (time type 0, RFC 8536 §3.2). */
  readonly before: number;
  /** Offset after the last transition: the footer's fixed offset, undefined when it has DST rules. */
  readonly after: number | undefined;
}

/** Thrown by parseTzif for bytes that are not a TZif file it can use. */
export class TzifError extends Error {
  constructor(message: string) {
    super(`not a usable TZif file: ${message}`);
    this.name = "TzifError";
  }
}

/**
 * Offset (ms) of a parsed zone at instant `ms`, or undefined past the last transition of a zone
 * whose future follows DST rules.
 */
export function offsetAt(z: ZoneTable, ms: number): number | undefined {
  const n = z.at.length;
  if (n === 0 || ms < z.at[0]) return n === 0 ? z.after : z.before;
  if (ms >= z.at[n - 1]) return z.after;
  let lo = 0;
  let hi = n - 1; // z.at[lo] <= ms < z.at[hi]
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (z.at[mid] <= ms) lo = mid;
    else hi = mid;
  }
  return z.offset[lo];
}

/** The fixed offset (ms) of a POSIX TZ string without DST ("CST-8", "<+0545>-5:45"), undefined with DST. */
export function fixedFooterOffset(tz: string): number | undefined {
  const m = /^(?:[A-Za-z]{3,}|<[A-Za-z0-9+-]{3,}>)([+-]?)(\d{1,3})(?::(\d{2}))?(?::(\d{2}))?$/.exec(tz);
  if (!m) return undefined; // empty, or a DST part follows: not ours to interpret
  const secs = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  // POSIX offsets are west-positive: "CST-8" is UTC+8.
  return secs === 0 ? 0 : (m[1] === "-" ? secs : -secs) * 1000; // never -0
}

/** Parses a TZif file (version 2 or later: its 64-bit block and footer). */
export function parseTzif(buf: Uint8Array): ZoneTable {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const header = (off: number) => {
    if (buf.byteLength < off + 44) throw new TzifError("truncated header");
    if (v.getUint32(off) !== 0x545a6966) throw new TzifError("no TZif magic");
    const c = (i: number) => v.getUint32(off + 20 + 4 * i);
    return { version: buf[off + 4], isut: c(0), isstd: c(1), leap: c(2), time: c(3), type: c(4), char: c(5) };
  };
  const h1 = header(0);
  if (h1.version < 0x32) throw new TzifError("version 1 (no 64-bit data)");
  const v1Size = h1.time * 5 + h1.type * 6 + h1.char + h1.leap * 8 + h1.isstd + h1.isut;
  const base = 44 + v1Size;
  const h = header(base);
  if (h.leap > 0) throw new TzifError("leap seconds");
  if (h.type === 0) throw new TzifError("no local time types");
  let p = base + 44;
  const end = p + h.time * 9 + h.type * 6 + h.char + h.isstd + h.isut;
  if (buf.byteLength < end + 2) throw new TzifError("truncated data");
  const at: number[] = [];
  const idx: number[] = [];
  for (let i = 0; i < h.time; i++, p += 8) at.push(Number(v.getBigInt64(p)) * 1000);
  for (let i = 0; i < h.time; i++, p++) idx.push(buf[p]);
  const utoff: number[] = [];
  for (let i = 0; i < h.type; i++, p += 6) utoff.push(v.getInt32(p) * 1000);
  if (idx.some((i) => i >= h.type)) throw new TzifError("transition to an unknown type");
  for (let i = 1; i < at.length; i++) if (at[i] <= at[i - 1]) throw new TzifError("transitions out of order");
  // Footer: "\n<POSIX TZ>\n" after the data.
  if (buf[end] !== 0x0a) throw new TzifError("no footer");
  const close = buf.indexOf(0x0a, end + 1);
  if (close < 0) throw new TzifError("unterminated footer");
  const footer = Buffer.from(buf.subarray(end + 1, close)).toString("latin1");
  const last = at.length ? utoff[idx[idx.length - 1]] : utoff[0];
  // An empty footer: the last type holds for ever (RFC 8536 §3.3).
  const after = footer === "" ? last : fixedFooterOffset(footer);
  return { at, offset: idx.map((i) => utoff[i]), before: utoff[0], after };
}

const ZONE_NAME = /^[A-Za-z0-9_+-]+(?:\/[A-Za-z0-9_+-]+)*$/;

/** The zone's table from the tz database (TZDIR or /usr/share/zoneinfo), or undefined when there is none usable. */
export function loadZone(tz: string, dir = process.env.TZDIR || "/usr/share/zoneinfo"): ZoneTable | undefined {
  // A name, never a path: "../../etc/passwd" from a config must not be read.
  if (!ZONE_NAME.test(tz) || tz.split("/").some((s) => s === "." || s === "..")) return undefined;
  try {
    return parseTzif(readFileSync(join(dir, tz)));
  } catch {
    return undefined;
  }
}
