// Files named by the link-security keys (sm4_key_file, tls.ca/cert/key): made absolute relative to
// the config file, like storage.path, and checked before the agent runs with them: present, a
// secret not readable by others, an SM4 key file holding a usable key.
import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { parseSm4Key, Sm4Error } from "../agent/uplink/hj212/sm4.js";
import { ConfigError } from "./errors.js";
import { isHj212Platform, type StationConfig } from "./schema.js";

/** The SM4 key in a key file: its first line, trimmed. */
export function readSm4KeyFile(path: string): Buffer {
  return parseSm4Key(readFileSync(path, "utf8").split(/\r?\n/)[0].trim());
}

export function resolveLinkFiles(config: StationConfig, dir: string, file: string): ConfigError[] {
  const errors: ConfigError[] = [];
  const problem = (path: string, expected: string) => errors.push(new ConfigError({ file, path, expected }));
  config.platforms.forEach((p, i) => {
    if (!isHj212Platform(p)) return;
    const check = (key: string, value: string, secret: "strict" | "others" | null): string => {
      const abs = resolve(dir, value);
      try {
        const mode = statSync(abs).mode & 0o777;
        if (secret === "strict" && mode & 0o077) problem(`platforms[${i}].${key}`, `a key file readable only by the service (chmod 600 ${abs}); it has mode ${mode.toString(8)}`);
        if (secret === "others" && mode & 0o007) problem(`platforms[${i}].${key}`, `a private key not readable by every user (chmod 600 ${abs}); it has mode ${mode.toString(8)}`);
      } catch (err) {
        problem(`platforms[${i}].${key}`, `an existing file, ${abs}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      return abs;
    };
    if (p.sm4_key_file) {
      p.sm4_key_file = check("sm4_key_file", p.sm4_key_file, "strict");
      try {
        readSm4KeyFile(p.sm4_key_file);
      } catch (err) {
        // A technician's shell may not read the service's key: only a key that reads and is bad is a problem.
        if (err instanceof Sm4Error) problem(`platforms[${i}].sm4_key_file`, `a file holding an SM4 key: ${err.reason}`);
      }
    }
    if (p.tls) {
      if (p.tls.ca) p.tls.ca = check("tls.ca", p.tls.ca, null);
      if (p.tls.cert) p.tls.cert = check("tls.cert", p.tls.cert, null);
      if (p.tls.key) p.tls.key = check("tls.key", p.tls.key, "others");
    }
  });
  return errors;
}
