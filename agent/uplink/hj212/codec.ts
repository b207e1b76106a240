// HJ 212 frame and data-segment codec (test/fixtures/hj212.md). Pure: strings and bytes in and out.
// Strict when sending, tolerant when receiving: decodeFrame names every deviation it sees, and
// in tolerant mode accepts the ones real senders are known to make (see Quirk) while reporting them.
import { crcHex, hj212Crc, modbusCrc, swapBytes } from "./crc.js";

/** Known deviations of real senders; tolerant decoding accepts them and lists them. */
export type Quirk =
  | "modbus-crc"
  | "modbus-crc-swapped"
  | "lowercase-crc"
  | "length-in-chars"
  | "missing-flag"
  | "missing-crlf"
  | "oversize"
  /** `MN=` empty: an HJ 212-2025 station answering before the platform has assigned its MN. */
  | "empty-mn";

/** A received frame that cannot be accepted. `quirk` is set when tolerant mode would have accepted it. */
export class Hj212FrameError extends Error {
  readonly hj212Frame = true as const;
  constructor(
    readonly reason: string,
    readonly quirk?: Quirk,
    /** Set when only the CRC was wrong: the segment, so its sender can still be answered (QnRtn=9). */
    readonly badCrcSegment?: string,
  ) {
    super(`HJ 212 frame rejected: ${reason}`);
    this.name = "Hj212FrameError";
  }
}

/** Which checksum a frame carries: the standard's, or what a broken platform insists on. */
export type CrcVariant = "standard" | "modbus" | "modbus-swapped";

export function crcFor(bytes: Uint8Array, variant: CrcVariant = "standard"): string {
  if (variant === "modbus") return crcHex(modbusCrc(bytes));
  if (variant === "modbus-swapped") return crcHex(swapBytes(modbusCrc(bytes)));
  return crcHex(hj212Crc(bytes));
}

/** A segment we were asked to send that would not be a valid HJ 212 segment. */
export class Hj212SegmentError extends Error {
  readonly hj212Segment = true as const;
  constructor(
    readonly field: string,
    readonly value: string,
    readonly reason: string,
  ) {
    super(`HJ 212 ${field}=${JSON.stringify(value)}: ${reason}`);
    this.name = "Hj212SegmentError";
  }
}

/** The largest segment a 4-digit length can declare. */
export const MAX_SEGMENT_BYTES = 9999;
/** The standard's limit for what we send; longer data is split into packets (PNUM/PNO). */
export const SEND_SEGMENT_BYTES = 1024;

/** `##` + length + segment + CRC + CRLF. The length counts UTF-8 bytes, not characters. */
export function encodeFrame(segment: string, crc: CrcVariant = "standard"): string {
  const bytes = Buffer.from(segment, "utf8");
  if (bytes.length > MAX_SEGMENT_BYTES) {
    throw new Hj212SegmentError("segment", `${segment.slice(0, 40)}…`, `${bytes.length} bytes is more than a 4-digit length can declare; split it into packets`);
  }
  if (/[\r\n]/.test(segment)) throw new Hj212SegmentError("segment", segment, "contains CR or LF, which would end the frame early");
  return `##${String(bytes.length).padStart(4, "0")}${segment}${crcFor(bytes, crc)}\r\n`;
}

export interface SegmentHeader {
  qn?: string;
  st: string;
  cn: string;
  pw: string;
  mn: string;
  flag?: number;
  pnum?: number;
  pno?: number;
  /** HJ 212-2025 Table 3: `RF=1` marks a re-sent (补传) data packet; absent otherwise (there is no RF=0). */
  rf?: boolean;
}

// Field widths follow HJ 212-2017 table 5 for QN/ST/CN. PW (6 in the standard) and MN (24) get
// some slack: a platform-issued value that is a little long should not stop every upload.
const TEXT_VALUE = /^[!-~]{1,32}$/; // printable ASCII, no spaces
const SEPARATORS = /[;,=&]/;

