// HJ 212-2025 frames with an encrypted CP (§6.4.2, Appendix A.2). Pure. Which commands are
// encrypted, how a plaintext segment becomes the bytes sent, and how a received frame with a
// `{0x…}` CP becomes the plaintext frame decodeFrame judges.
//  - The CRC is computed over the plaintext segment, before encryption, and not recomputed.
//  - The length field: Table 2 says it is the data segment's length, i.e. what is sent
//    ("transmitted", our default); the printed A.2 example gives the plaintext length (0295 for a
//    1128-byte segment), so `length_basis: plaintext` serves a platform built from the example.
//    Received frames are accepted with either.
//  - Splitting (PNUM/PNO) happens on the plaintext, before encryption: the A.2 example itself sends
//    a 1128-byte encrypted segment, so the 1024 limit is read as the plaintext's.
import { crcFor, MAX_SEGMENT_BYTES, type CrcVariant } from "./codec.js";
import { decryptCpContent, encryptCpContent, isEncryptedContent, Sm4Error } from "./sm4.js";

export type LengthBasis = "transmitted" | "plaintext";

/** §6.4.2: data uploads and requests (2000–2999), key distribution (1014) and field-machine info (3020). */
export function isEncryptedCn(cn: string | undefined): boolean {
  if (!cn || !/^\d{4}$/.test(cn)) return false;
  const n = Number(cn);
  return (n >= 2000 && n <= 2999) || n === 1014 || n === 3020;
}

/** The CN of a segment we built (`QN=…;ST=…;CN=2051;…`). */
export const segmentCn = (segment: string): string | undefined => /(?:^|;)CN=(\d+);/.exec(segment)?.[1];

/** A frame with SM4 on its CP: `##` + length + prefix + `CP=&&{0x…}tail&&` + CRC of the plaintext + CRLF. */
export function encodeEncryptedFrame(segment: string, key: Uint8Array, opts: { crc?: CrcVariant; lengthBasis?: LengthBasis } = {}): Buffer {
  const plain = Buffer.from(segment, "utf8");
  const cpAt = segment.indexOf("CP=&&");
  if (cpAt < 0 || !segment.endsWith("&&")) throw new Sm4Error("segment has no CP=&&…&& to encrypt");
  const prefix = Buffer.from(segment.slice(0, cpAt + 5), "utf8");
  const content = plain.subarray(prefix.length, plain.length - 2);
  const sent = Buffer.concat([prefix, encryptCpContent(key, content), Buffer.from("&&")]);
  if (sent.length > MAX_SEGMENT_BYTES) throw new Sm4Error(`the encrypted segment has ${sent.length} bytes, more than a 4-digit length can declare`);
  const length = opts.lengthBasis === "plaintext" ? plain.length : sent.length;
  return Buffer.concat([Buffer.from(`##${String(length).padStart(4, "0")}`), sent, Buffer.from(`${crcFor(plain, opts.crc)}\r\n`)]);
}

/** A received frame with a `{0x…}` CP that cannot be turned into plaintext; the header says who sent what. */
export class Sm4FrameError extends Error {
  readonly sm4Frame = true as const;
  constructor(
    readonly reason: string,
    readonly header: { qn?: string; cn?: string; mn?: string; pw?: string },
  ) {
    super(`encrypted HJ 212 frame rejected: ${reason}`);
    this.name = "Sm4FrameError";
  }
}

/** Header fields read from the plain part of a segment (before CP), loosely: for answering a frame we could not read. */
function looseHeader(prefix: string): Sm4FrameError["header"] {
  const get = (k: string) => new RegExp(`(?:^|;)${k}=([^;]*)`).exec(prefix)?.[1];
  return { qn: get("QN"), cn: get("CN"), mn: get("MN"), pw: get("PW") };
}

const CRLF = Buffer.from("\r\n");
const CP_OPEN = Buffer.from("CP=&&");

/**
 * The plaintext frame of a received frame whose CP is encrypted, or null when it is not encrypted.
 * Each key is tried in turn (the current one, then the previous one during a rotation); the one
 * whose plaintext matches the frame's CRC wins. Throws Sm4FrameError when the ciphertext is
 * malformed or no key gives the CRC.
 */
export function decryptFrame(raw: Uint8Array, keys: readonly Uint8Array[]): { frame: Buffer; keyIndex: number; lengthBasis: LengthBasis } | null {
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  let end = buf.length;
  while (end > 6 && (buf[end - 1] === 0x0a || buf[end - 1] === 0x0d)) end--;
  if (end < 14 || buf[0] !== 0x23 || buf[1] !== 0x23) return null;
  const seg = buf.subarray(6, end - 4);
  const cpAt = seg.indexOf(CP_OPEN);
  if (cpAt < 0) return null;
  const contentEnd = seg.length >= cpAt + 7 && seg[seg.length - 1] === 0x26 && seg[seg.length - 2] === 0x26 ? seg.length - 2 : seg.length;
  const content = seg.subarray(cpAt + 5, contentEnd);
  if (!isEncryptedContent(content)) return null;
  // The header is only read for an error's sake: the common path never builds these strings.
  const fail = (reason: string) => new Sm4FrameError(reason, looseHeader(seg.toString("utf8", 0, cpAt)));
  if (contentEnd === seg.length) throw fail("the encrypted CP is not closed by && (truncated frame)");
  const crcText = buf.toString("latin1", end - 4, end).toUpperCase();
  const declared = Number(buf.toString("latin1", 2, 6));
  if (!keys.length) throw fail("the CP is encrypted and no SM4 key is configured for this platform");
  let reason = "";
  for (let i = 0; i < keys.length; i++) {
    let plainContent: Buffer;
    try {
      plainContent = decryptCpContent(keys[i], content);
    } catch (err) {
      if (err instanceof Sm4Error) throw fail(err.reason);
      throw err;
    }
    const plain = Buffer.concat([seg.subarray(0, cpAt + 5), plainContent, Buffer.from("&&")]);
    const variants: CrcVariant[] = ["standard", "modbus", "modbus-swapped"];
    if (!variants.some((v) => crcFor(plain, v) === crcText)) {
      reason = `it does not decrypt with the ${keys.length > 1 ? "current or the previous key" : "configured key"}: the CRC of the decrypted segment does not match (wrong key?)`;
      continue;
    }
    let lengthBasis: LengthBasis;
    if (declared === seg.length) lengthBasis = "transmitted";
    else if (declared === plain.length) lengthBasis = "plaintext";
    else throw fail(`length ${declared} is neither the transmitted (${seg.length}) nor the plaintext (${plain.length}) segment length`);
    const frame = Buffer.concat([Buffer.from(`##${String(plain.length).padStart(4, "0")}`), plain, buf.subarray(end - 4, end), CRLF]);
    return { frame, keyIndex: i, lengthBasis };
  }
  throw fail(reason);
}
