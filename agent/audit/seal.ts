// Forward-secure sealing (pure): the idea of systemd-journald's Forward Secure Sealing and of
// Bellare–Yee forward-secure MACs. The station holds one key per epoch; each epoch's seal is an
// HMAC under that key over the heads of the hash chains and a digest of the intervention tables,
// and the key is then replaced by its one-way successor k_{i+1} = SHA-256("evolve" ‖ k_i) and
// erased. Whoever takes the station at epoch m holds k_m only: from it no earlier key can be
// computed, so no seal of an earlier epoch can be forged, and rewriting sealed history (even with
// every hash of the chains recomputed) shows.
//
// The verification key is k_0 itself. That is acceptable because it never stays on the station:
// `audit keygen` prints it once for the monitoring centre, and the station erases each k_i as soon
// as the seal of epoch i is made (overwrite in place + fsync, see seal-key.ts). The centre, holding
// k_0, recomputes every k_i by evolving it; a symmetric scheme keeps verification cheap (a year of
// 15-minute epochs is 35,040 hashes) where a signature scheme would need a public-key library.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { canonicalJson, sha256 } from "./hash.js";

export const KEY_BYTES = 32;
const SEAL_CONTEXT = "station-agent audit seal v1\n";

/** k_{i+1} = SHA-256("evolve" ‖ k_i). */
export function evolveKey(k: Buffer): Buffer {
  return createHash("sha256").update("evolve").update(k).digest();
}

/** k_n from k_0 (n evolutions). */
export function keyAtEpoch(k0: Buffer, n: number): Buffer {
  let k = k0;
  for (let i = 0; i < n; i++) k = evolveKey(k);
  return k;
}

/** The key's public name, written with every seal: one-way, so it tells nothing about the key. */
export function keyId(k0: Buffer): string {
  return createHash("sha256").update("station-agent key id").update(k0).digest("hex").slice(0, 16);
}

/** What a seal vouches for. `tables` is the digest of the per-table digests (tablesDigest). */
export interface SealPayload {
  keyId: string;
  epoch: number;
  ts: number;
  kind: SealKind;
  audit: { id: number; hash: string } | null;
  readings: { id: number; hash: string } | null;
  tables: string;
  /** The MAC of the seal before this one (any key), or "" for the very first: seals cannot be dropped or reordered unseen. */
  prev: string;
}

/** start: the agent started; interval: an epoch ended; stop: the agent stops. */
export type SealKind = "start" | "interval" | "stop";

export function sealMac(key: Buffer, p: SealPayload): string {
  return createHmac("sha256", key).update(SEAL_CONTEXT).update(canonicalJson(p)).digest("hex");
}

export function macEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** A table row's hash: the row as SQLite gives it back, every column, keys sorted. */
export function rowHash(table: string, row: Record<string, unknown>): string {
  return sha256(table, "\n", canonicalJson(row));
}

/** A table's digest from its rows' keys and hashes, in key order: equal contents, equal digest. */
export function tableDigest(rows: Iterable<[key: string, hash: string]>): string {
  const sorted = [...rows].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const h = createHash("sha256");
  for (const [k, v] of sorted) h.update(k).update("\t").update(v).update("\n");
  return h.digest("hex");
}

/** One digest over the per-table digests, so a seal's MAC (and its 3020 text) carries one value. */
export function tablesDigest(tables: Record<string, string>): string {
  return sha256("tables\n", canonicalJson(tables));
}

/**
 * The verification key as printed: 64 hex digits in groups of 8, then 8 of checksum, so a typo is
 * caught as a typo ("not a verification key"), not reported as tampering.
 */
export function formatVerificationKey(k0: Buffer): string {
  const hex = k0.toString("hex") + checksum(k0);
  return hex.match(/.{8}/g)!.join("-");
}

const checksum = (k: Buffer) => createHash("sha256").update("station-agent key check").update(k).digest("hex").slice(0, 8);

export class VerificationKeyError extends Error {
  readonly verificationKeyError = true;
}

/** Reads a printed verification key (dashes, spaces and case ignored); throws on a malformed one. */
export function parseVerificationKey(text: string): Buffer {
  const hex = text.replace(/[\s-]/g, "").toLowerCase();
  if (!/^[0-9a-f]{72}$/.test(hex)) throw new VerificationKeyError("not a verification key: expected 72 hex digits (as `audit keygen` printed them, dashes optional)");
  const k = Buffer.from(hex.slice(0, 64), "hex");
  if (checksum(k) !== hex.slice(64)) throw new VerificationKeyError("the verification key's checksum does not match: a digit is mistyped");
  return k;
}
