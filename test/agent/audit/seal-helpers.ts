// A sealed station's database built for the tampering tests, and the attacker's tools: what
// someone with sqlite3 and this project's own hash functions would do to a real database file.
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { openDb, type Db } from "../../../agent/store/db.js";
import { AuditLog, entryHash } from "../../../agent/audit/log.js";
import { ReadingChain, batchHash } from "../../../agent/audit/readings-chain.js";
import { ReadingStore } from "../../../agent/store/readings.js";
import { GENESIS_HASH } from "../../../agent/audit/hash.js";
import { QcStore } from "../../../agent/qc/store.js";
import { maintenanceOn, maintenanceOff, type QcDeps } from "../../../agent/qc/actions.js";
import { Outbox } from "../../../agent/uplink/outbox.js";
import { Sealer } from "../../../agent/audit/sealer.js";
import { createKeyFile, readKeyFile, sealKeyPath } from "../../../agent/audit/seal-key.js";
import { verifySealed, type SealVerdict } from "../../../agent/audit/seal-verify.js";
import { silentLogger } from "../../../agent/log.js";
import type { Reading, StoredReading } from "../../../agent/types.js";

export interface Station {
  path: string;
  db: Db;
  k0: Buffer;
  audit: AuditLog;
  sealer: Sealer;
  outbox: Outbox;
}

const reading = (i: number): Reading => ({
  ts: 1_700_000_000_000 + i * 1000, analyzer: "o3", channel: "o3", code: "a05024", value: i / 4, unit: "ppb", flag: "N", state: "ok", raw: Buffer.from([i & 0xff, 1]), source: "teledyne-t400@1",
});

function storeReadings(db: Db, from: number, n: number): void {
  const store = new ReadingStore(db);
  const chain = new ReadingChain(db);
  const rows = Array.from({ length: n }, (_, i) => reading(from + i));
  db.transaction(() => {
    const first = store.maxId() + 1;
    store.insert(rows);
    chain.append(rows.map((r, i) => ({ ...r, id: first + i })));
  })();
}

/**
 * Three epochs: start seal (entries 1–2), maintenance of o3 on and off then a seal (entries 3–5),
 * two more entries then the stop seal (entries 6–8). Each epoch also stores readings.
 */
export function sealedStation(dir: string, opts: { keyed?: boolean } = {}): Station {
  const path = join(dir, "station.db");
  const db = openDb(path);
  const k0 = randomBytes(32);
  if (opts.keyed !== false) createKeyFile(sealKeyPath(path), k0);
  const audit = new AuditLog(db);
  const outbox = new Outbox(db, "Asia/Shanghai");
  const chain = new ReadingChain(db);
  const qc = new QcStore(db);
  const deps: QcDeps = { db, qc, audit, analyzers: ["o3"], markDirty: () => {} };
  let t = 1_700_000_000_000;
  const sealer = new Sealer({
    db, audit, readingHead: () => chain.head(), keyPath: sealKeyPath(path), intervalMin: 15, log: silentLogger, tz: "Asia/Shanghai",
    platforms: () => ["city"], outbox, now: () => (t += 60_000),
  });
  audit.append({ actor: "station-agent", action: "software.start", details: { configSha256: "ab" } }, t);
  storeReadings(db, 0, 5);
  audit.append({ actor: "alice", action: "config.check" }, t + 1);
  sealer.start(); // epoch 0
  maintenanceOn(deps, { analyzer: "o3", reason: "filter change", actor: "bob" }, t + 2);
  storeReadings(db, 5, 5);
  maintenanceOff(deps, { analyzer: "o3", reason: "filter changed", actor: "bob" }, t + 3);
  audit.append({ actor: "platform:city", action: "platform.command", details: { cn: "1011" } }, t + 4);
  sealer.seal("interval"); // epoch 1
  audit.append({ actor: "carol", action: "uplink.resend", reason: "platform lost a day", details: { platform: "city" } }, t + 5);
  storeReadings(db, 10, 5);
  audit.append({ actor: "carol", action: "bus.pause", details: { bus: "rtu" } }, t + 6);
  audit.append({ actor: "station-agent", action: "software.stop" }, t + 7);
  sealer.stop(); // epoch 2
  return { path, db, k0, audit, sealer, outbox };
}

export function verify(st: Station, keys: Buffer[] = [st.k0]): SealVerdict {
  let keyFile;
  try {
    keyFile = readKeyFile(sealKeyPath(st.path));
  } catch {
    keyFile = "unreadable" as const;
  }
  return verifySealed(st.db, { keys, keyFile });
}

/** The attacker's first step: the guards go. */
export function dropTriggers(db: Db): void {
  for (const t of ["audit_log_no_update", "audit_log_no_delete", "audit_seals_no_update", "audit_seals_no_delete", "reading_chain_no_update"]) db.exec(`DROP TRIGGER IF EXISTS ${t}`);
}

/** Renumbers the audit log 1..n in id order and recomputes every hash with the project's own function. */
export function recomputeAuditChain(db: Db): void {
  const rows = db.prepare("SELECT * FROM audit_log ORDER BY id").all() as { id: number; ts: number; actor: string; action: string; reason: string | null; details: string }[];
  db.transaction(() => {
    db.exec("DELETE FROM audit_log");
    let prev = GENESIS_HASH;
    rows.forEach((r, i) => {
      const row = { ...r, id: i + 1 };
      const hash = entryHash(prev, row);
      db.prepare("INSERT INTO audit_log (id, ts, actor, action, reason, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)").run(row.id, row.ts, row.actor, row.action, row.reason, row.details, prev, hash);
      prev = hash;
    });
  })();
}

/** Recomputes every link of the readings chain over the readings as they are now. */
export function recomputeReadingChain(db: Db): void {
  const links = db.prepare("SELECT * FROM reading_chain ORDER BY id").all() as { id: number; first_id: number; last_id: number }[];
  let prev = GENESIS_HASH;
  for (const l of links) {
    const rows = db.prepare("SELECT * FROM readings WHERE id BETWEEN ? AND ? ORDER BY id").all(l.first_id, l.last_id) as StoredReading[];
    const hash = batchHash(prev, rows);
    db.prepare("UPDATE reading_chain SET prev_hash = ?, hash = ?, count = ? WHERE id = ?").run(prev, hash, rows.length, l.id);
    prev = hash;
  }
}
