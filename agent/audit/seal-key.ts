// The station's current sealing key, in a file of its own beside the database (mode 0600, readable
// only by the service). One fixed-size record: the key's id, the epoch it is for, the key. Each
// evolution overwrites the record in place and fsyncs, so the previous key's bytes are replaced on
// disk, not left in a freed block as a new file + rename would leave them. (A flash card's
// controller may still keep an old page until it is reused; the README says so. Full-disk wear
// levelling is beyond what a file can control.) Buffers holding old keys are zeroed after use.
import { closeSync, constants, fsyncSync, openSync, readSync, unlinkSync, writeSync, fstatSync } from "node:fs";
import { dirname, join } from "node:path";
import { evolveKey, KEY_BYTES, keyId } from "./seal.js";

export const KEY_FILE = "audit-seal.key";
const RECORD_BYTES = 256;

export function sealKeyPath(dbPath: string): string {
  return join(dirname(dbPath), KEY_FILE);
}

export interface SealKeyState {
  keyId: string;
  /** The epoch this key seals next. */
  epoch: number;
  key: Buffer;
}

export class SealKeyError extends Error {
  readonly sealKeyError = true;
  constructor(message: string, readonly path: string) {
    super(message);
  }
}

function record(s: SealKeyState): Buffer {
  const text = JSON.stringify({ v: 1, keyId: s.keyId, epoch: s.epoch, key: s.key.toString("hex") });
  const buf = Buffer.alloc(RECORD_BYTES, 0x20);
  buf.write(text, 0, "utf8");
  buf[RECORD_BYTES - 1] = 0x0a;
  return buf;
}

function fsyncDir(path: string): void {
  try {
    const fd = openSync(dirname(path), constants.O_RDONLY);
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* a directory that cannot be opened for fsync (some filesystems): the file itself is synced */
  }
}

function writeInPlace(fd: number, buf: Buffer): void {
  writeSync(fd, buf, 0, buf.length, 0);
  fsyncSync(fd);
}

/** Writes a new key file for k_0; refuses to replace one (the caller erases the old one first). */
export function createKeyFile(path: string, k0: Buffer): SealKeyState {
  const state = { keyId: keyId(k0), epoch: 0, key: Buffer.from(k0) };
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new SealKeyError(e.code === "EEXIST" ? `${path} exists: this station already has a sealing key (--force replaces it)` : `cannot create ${path}: ${e.message}`, path);
  }
  try {
    writeInPlace(fd, record(state));
  } finally {
    closeSync(fd);
  }
  fsyncDir(path);
  return state;
}

/** The key file's state, or null when there is none. Symlinks are refused (O_NOFOLLOW). */
export function readKeyFile(path: string): SealKeyState | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === "ENOENT") return null;
    throw new SealKeyError(`cannot read ${path}: ${e.code === "ELOOP" ? "it is a symlink" : e.message}`, path);
  }
  const buf = Buffer.alloc(RECORD_BYTES);
  try {
    if (!fstatSync(fd).isFile()) throw new SealKeyError(`${path} is not a regular file`, path);
    readSync(fd, buf, 0, RECORD_BYTES, 0);
  } finally {
    closeSync(fd);
  }
  try {
    const o = JSON.parse(buf.toString("utf8").trim()) as { keyId: string; epoch: number; key: string };
    const key = Buffer.from(o.key, "hex");
    if (key.length !== KEY_BYTES || !Number.isInteger(o.epoch) || o.epoch < 0 || typeof o.keyId !== "string") throw new Error("bad fields");
    return { keyId: o.keyId, epoch: o.epoch, key };
  } catch {
    throw new SealKeyError(`${path} is not a sealing key file`, path);
  } finally {
    buf.fill(0);
  }
}

/**
 * Evolves the key to `toEpoch` (> its epoch), overwrites the file in place, fsyncs, and zeroes the
 * old key buffers. Returns the new state.
 */
export function advanceKeyFile(path: string, s: SealKeyState, toEpoch: number): SealKeyState {
  if (toEpoch <= s.epoch) return s;
  let k = s.key;
  for (let e = s.epoch; e < toEpoch; e++) {
    const next = evolveKey(k);
    k.fill(0);
    k = next;
  }
  const next = { keyId: s.keyId, epoch: toEpoch, key: k };
  const fd = openSync(path, constants.O_WRONLY | constants.O_NOFOLLOW);
  const buf = record(next);
  try {
    writeInPlace(fd, buf);
  } finally {
    closeSync(fd);
    buf.fill(0);
  }
  return next;
}

/** Erases a key file: zeros over the record, fsync, then unlink. */
export function eraseKeyFile(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_NOFOLLOW);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  try {
    writeInPlace(fd, Buffer.alloc(RECORD_BYTES, 0));
  } finally {
    closeSync(fd);
  }
  unlinkSync(path);
  fsyncDir(path);
}