function checkText(field: string, value: string): void {
  if (!TEXT_VALUE.test(value) || SEPARATORS.test(value)) {
    throw new Hj212SegmentError(field, value, "must be 1–32 printable ASCII characters without ; , = &");
  }
}

function checkDigits(field: string, value: string, width: number): void {
  if (value.length !== width || !/^\d+$/.test(value)) throw new Hj212SegmentError(field, value, `must be exactly ${width} digits`);
}

function checkInt(field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) throw new Hj212SegmentError(field, String(value), `must be an integer ${min}–${max}`);
}

/** `QN=;ST=;CN=;PW=;MN=;Flag=;PNUM=;PNO=;RF=;CP=&&…&&` in the standard's order (RF: HJ 212-2025 Table 3); absent optional fields are left out. */
export function buildSegment(h: SegmentHeader, cp: string): string {
  if (h.qn !== undefined) checkDigits("QN", h.qn, 17);
  checkDigits("ST", h.st, 2);
  checkDigits("CN", h.cn, 4);
  checkText("PW", h.pw);
  checkText("MN", h.mn);
  if (h.flag !== undefined) checkInt("Flag", h.flag, 0, 255);
  if ((h.pnum === undefined) !== (h.pno === undefined)) {
    throw new Hj212SegmentError("PNUM", String(h.pnum ?? h.pno), "PNUM and PNO go together");
  }
  if (h.pnum !== undefined && h.pno !== undefined) {
    checkInt("PNUM", h.pnum, 1, 9999);
    checkInt("PNO", h.pno, 1, h.pnum);
  }
  if (cp.includes("&&") || /[\r\n]/.test(cp)) throw new Hj212SegmentError("CP", cp, "contains && or CR/LF, which would end the field or frame early");
  const parts: string[] = [];
  if (h.qn !== undefined) parts.push(`QN=${h.qn}`);
  parts.push(`ST=${h.st}`, `CN=${h.cn}`, `PW=${h.pw}`, `MN=${h.mn}`);
  if (h.flag !== undefined) parts.push(`Flag=${h.flag}`);
  if (h.pnum !== undefined) parts.push(`PNUM=${h.pnum}`, `PNO=${h.pno}`);
  if (h.rf) parts.push("RF=1");
  parts.push(`CP=&&${cp}&&`);
  return parts.join(";");
}

export type Protocol = "hj212-2017" | "hj212-2025";
const PROTOCOL_VERSION: Record<Protocol, number> = { "hj212-2017": 1, "hj212-2025": 2 };

/** Flag = version (6 bits) · D (split packet) · A (answer required). 2017 → 4..7, 2025 → 8..11. */
export function flagBits(protocol: Protocol, opts: { ack: boolean; split?: boolean }): number {
  return (PROTOCOL_VERSION[protocol] << 2) | (opts.split ? 2 : 0) | (opts.ack ? 1 : 0);
}

/** Inverse of flagBits; version 0 is HJ 212-2005. */
export function parseFlag(n: number): { version: number; split: boolean; ack: boolean } {
  return { version: n >> 2, split: (n & 2) !== 0, ack: (n & 1) !== 0 };
}

export interface FrameHeader {
  qn?: string;
  st?: string;
  cn?: string;
  pw?: string;
  mn?: string;
  flag?: number;
  pnum?: number;
  pno?: number;
  /** HJ 212-2025: 1 on a re-sent (补传) packet. */
  rf?: number;
}

export interface DecodedFrame {
  segment: string;
  header: FrameHeader;
  /** CP content without the surrounding `CP=&&` … `&&`. */
  cp: string;
  quirks: Quirk[];
}

