// SM4 (GB/T 32907) as HJ 212-2025 §6.4.2 and Appendix A.2 use it on the CP content: ECB, no
// padding, the content cut into 16-byte blocks, a tail shorter than 16 bytes left plain, and the
// ciphertext written `{0xE4,0x3E,…}` with the plain tail right after the closing brace. Pure:
// bytes and strings in and out. The cipher itself is the runtime's (OpenSSL's `sm4-ecb`).
import { createCipheriv, createDecipheriv, getCiphers, type Cipher, type Decipher } from "node:crypto";

/** Whether this Node's OpenSSL provides SM4 (OpenSSL 1.1.1+ built with it; 3.x has it by default). */
export function sm4Available(): boolean {
  return (hasSm4 ??= getCiphers().includes("sm4-ecb"));
}
let hasSm4: boolean | undefined;

/** A key, ciphertext or key text that cannot be used; `reason` says what is wrong with it. */
export class Sm4Error extends Error {
  readonly sm4Error = true as const;
  constructor(readonly reason: string) {
    super(`SM4: ${reason}`);
    this.name = "Sm4Error";
  }
}

/**
 * A key as platforms distribute it: 16 characters whose ASCII bytes are the key (`0000000000000000`
 * is 16 × 0x30, as in A.2), or `hex:` followed by 32 hex digits for a key that is not printable.
 */
export function parseSm4Key(text: string): Buffer {
  if (text.startsWith("hex:")) {
    const hex = text.slice(4);
    if (!/^[0-9A-Fa-f]{32}$/.test(hex)) throw new Sm4Error("a hex: key needs exactly 32 hex digits after hex:");
    return Buffer.from(hex, "hex");
  }
  if (!/^[!-~]{16}$/.test(text)) throw new Sm4Error(`a key is 16 printable ASCII characters (this one has ${[...text].length} characters${/[^!-~]/.test(text) ? ", some not printable ASCII" : ""})`);
  return Buffer.from(text, "latin1");
}

function checkKey(key: Uint8Array): void {
  if (key.length !== 16) throw new Sm4Error(`the key has ${key.length} bytes, SM4 needs 16`);
  if (!sm4Available()) throw new Sm4Error("this Node's OpenSSL has no sm4-ecb cipher");
}

// ECB has no chaining and we never pad, so one cipher object per key serves every message: update()
// on whole blocks returns them all at once and final() is never needed. Setting one up costs more
// than encrypting a packet, hence the cache (a few keys at most: current and previous per platform).
const ciphers = new Map<string, { enc: Cipher; dec: Decipher }>();
function ecb(key: Uint8Array): { enc: Cipher; dec: Decipher } {
  checkKey(key);
  const id = Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString("latin1");
  let c = ciphers.get(id);
  if (!c) {
    if (ciphers.size >= 16) ciphers.clear();
    c = { enc: createCipheriv("sm4-ecb", key, null).setAutoPadding(false), dec: createDecipheriv("sm4-ecb", key, null).setAutoPadding(false) };
    ciphers.set(id, c);
  }
  return c;
}

/** SM4-ECB over whole blocks, no padding. */
export function sm4EncryptBlocks(key: Uint8Array, plain: Uint8Array): Buffer {
  if (plain.length % 16) throw new Sm4Error(`${plain.length} bytes is not a whole number of 16-byte blocks`);
  return ecb(key).enc.update(plain);
}

export function sm4DecryptBlocks(key: Uint8Array, cipher: Uint8Array): Buffer {
  if (cipher.length % 16) throw new Sm4Error(`the ciphertext has ${cipher.length} bytes, not a whole number of 16-byte blocks`);
  return ecb(key).dec.update(cipher);
}

const HEX_DIGITS = Buffer.from("0123456789ABCDEF");

// The service runs Node without its optimizing compilers (systemd unit): there a byte loop in
// JavaScript is interpreted, and letting the native hex encoder and regex engine do the work is
// about four times faster; with the compilers the loop is, by as much.
const INTERPRETED = process.execArgv.some((a) => a === "--no-opt" || a === "--jitless");

