// The audit trail's running parts: sealing on a timer (sealer.ts) and the watch on the config
// file and the clock (watch.ts). Started once every module's tables exist, so the first seal
// covers them all; the last seal is made by the trail itself, after its stop entry (trail.ts).
import type { Feature, ControlCommands } from "../feature.js";
import type { Logger } from "../log.js";
import type { Storage } from "../store/storage.js";
import { sealKeyPath } from "./seal-key.js";
import { Sealer, type SealerDeps } from "./sealer.js";
import type { AuditTrail } from "./trail.js";
import { InterventionWatch } from "./watch.js";

export interface AuditGuardDeps {
  storage: Storage;
  trail: AuditTrail;
  configFile: string;
  dbPath: string;
  intervalMin: number;
  tz: string;
  /** Platforms each seal goes to (empty: none), and the outbox that carries it. */
  platforms: () => string[];
  outbox: () => SealerDeps["outbox"];
  onQueued: (platform: string, n: number) => void;
  commands: ControlCommands;
  log: Logger;
}

export class AuditGuard implements Feature {
  private watch: InterventionWatch | null = null;

  constructor(private readonly deps: AuditGuardDeps) {}

  start(): void {
    const { trail, log } = this.deps;
    const db = this.deps.storage.db!;
    this.watch = new InterventionWatch({ audit: trail.log, configFile: this.deps.configFile, startHash: trail.configSha256, log });
    const sealer = (trail.sealer = new Sealer({
      db, audit: trail.log, readingHead: () => trail.readingChain.head(), keyPath: sealKeyPath(this.deps.dbPath), intervalMin: this.deps.intervalMin,
      log, tz: this.deps.tz, outbox: this.deps.outbox(), onQueued: this.deps.onQueued, platforms: this.deps.platforms,
    }));
    this.deps.commands.on("audit-seal-start", () => (sealer.sealed ? null : sealer.start(), sealer.status()));
    sealer.start();
    this.watch.start();
  }

  stop(): void {
    this.watch?.stop();
  }
}