type FieldRule = { key: keyof FrameHeader; pattern: RegExp; numeric: boolean };
const FIELD_RULES: Record<string, FieldRule> = {
  QN: { key: "qn", pattern: /^\d{1,20}$/, numeric: false },
  ST: { key: "st", pattern: /^\d{1,5}$/, numeric: false },
  CN: { key: "cn", pattern: /^\d{1,7}$/, numeric: false },
  PW: { key: "pw", pattern: /^.+$/, numeric: false },
  MN: { key: "mn", pattern: /^.+$/, numeric: false },
  Flag: { key: "flag", pattern: /^\d{1,3}$/, numeric: true },
  PNUM: { key: "pnum", pattern: /^\d{1,4}$/, numeric: true },
  PNO: { key: "pno", pattern: /^\d{1,4}$/, numeric: true },
  // HJ 212-2025 writes only RF=1; RF=0 from a lenient sender means "not re-sent" and is accepted.
  RF: { key: "rf", pattern: /^[01]$/, numeric: true },
};
const REQUIRED_FIELDS = ["ST", "CN", "PW", "MN"];

const CR = 0x0d;
const LF = 0x0a;

/**
 * Decodes one frame (`##` … `\r\n`). Errors that make the frame unusable always throw; quirks
 * throw in strict mode and are listed in tolerant mode. "oversize" is only ever reported, because
 * the standard itself says to accept long packets. When a frame has several quirks, strict mode
 * names the first; structural errors take precedence because they are the more useful message.
 */
export function decodeFrame(frame: string | Uint8Array, opts: { tolerant?: boolean } = {}): DecodedFrame {
  const found: Array<{ quirk: Quirk; reason: string }> = [];
  const note = (quirk: Quirk, reason: string): void => void found.push({ quirk, reason });
  const buf = typeof frame === "string" ? Buffer.from(frame, "utf8") : Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);

  if (buf.length < 2 || buf[0] !== 0x23 || buf[1] !== 0x23) throw new Hj212FrameError("not an HJ 212 frame: it does not start with ##");
  let end = buf.length;
  if (end >= 8 && buf[end - 2] === CR && buf[end - 1] === LF) end -= 2;
  else {
    note("missing-crlf", "frame does not end with CR LF");
    // A lone CR or LF (a line-oriented sender) is the same quirk.
    while (end > 6 && (buf[end - 1] === CR || buf[end - 1] === LF)) end--;
  }
  if (end < 6) throw new Hj212FrameError("truncated frame: no 4-digit length after ##");
  const lenText = buf.toString("latin1", 2, 6);
  if (!/^\d{4}$/.test(lenText)) throw new Hj212FrameError(`length field ${JSON.stringify(lenText)} is not 4 decimal digits`);
  const declared = Number(lenText);
  if (end - 6 < 4) throw new Hj212FrameError("truncated frame: no room for the 4-digit CRC");
  const segBytes = buf.subarray(6, end - 4);
  const crcText = buf.toString("latin1", end - 4, end);
  const segment = segBytes.toString("utf8");

  // Length before CRC: a truncated frame should be called truncated, not "bad CRC".
  if (declared !== segBytes.length) {
    const chars = [segment.length, [...segment].length]; // UTF-16 units (C#, Java) or code points
    if (chars.includes(declared)) {
      note("length-in-chars", `length ${lenText} counts characters, the segment has ${segBytes.length} UTF-8 bytes`);
    } else if (declared > segBytes.length) {
      throw new Hj212FrameError(`truncated frame: length ${lenText} declared, the segment has only ${segBytes.length} bytes`);
    } else {
      throw new Hj212FrameError(`length ${lenText} does not match the segment's ${segBytes.length} UTF-8 bytes`);
    }
  }

  if (!/^[0-9A-Fa-f]{4}$/.test(crcText)) throw new Hj212FrameError(`CRC field ${JSON.stringify(crcText)} is not 4 hex digits`);
  const expected = crcHex(hj212Crc(segBytes));
  const upper = crcText.toUpperCase();
  if (upper !== crcText) note("lowercase-crc", `CRC in lowercase hex (${crcText}), HJ 212 requires uppercase (${upper})`);
  if (upper !== expected) {
    const modbus = crcHex(modbusCrc(segBytes));
    if (upper === modbus) note("modbus-crc", `CRC is a Modbus CRC (${upper}), HJ 212 CRC would be ${expected}`);
    else if (upper === crcHex(swapBytes(modbusCrc(segBytes)))) {
      note("modbus-crc-swapped", `CRC is a byte-swapped Modbus CRC (${upper}), HJ 212 CRC would be ${expected}`);
    } else throw new Hj212FrameError(`CRC ${crcText} does not match the segment: HJ 212 CRC is ${expected}`, undefined, segment);
  }
  if (segBytes.length > SEND_SEGMENT_BYTES) note("oversize", `segment has ${segBytes.length} bytes, more than the ${SEND_SEGMENT_BYTES} the standard allows`);

  const { header, cp } = parseSegment(segment, note);
  if (!opts.tolerant) {
    const fatal = found.find((f) => f.quirk !== "oversize");
    if (fatal) throw new Hj212FrameError(fatal.reason, fatal.quirk);
  }
  return { segment, header, cp, quirks: found.map((f) => f.quirk) };
}

