// SM4 keys a platform distributed with 1014 (HJ 212-2025 §6.4.3), kept outside the YAML: one JSON
// file in the state directory, mode 0600, replaced atomically (write, fsync, rename), so a power
// cut leaves the old file or the new one. After a rotation the previous key still decrypts for a
// grace period (frames the platform sent before it switched). Keys never leave this file: callers
// get bytes to encrypt with, audits and logs get the creation time only.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync, chmodSync } from "node:fs";
import { createHash } from "node:crypto";
import { dirname } from "node:path";

export const KEY_FILE = "sm4-keys.json";
/** The previous key decrypts this long after a rotation. */
export const PREVIOUS_KEY_GRACE_MS = 60_000;
/** §6.4.3: keys are rotated every 90 days; older than this raises an alarm. */
export const KEY_MAX_AGE_MS = 90 * 86_400_000;

interface StoredKey {
  /** Hex of the 16 key bytes. */
  key: string;
  /** SKCreateTime from the platform (ms), when it sent one. */
  createdAt: number | null;
  /** When the station stored it. */
  setAt: number;
  actor: string;
}

interface PlatformKeys {
  current?: StoredKey;
  previous?: StoredKey & { until: number };
  /** The configured key (sm4_key / sm4_key_file) as first seen: its SHA-256 and since when, for its age. */
  configured?: { sha256: string; since: number };
}

type FileShape = { version: 1; platforms: Record<string, PlatformKeys> };

/** What may be shown about a platform's key: where it came from and how old it is, never the key. */
export interface KeyInfo {
  source: "platform" | "config" | "none";
  /** When the key was made (SKCreateTime) or first seen; null when unknown. */
  since: number | null;
}

export class Sm4KeyStore {
  private data: FileShape = { version: 1, platforms: {} };

  constructor(
    readonly path: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Reads the file; a missing one is an empty store. A corrupt one throws (the caller logs it and runs on the configured keys). */
  load(): this {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return this;
      throw err;
    }
    const parsed = JSON.parse(text) as FileShape;
    if (parsed?.version !== 1 || typeof parsed.platforms !== "object") throw new Error(`${this.path}: not an SM4 key store (version 1)`);
    this.data = parsed;
    return this;
  }

  private entry(platform: string): PlatformKeys {
    return (this.data.platforms[platform] ??= {});
  }

  /** The key to encrypt with: the platform's latest (1014), else the configured one. */
  current(platform: string, configured: Buffer | null): Buffer | null {
    const k = this.data.platforms[platform]?.current;
    return k ? Buffer.from(k.key, "hex") : configured;
  }

  /** Keys to try when decrypting: the current one, then the previous one during its grace period. */
  decryptKeys(platform: string, configured: Buffer | null): Buffer[] {
    const cur = this.current(platform, configured);
    const prev = this.data.platforms[platform]?.previous;
    const keys = cur ? [cur] : [];
    if (prev && this.now() < prev.until) keys.push(Buffer.from(prev.key, "hex"));
    return keys;
  }

  /** Stores a platform's new key durably; the key it replaces decrypts for the grace period. */
  rotate(platform: string, key: Buffer, opts: { createdAt: number | null; actor: string; configured: Buffer | null }): void {
    const e = this.entry(platform);
    const old = this.current(platform, opts.configured);
    const now = this.now();
    const next: PlatformKeys = {
      ...e,
      current: { key: key.toString("hex"), createdAt: opts.createdAt, setAt: now, actor: opts.actor },
      previous: old ? { key: old.toString("hex"), createdAt: e.current?.createdAt ?? null, setAt: e.current?.setAt ?? now, actor: e.current?.actor ?? "config", until: now + PREVIOUS_KEY_GRACE_MS } : undefined,
    };
    const before = this.data.platforms[platform];
    this.data.platforms[platform] = next;
    try {
      this.save();
    } catch (err) {
      // Not stored means not used: the old key stays, and the platform hears ExeRtn=2.
      if (before) this.data.platforms[platform] = before;
      else delete this.data.platforms[platform];
      throw err;
    }
  }

  /** Age information for status and the 90-day alarm; records when a configured key was first seen. */
  info(platform: string, configured: Buffer | null): KeyInfo {
    const e = this.data.platforms[platform];
    if (e?.current) return { source: "platform", since: e.current.createdAt ?? e.current.setAt };
    if (!configured) return { source: "none", since: null };
    const sha256 = createHash("sha256").update(configured).digest("hex");
    if (e?.configured?.sha256 !== sha256) {
      this.entry(platform).configured = { sha256, since: this.now() };
      try {
        this.save();
      } catch {
        /* age tracking only; retried next time */
      }
    }
    return { source: "config", since: this.data.platforms[platform]!.configured!.since };
  }

  private save(): void {
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, "w", 0o600);
    try {
      writeSync(fd, JSON.stringify(this.data, null, 1) + "\n");
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(tmp, 0o600); // an existing tmp file keeps its mode on open
    renameSync(tmp, this.path);
    try {
      const dfd = openSync(dirname(this.path), "r");
      fsyncSync(dfd);
      closeSync(dfd);
    } catch {
      /* not every filesystem lets a directory be fsynced */
    }
  }
}
