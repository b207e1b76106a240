// Secrets the station learns at run time (a platform password set by 1072; keys a platform
// distributes), kept out of the database, which technicians read and copy: one JSON file in the
// state directory, mode 0600, owned by the service user. Written whole to a temporary file (0600
// from its creation), fsynced and renamed over the old one, so a power cut leaves the old or the
// new file, never half of one. Never logged, never printed.
import { closeSync, constants, fsyncSync, openSync, readFileSync, renameSync, writeSync, chmodSync } from "node:fs";
import { dirname, join } from "node:path";

export const SECRETS_FILE = "secrets.json";

export function secretsPath(dbPath: string): string {
  return join(dirname(dbPath), SECRETS_FILE);
}

export class SecretStore {
  constructor(readonly path: string) {}

  private read(): Record<string, string> {
    try {
      const fd = openSync(this.path, constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        return JSON.parse(readFileSync(fd, "utf8")) as Record<string, string>;
      } finally {
        closeSync(fd);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
      throw new Error(`cannot read the secrets file ${this.path}: ${(err as NodeJS.ErrnoException).code ?? "not JSON"}`);
    }
  }

  get(name: string): string | undefined {
    return this.read()[name];
  }

  set(name: string, value: string): void {
    const all = { ...this.read(), [name]: value };
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
    try {
      writeSync(fd, JSON.stringify(all));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.path);
  }
}