/** Header and CP of a segment whose frame failed its CRC, or undefined when it cannot be read either. */
export function readSegmentLoose(segment: string): { header: FrameHeader; cp: string } | undefined {
  try {
    return parseSegment(segment, () => {});
  } catch {
    return undefined;
  }
}

/** Splits a data segment into header fields and CP; throws on structure, notes quirks. */
function parseSegment(segment: string, note: (q: Quirk, reason: string) => void): { header: FrameHeader; cp: string } {
  const cpAt = segment.indexOf("CP=&&");
  if (cpAt < 0) throw new Hj212FrameError("segment has no CP=&&…&& field");
  if (cpAt > 0 && segment[cpAt - 1] !== ";") throw new Hj212FrameError("CP=&& is not preceded by ';'");
  if (segment.length < cpAt + 7 || !segment.endsWith("&&")) throw new Hj212FrameError("CP field is not closed by && at the end of the segment");
  const cp = segment.slice(cpAt + 5, -2);

  const header: FrameHeader = {};
  const seen = new Set<string>();
  for (const item of cpAt > 0 ? segment.slice(0, cpAt - 1).split(";") : []) {
    const eq = item.indexOf("=");
    const name = eq < 0 ? item : item.slice(0, eq);
    const value = eq < 0 ? "" : item.slice(eq + 1);
    const rule = FIELD_RULES[name];
    if (eq < 0) throw new Hj212FrameError(`field ${JSON.stringify(item)} has no '='`);
    if (!rule) throw new Hj212FrameError(`unknown field ${JSON.stringify(name)} before CP`);
    if (seen.has(name)) throw new Hj212FrameError(`field ${name} appears twice`);
    if (name === "MN" && value === "") note("empty-mn", "field MN is empty (HJ 212-2025: no MN assigned by the platform yet)");
    else if (!rule.pattern.test(value)) throw new Hj212FrameError(`field ${name}=${JSON.stringify(value)} is malformed`);
    seen.add(name);
    (header as Record<string, string | number>)[rule.key] = rule.numeric ? Number(value) : value;
  }
  for (const name of REQUIRED_FIELDS) if (!seen.has(name)) throw new Hj212FrameError(`field ${name} is missing`);
  if (header.flag !== undefined && header.flag > 255) throw new Hj212FrameError(`Flag=${header.flag} is more than 8 bits`);
  if ((header.pnum === undefined) !== (header.pno === undefined)) throw new Hj212FrameError("PNUM and PNO must appear together");
  if (header.flag === undefined) note("missing-flag", "field Flag is missing");
  // BeginTime/EndTime separated by ';' (C.19–C.21) or ',' (C.22) are both standard: no quirk.
  return { header, cp };
}
