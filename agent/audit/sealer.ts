// The sealing feature: at start, every `audit.seal_interval_min` and at stop, seals the heads of
// the audit log and the readings chain and the digests of the intervention tables with the
// epoch's key (seal.ts), stores the seal in `audit_seals` with its packets for the platforms in
// one transaction, then evolves the key and erases the old one (seal-key.ts). Without a key file
// the agent runs unsealed and says so at start and in `status`.
import type { Db } from "../store/db.js";
import { migrate } from "../store/db.js";
import type { Logger } from "../log.js";
import type { AuditLog } from "./log.js";
import { allRowRefs, tableDigests } from "./ledger.js";
import { sealMac, tablesDigest, type SealKind, type SealPayload } from "./seal.js";
import { advanceKeyFile, readKeyFile, type SealKeyState } from "./seal-key.js";
import { sealCp, type SealRecord } from "./seal-packet.js";

const MIGRATIONS = [
  `CREATE TABLE audit_seals (
     id INTEGER PRIMARY KEY,
     key_id TEXT NOT NULL,
     epoch INTEGER NOT NULL,
     ts INTEGER NOT NULL,
     kind TEXT NOT NULL,              -- start | interval | stop
     audit_id INTEGER, audit_hash TEXT,
     readings_id INTEGER, readings_hash TEXT,
     tables TEXT NOT NULL,            -- canonical JSON {table: digest}; the MAC covers its digest
     prev_mac TEXT NOT NULL,
     mac TEXT NOT NULL,
     UNIQUE (key_id, epoch)
   );
   CREATE TRIGGER audit_seals_no_update BEFORE UPDATE ON audit_seals
     BEGIN SELECT RAISE(ABORT, 'audit_seals is append-only'); END;
   CREATE TRIGGER audit_seals_no_delete BEFORE DELETE ON audit_seals
     BEGIN SELECT RAISE(ABORT, 'audit_seals is append-only'); END;`,
];

export interface SealRow {
  id: number;
  key_id: string;
  epoch: number;
  ts: number;
  kind: SealKind;
  audit_id: number | null;
  audit_hash: string | null;
  readings_id: number | null;
  readings_hash: string | null;
  tables: string;
  prev_mac: string;
  mac: string;
}

export function sealRecordOf(r: SealRow): SealRecord {
  const tables = JSON.parse(r.tables) as Record<string, string>;
  return {
    keyId: r.key_id, epoch: r.epoch, ts: r.ts, kind: r.kind,
    audit: r.audit_id === null ? null : { id: r.audit_id, hash: r.audit_hash! },
    readings: r.readings_id === null ? null : { id: r.readings_id, hash: r.readings_hash! },
    tables: tablesDigest(tables), prev: r.prev_mac, mac: r.mac,
  };
}

export function hasSealTable(db: Db): boolean {
  return !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_seals'").get();
}

export interface SealerDeps {
  db: Db;
  audit: AuditLog;
  readingHead: () => { id: number; hash: string } | null;
  keyPath: string;
  intervalMin: number;
  log: Logger;
  tz: string;
  /** Platforms each seal goes to (empty: none), and the outbox that carries it. */
  platforms: () => string[];
  outbox: { enqueue(p: ReadonlyArray<{ platform: string; cn: string; dataTime: number; cp: string; ackRequired: boolean }>): unknown };
  onQueued?: (platform: string, n: number) => void;
  now?: () => number;
}

export interface SealStatus {
  /** null: the key file exists but cannot be read by this user. */
  sealed: boolean | null;
  keyId: string | null;
  nextEpoch: number | null;
  lastSealAt: number | null;
  seals: number;
  intervalMin: number;
}

/** Sealing as the database and the key file show it (works without the service). */
export function sealStatus(db: Db, keyPath: string, intervalMin: number): SealStatus {
  let key: SealKeyState | null = null;
  let readable = true;
  try {
    key = readKeyFile(keyPath);
  } catch {
    readable = false; // not the service user: whether it seals is the service's to say
  }
  const last = hasSealTable(db) ? (db.prepare("SELECT ts, (SELECT COUNT(*) FROM audit_seals) AS n FROM audit_seals ORDER BY id DESC LIMIT 1").get() as { ts: number; n: number } | undefined) : undefined;
  const s = { sealed: readable ? !!key : null, keyId: key?.keyId ?? null, nextEpoch: key?.epoch ?? null, lastSealAt: last?.ts ?? null, seals: last?.n ?? 0, intervalMin };
  key?.key.fill(0);
  return s;
}

export class Sealer {
  private timer: NodeJS.Timeout | null = null;
  private key: SealKeyState | null = null;
  private readonly rowCache = new Map<string, string>();

