// The audit trail as a feature: the hash-chained log of every intervention (log.ts) and the chain
// over stored readings (readings-chain.ts). It opens with a `software.start` entry and, stopping
// second to last (only the database closes after it), ends with `software.stop` carrying both
// chain heads, then the last seal, which covers that entry.
import type { Feature } from "../feature.js";
import type { Storage } from "../store/storage.js";
import { fileSha256 } from "./config-hash.js";
import { AuditLog, osActor } from "./log.js";
import { ReadingChain } from "./readings-chain.js";
import type { Sealer } from "./sealer.js";

export interface AuditTrailDeps {
  storage: Storage;
  /** The config file: its path and hash go into the start entry. */
  configFile: string;
}

export class AuditTrail implements Feature {
  log!: AuditLog;
  readingChain!: ReadingChain;
  /** The config file's hash at start (the watch compares against it). */
  configSha256: string | null = null;
  /** Forward-secure seals (sealer.ts), set while sealing runs (guard.ts); unsealed without a key. */
  sealer: Sealer | null = null;

  constructor(private readonly deps: AuditTrailDeps) {}

  start(): void {
    const db = this.deps.storage.db!;
    this.log = new AuditLog(db);
    this.configSha256 = fileSha256(this.deps.configFile);
    this.log.append({ actor: osActor(), action: "software.start", details: { pid: process.pid, node: process.version, config: this.deps.configFile, configSha256: this.configSha256 } });
    this.readingChain = new ReadingChain(db);
  }

  stop(): void {
    if (!this.deps.storage.db) return;
    // The chain heads in the stop entry: readings or audit entries cut off after it show as missing.
    this.log?.append({ actor: osActor(), action: "software.stop", details: { readingChainHead: this.readingChain?.head() ?? null } });
    this.sealer?.stop(); // the last seal covers the stop entry
  }
}
