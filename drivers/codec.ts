// Register words ↔ numbers for each type × word order × scale, both directions (style.md §1:
// one piece of data serves reading and writing). Pure: the poller decodes, the simulator encodes.
import { formatHj212Time, parseHj212Time } from "../agent/time.js";
import { registerCount, type RegisterType, type WordOrder } from "./types.js";

/** Bytes of a value in "ABCD" (big-endian) order, rearranged to the wire order, and back (an involution). */
function reorder(bytes: number[], order: WordOrder): number[] {
  if (bytes.length === 2) {
    // 16-bit: only the byte order inside the register counts.
    return order === "BADC" || order === "DCBA" ? [bytes[1], bytes[0]] : bytes;
  }
  const [a, b, c, d] = bytes;
  switch (order) {
    case "ABCD":
      return [a, b, c, d];
    case "CDAB":
      return [c, d, a, b];
    case "BADC":
      return [b, a, d, c];
    case "DCBA":
      return [d, c, b, a];
  }
}

/**
 * Scale without binary noise: 234 × 0.1 gives 23.400000000000002, 234 / 10 gives 23.4.
 * When 1/scale is an integer we divide by it instead of multiplying.
 */
function applyScale(raw: number, scale: number): number {
  if (scale === 1) return raw;
  const inv = 1 / scale;
  const rounded = Math.round(inv);
  if (rounded !== 0 && Math.abs(inv - rounded) < 1e-9) return raw / rounded;
  return raw * scale;
}

function removeScale(value: number, scale: number): number {
  if (scale === 1) return value;
  const inv = 1 / scale;
  const rounded = Math.round(inv);
  if (rounded !== 0 && Math.abs(inv - rounded) < 1e-9) return value * rounded;
  return value / scale;
}

/** Scratch for decode(): one value's bytes, read in place (no Buffer or array per value on the poll path). */
const SCRATCH = new DataView(new ArrayBuffer(4));

/** Decode `words` (one or two registers, as on the wire) to a number: raw × scale. Floats may return NaN/±Infinity. */
export function decode(words: Uint16Array | readonly number[], type: RegisterType, order: WordOrder = "ABCD", scale = 1): number {
  const n = registerCount(type);
  if (words.length < n) throw new RangeError(`${type} needs ${n} register(s), got ${words.length}`);
  // The bytes in big-endian ("ABCD") order, as reorder() would give them (an involution).
  const w0 = words[0] & 0xffff;
  const swapBytes = order === "BADC" || order === "DCBA";
  if (n === 1) {
    SCRATCH.setUint16(0, swapBytes ? ((w0 & 0xff) << 8) | (w0 >> 8) : w0);
  } else {
    const w1 = words[1] & 0xffff;
    const swapWords = order === "CDAB" || order === "DCBA";
    const hi = swapWords ? w1 : w0;
    const lo = swapWords ? w0 : w1;
    SCRATCH.setUint16(0, swapBytes ? ((hi & 0xff) << 8) | (hi >> 8) : hi);
    SCRATCH.setUint16(2, swapBytes ? ((lo & 0xff) << 8) | (lo >> 8) : lo);
  }
  let raw: number;
  switch (type) {
    case "int16":
      raw = SCRATCH.getInt16(0);
      break;
    case "uint16":
      raw = SCRATCH.getUint16(0);
      break;
    case "int32":
      raw = SCRATCH.getInt32(0);
      break;
    case "uint32":
      raw = SCRATCH.getUint32(0);
      break;
    case "float32":
      raw = SCRATCH.getFloat32(0);
      break;
  }
  return applyScale(raw, scale);
}

const INT_RANGE: Record<Exclude<RegisterType, "float32">, [number, number]> = {
  int16: [-0x8000, 0x7fff],
  uint16: [0, 0xffff],
  int32: [-0x80000000, 0x7fffffff],
  uint32: [0, 0xffffffff],
};

/**
 * Encode a value to register words (value / scale, rounded for integer types). Integers saturate at
 * the type's range; NaN cannot be an integer (RangeError). Floats keep NaN and ±Infinity.
 */
export function encode(value: number, type: RegisterType, order: WordOrder = "ABCD", scale = 1): number[] {
  const raw = removeScale(value, scale);
  const be = Buffer.alloc(registerCount(type) * 2);
  if (type === "float32") {
    be.writeFloatBE(raw, 0);
  } else {
    if (Number.isNaN(raw)) throw new RangeError(`cannot encode NaN as ${type}`);
    const [min, max] = INT_RANGE[type];
    const int = Math.min(max, Math.max(min, Math.round(raw)));
    if (type === "int16") be.writeInt16BE(int, 0);
    else if (type === "uint16") be.writeUInt16BE(int, 0);
    else if (type === "int32") be.writeInt32BE(int, 0);
    else be.writeUInt32BE(int, 0);
  }
  const wire = reorder([...be], order);
  const words: number[] = [];
  for (let i = 0; i < wire.length; i += 2) words.push((wire[i] << 8) | wire[i + 1]);
  return words;
}

/** Words as big-endian bytes, as they travelled on the wire (Reading.raw). */
export function wordsToBuffer(words: Uint16Array | readonly number[]): Buffer {
  const buf = Buffer.allocUnsafe(words.length * 2);
  // Byte by byte: Buffer#writeUInt16BE validates its arguments on every call (the poll path's hot spot).
  for (let i = 0; i < words.length; i++) {
    buf[2 * i] = (words[i] >> 8) & 0xff;
    buf[2 * i + 1] = words[i] & 0xff;
  }
  return buf;
}

/** Registers of a BCD time (instruments.md §3: `YY MM | DD hh | mm ss`, YY = year − 2000). */
export const BCD_TIME_REGISTERS = 3;

/**
 * Three BCD registers `YY MM | DD hh | mm ss` in the instrument's local time `tz` → ms since the epoch,
 * or null when they are not a valid time (a nibble above 9, month 13, or all zero: no sample yet).
 */
export function decodeBcdTime(words: Uint16Array | readonly number[], tz: string): number | null {
  if (words.length < BCD_TIME_REGISTERS) return null;
  const digits = Array.from(words.slice(0, BCD_TIME_REGISTERS), (w) => (w & 0xffff).toString(16).padStart(4, "0")).join("");
  if (!/^\d{12}$/.test(digits)) return null;
  try {
    return parseHj212Time(`20${digits}`, tz);
  } catch {
    return null;
  }
}

/** ms since the epoch → three BCD registers in local time `tz` (years 2000-2099). */
export function encodeBcdTime(ms: number, tz: string): number[] {
  const digits = formatHj212Time(ms, tz).slice(2); // YYMMDDhhmmss
  return [0, 4, 8].map((i) => parseInt(digits.slice(i, i + 4), 16));
}
