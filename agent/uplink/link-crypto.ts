// One platform's SM4 state as a session uses it: which key encrypts the next frame, which keys
// decrypt what comes in, and how the link is shown (tls / sm4 / plain). Keys come from the
// platform's 1014 (keys.ts, in the state directory) or else from the config (sm4_key, sm4_key_file).
import type { PlatformConfig } from "../../config/schema.js";
import { readSm4KeyFile } from "../../config/link-files.js";
import { parseSm4Key } from "./hj212/sm4.js";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { KEY_FILE, type KeyInfo, type Sm4KeyStore } from "./keys.js";

/** How a technician sees a link: TLS on the socket, SM4 on the CP, both, or nothing. */
export type LinkSecurity = "tls+sm4" | "tls" | "sm4" | "plain";

export function linkSecurity(tls: boolean, sm4: boolean): LinkSecurity {
  return tls && sm4 ? "tls+sm4" : tls ? "tls" : sm4 ? "sm4" : "plain";
}

/**
 * The link as the configuration and the key store (next to the database) say, for `status` without
 * a running service: SM4 when the platform speaks HJ 212-2025, has a key and encrypt is not false.
 */
export function configuredLink(cfg: PlatformConfig, dbPath: string): LinkSecurity {
  let stored = false;
  try {
    const file = join(dirname(dbPath), KEY_FILE);
    stored = existsSync(file) && !!(JSON.parse(readFileSync(file, "utf8")) as { platforms?: Record<string, { current?: unknown }> }).platforms?.[cfg.id]?.current;
  } catch {
    /* not readable by this user (mode 0600): judged by the configuration alone */
  }
  const sm4 = cfg.protocol === "hj212-2025" && cfg.encrypt !== false && (!!cfg.sm4_key || !!cfg.sm4_key_file || stored);
  return linkSecurity(!!cfg.tls, sm4);
}

/** The key a platform's config gives (sm4_key, or the first line of sm4_key_file), or null. */
export function configuredKey(cfg: Pick<PlatformConfig, "sm4_key" | "sm4_key_file">): Buffer | null {
  if (cfg.sm4_key) return parseSm4Key(cfg.sm4_key);
  if (cfg.sm4_key_file) return readSm4KeyFile(cfg.sm4_key_file);
  return null;
}

export class PlatformCrypto {
  private readonly configured: Buffer | null;

  constructor(
    private readonly cfg: PlatformConfig,
    private readonly store?: Sm4KeyStore,
  ) {
    try {
      this.configured = configuredKey(cfg);
    } catch (err) {
      // Never fall back to plaintext for a platform that was given a key: refuse to start, saying why.
      const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new Error(`platform ${cfg.id}: cannot use its SM4 key${cfg.sm4_key_file ? ` file ${cfg.sm4_key_file}` : ""}: ${why}`, { cause: err });
    }
  }

  /** The key the next encrypted frame uses; null when there is none. */
  encryptKey(): Buffer | null {
    return this.store ? this.store.current(this.cfg.id, this.configured) : this.configured;
  }

  /** Whether CP of encrypted CNs goes out encrypted: HJ 212-2025, a key, and encrypt not false. */
  get encrypting(): boolean {
    return this.cfg.protocol === "hj212-2025" && this.cfg.encrypt !== false && this.encryptKey() !== null;
  }

  decryptKeys(): Buffer[] {
    if (this.store) return this.store.decryptKeys(this.cfg.id, this.configured);
    return this.configured ? [this.configured] : [];
  }

  /** A new key from the platform (1014): stored durably first, used from the next frame. Throws when it cannot be stored. */
  rotate(key: Buffer, createdAt: number | null, actor: string): void {
    if (!this.store) throw new Error("no key store: the state directory is not available");
    this.store.rotate(this.cfg.id, key, { createdAt, actor, configured: this.configured });
  }

  info(): KeyInfo {
    if (this.store) return this.store.info(this.cfg.id, this.configured);
    return this.configured ? { source: "config", since: null } : { source: "none", since: null };
  }
}