/** `{0xE4,0x3E,…}` as bytes: five per ciphertext byte. */
export function formatCipher(bytes: Uint8Array): Buffer {
  if (INTERPRETED) return Buffer.from(`{${Buffer.from(bytes).toString("hex").toUpperCase().replace(/../g, ",0x$&").slice(1)}}`, "latin1");
  const out = Buffer.allocUnsafe(bytes.length * 5 + 1);
  out[0] = 0x7b;
  for (let i = 0, o = 1; i < bytes.length; i++, o += 5) {
    out[o] = 0x30;
    out[o + 1] = 0x78;
    out[o + 2] = HEX_DIGITS[bytes[i] >> 4];
    out[o + 3] = HEX_DIGITS[bytes[i] & 15];
    out[o + 4] = 0x2c;
  }
  out[out.length - 1] = 0x7d;
  return bytes.length ? out : Buffer.from("{}");
}

/** `{0xE4,0x3E,…}` */
export const formatCipherBytes = (bytes: Uint8Array): string => formatCipher(bytes).toString("latin1");

const NIBBLE = new Int8Array(256).fill(-1);
for (let i = 0; i < 16; i++) NIBBLE[HEX_DIGITS[i]] = NIBBLE[Buffer.from(i.toString(16))[0]] = i;

/**
 * The CP content as sent: its whole 16-byte blocks encrypted and written in braces, the rest plain.
 * Content shorter than one block has nothing to encrypt and goes out as it is. Bytes, because the
 * block boundary may fall inside a multi-byte UTF-8 character (a Chinese log text in 3020).
 */
export function encryptCpContent(key: Uint8Array, content: string | Uint8Array): Buffer {
  const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : Buffer.from(content);
  const whole = bytes.length - (bytes.length % 16);
  if (whole === 0) return bytes;
  return Buffer.concat([formatCipher(sm4EncryptBlocks(key, bytes.subarray(0, whole))), bytes.subarray(whole)]);
}

/** Whether CP content as received starts with a ciphertext block list. */
export const isEncryptedContent = (content: Uint8Array): boolean => content.length > 3 && content[0] === 0x7b && content[1] === 0x30 && (content[2] === 0x78 || content[2] === 0x58);

/**
 * Splits `{0x..,0x..}tail` into ciphertext bytes and the plain tail; throws Sm4Error naming what is
 * malformed (no closing brace: truncated; a byte not written 0xHH; a count not a multiple of 16).
 */
export function parseCipherContent(content: Uint8Array): { cipher: Buffer; tail: Buffer } {
  const buf = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  const close = buf.indexOf(0x7d); // }
  if (buf[0] !== 0x7b) throw new Sm4Error("the ciphertext does not start with {");
  if (close < 0) throw new Sm4Error("the ciphertext {0x…} is truncated: no closing }");
  const fast = fastCipherBytes(buf, close);
  if (fast) {
    if (fast.length % 16) throw new Sm4Error(`the ciphertext has ${fast.length} bytes, not a whole number of 16-byte blocks`);
    return { cipher: fast, tail: buf.subarray(close + 1) };
  }
  const body = buf.toString("latin1", 1, close);
  const items = body.split(",");
  const bytes = Buffer.alloc(items.length);
  for (let i = 0; i < items.length; i++) {
    const m = /^0[xX]([0-9A-Fa-f]{2})$/.exec(items[i].trim());
    if (!m) throw new Sm4Error(`ciphertext byte ${i + 1} ${JSON.stringify(items[i].slice(0, 8))} is not written 0xHH`);
    bytes[i] = parseInt(m[1], 16);
  }
  if (bytes.length % 16) throw new Sm4Error(`the ciphertext has ${bytes.length} bytes, not a whole number of 16-byte blocks`);
  return { cipher: bytes, tail: buf.subarray(close + 1) };
}

/** `0xHH,` × n exactly as we and A.2 write it, read without building strings; null for anything else (the careful path then says what is wrong). */
function fastCipherBytes(buf: Buffer, close: number): Buffer | null {
  if (close % 5 !== 0) return null;
  const out = Buffer.allocUnsafe(close / 5);
  for (let i = 0, o = 1; i < out.length; i++, o += 5) {
    const hi = NIBBLE[buf[o + 2]];
    const lo = NIBBLE[buf[o + 3]];
    if (buf[o] !== 0x30 || (buf[o + 1] | 0x20) !== 0x78 || hi < 0 || lo < 0 || buf[o + 4] !== (i === out.length - 1 ? 0x7d : 0x2c)) return null;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** The plaintext CP content of received `{0x…}tail` content (bytes; the caller checks the CRC). */
export function decryptCpContent(key: Uint8Array, content: Uint8Array): Buffer {
  const { cipher, tail } = parseCipherContent(content);
  return Buffer.concat([sm4DecryptBlocks(key, cipher), tail]);
}
