// Quality as a feature: screening of every stored reading and the effective flag of each
// (engine.ts), with the manual windows (maintenance, flags) a technician opens over the control
// socket (control.ts). Aggregates downstream are told to recompute through `markDirty`, given by
// the composition root, since aggregation lies above quality in the flow.
import type { StationConfig } from "../../config/schema.js";
import type { AuditTrail } from "../audit/trail.js";
import type { ControlCommands, Feature } from "../feature.js";
import type { Storage } from "../store/storage.js";
import type { QcDeps } from "./actions.js";
import { qcControlHandlers } from "./control.js";
import { QcEngine } from "./engine.js";

export interface QualityDeps {
  cfg: StationConfig;
  storage: Storage;
  trail: Pick<AuditTrail, "log">;
  markDirty: (from: number, to: number) => void;
  commands: ControlCommands;
}

export class Quality implements Feature {
  engine!: QcEngine;

  constructor(private readonly deps: QualityDeps) {}

  /** What QC actions (maintenance, flags, calibration windows) work on. */
  actionDeps(): QcDeps {
    const { cfg, storage, trail, markDirty } = this.deps;
    return { db: storage.db!, qc: this.engine.store, audit: trail.log, analyzers: cfg.analyzers.map((a) => a.id), markDirty };
  }

  start(): void {
    this.engine = new QcEngine(this.deps.storage.db!, this.deps.cfg);
    for (const [cmd, h] of qcControlHandlers(() => this.actionDeps())) this.deps.commands.on(cmd, h);
  }

  stop(): void {}
}