  constructor(private readonly deps: SealerDeps) {
    const firstTime = !deps.db.readonly && !deps.db.prepare("SELECT 1 FROM schema_migrations WHERE module = 'audit_seals'").get();
    migrate(deps.db, "audit_seals", MIGRATIONS);
    if (firstTime) this.startLedger();
  }

  get sealed(): boolean {
    return this.key !== null;
  }

  start(): void {
    const { deps } = this;
    try {
      this.key = readKeyFile(deps.keyPath);
    } catch (err) {
      deps.log.error(`audit: ${(err as Error).message}; running UNSEALED`);
      this.key = null;
    }
    if (!this.key) {
      deps.log.warn(`audit: UNSEALED: no sealing key (${deps.keyPath}); entries are hash-chained only, which cannot rule out a rewrite by whoever has the disk. Run \`station-agent audit keygen\` once.`);
      return;
    }
    this.reconcile();
    deps.log.info(`audit: sealed with key ${this.key.keyId}, epoch ${this.key.epoch}, every ${deps.intervalMin} min`);
    this.seal("start");
    this.timer = setInterval(() => this.seal("interval"), deps.intervalMin * 60_000);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.key) this.seal("stop");
    this.key?.key.fill(0);
    this.key = null;
  }

  status(): SealStatus {
    return sealStatus(this.deps.db, this.deps.keyPath, this.deps.intervalMin);
  }

  /** Seals now; returns the seal, or null when unsealed or the database refused (logged, tried next epoch). */
  seal(kind: SealKind): SealRecord | null {
    const { deps } = this;
    const k = this.key;
    if (!k) return null;
    const now = (deps.now ?? Date.now)();
    let rec: SealRecord;
    const queued = new Map<string, number>();
    try {
      rec = deps.db.transaction(() => {
        const tables = tableDigests(deps.db, this.rowCache);
        const prev = (deps.db.prepare("SELECT mac FROM audit_seals ORDER BY id DESC LIMIT 1").get() as { mac: string } | undefined)?.mac ?? "";
        const payload: SealPayload = { keyId: k.keyId, epoch: k.epoch, ts: now, kind, audit: deps.audit.head(), readings: deps.readingHead(), tables: tablesDigest(tables), prev };
        const r: SealRecord = { ...payload, mac: sealMac(k.key, payload) };
        deps.db
          .prepare("INSERT INTO audit_seals (key_id, epoch, ts, kind, audit_id, audit_hash, readings_id, readings_hash, tables, prev_mac, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
          .run(r.keyId, r.epoch, r.ts, r.kind, r.audit?.id ?? null, r.audit?.hash ?? null, r.readings?.id ?? null, r.readings?.hash ?? null, JSON.stringify(Object.fromEntries(Object.entries(tables).sort())), r.prev, r.mac);
        const platforms = deps.platforms();
        if (platforms.length) {
          const cp = sealCp(r, deps.tz);
          deps.outbox.enqueue(platforms.map((platform) => ({ platform, cn: "3020", dataTime: now, cp, ackRequired: true })));
          for (const p of platforms) queued.set(p, 1);
        }
        return r;
      }).immediate();
    } catch (err) {
      deps.log.error(`audit: could not seal epoch ${k.epoch}: ${(err as Error).message}; the next epoch seals what this one would have`);
      return null;
    }
    // Only once the seal is committed does the key move on: a crash in between leaves a key that
    // reconcile() evolves at the next start, never a missing epoch.
    this.key = advanceKeyFile(deps.keyPath, k, k.epoch + 1);
    for (const [p, n] of queued) deps.onQueued?.(p, n);
    return rec;
  }

  /** A key left behind by a crash between a seal's commit and its evolution moves on; a gap is logged. */
  private reconcile(): void {
    const k = this.key!;
    const last = (this.deps.db.prepare("SELECT MAX(epoch) AS e FROM audit_seals WHERE key_id = ?").get(k.keyId) as { e: number | null }).e;
    if (last !== null && k.epoch <= last) this.key = advanceKeyFile(this.deps.keyPath, k, last + 1);
    else if (k.epoch > (last ?? -1) + 1)
      this.deps.log.error(`audit: the key is at epoch ${k.epoch} but the database's last seal with it is ${last ?? "none"}: seals are missing (a database replaced or cut short); audit verify will show the gap`);
  }

  /**
   * Rows written before the ledger existed (an older database) are recorded once, when sealing's
   * table is first created, so they are protected from then on. Never again: a row that appears
   * later without its entry is tampering, not something to adopt.
   */
  private startLedger(): void {
    const rows = allRowRefs(this.deps.db);
    if (rows.length) this.deps.audit.append({ actor: "agent", action: "audit.ledger_start", reason: "intervention tables recorded in the audit trail from here on", rows });
  }
}
