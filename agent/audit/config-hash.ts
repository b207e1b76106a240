// The hash of the config file in force, recorded at every start: a config change between two
// starts shows as a different hash in the audit trail.
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";

export function fileSha256(path: string): string | null {
  try {
    return createHash("sha256").update(readFileSync(path)).digest("hex");
  } catch {
    return null; // a config built in code (tests) has no file
  }
}
