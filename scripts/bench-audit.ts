// `audit-seal-cost`: what sealing costs the station (CPU per seal, with a year's worth of
// intervention rows in the protected tables) and what verifying costs the centre: `audit verify
// --verification-key` over a year of a busy station's audit, 1,000,000 entries and 35,040 seals
// (15-minute epochs), target ≤ 30 s. `--quick` verifies 100,000 entries and extrapolates.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { openDb } from "../agent/store/db.js";
import { AuditLog, entryHash } from "../agent/audit/log.js";
import { evolveKey, keyAtEpoch, keyId, sealMac, tablesDigest, type SealPayload } from "../agent/audit/seal.js";
import { ReadingChain } from "../agent/audit/readings-chain.js";
import { QcStore } from "../agent/qc/store.js";
import { Sealer } from "../agent/audit/sealer.js";
import { advanceKeyFile, createKeyFile, readKeyFile, sealKeyPath } from "../agent/audit/seal-key.js";
import { verifySealed } from "../agent/audit/seal-verify.js";
import { silentLogger } from "../agent/log.js";
import type { BenchResult } from "./bench-station.js";

const YEAR_ENTRIES = 1_000_000;
const YEAR_SEALS = 35_040;

export async function benchAudit(quick: boolean, dir: string): Promise<BenchResult[]> {
  const entries = quick ? 100_000 : YEAR_ENTRIES;
  const seals = Math.round((YEAR_SEALS * entries) / YEAR_ENTRIES);
  const path = join(dir, "audit.db");
  const db = openDb(path);
  const k0 = randomBytes(32);
  createKeyFile(sealKeyPath(path), k0);
  const audit = new AuditLog(db);
  const chain = new ReadingChain(db);
  const qc = new QcStore(db);
  // A busy year's interventions in the protected tables: 2,000 windows, each with its entry.
  db.transaction(() => {
    for (let i = 0; i < 2000; i++) {
      const w = qc.openWindow({ kind: "manual", analyzer: "o3", channel: null, fromTs: i * 1000, toTs: i * 1000 + 500, flag: "S", reason: "bench", actor: "bench" });
      audit.append({ actor: "bench", action: "flag.manual", reason: "bench", details: { window: w.id } });
    }
  })();
  let t = Date.UTC(2026, 0, 1);
  const sealer = new Sealer({ db, audit, readingHead: () => chain.head(), keyPath: sealKeyPath(path), intervalMin: 15, log: silentLogger, tz: "Asia/Shanghai", platforms: () => [], outbox: { enqueue: () => [] }, now: () => (t += 900_000) });
  sealer.start();
  // CPU per seal as the agent makes it: the real Sealer (heads, table digests, MAC, key evolved
  // and written in place with its fsync), with the intervention rows above in its tables.
  const probe = quick ? 50 : 200;
  const c0 = process.cpuUsage();
  for (let i = 0; i < probe; i++) sealer.seal("interval");
  const d = process.cpuUsage(c0);
  const sealCpuMs = (d.user + d.system) / probe / 1000;
  sealer.stop();

  // The year's entries and seals, written in bulk the way AuditLog.append and Sealer.seal write
  // them (same hashes, same MACs, same key evolution), so the setup takes seconds, not hours of fsyncs.
  const every = Math.max(1, Math.floor(entries / seals));
  const ins = db.prepare("INSERT INTO audit_log (id, ts, actor, action, reason, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  const insSeal = db.prepare("INSERT INTO audit_seals (key_id, epoch, ts, kind, audit_id, audit_hash, readings_id, readings_hash, tables, prev_mac, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  const last = db.prepare("SELECT * FROM audit_seals ORDER BY id DESC LIMIT 1").get() as { epoch: number; mac: string; tables: string };
  const tables = last.tables;
  const tablesHash = tablesDigest(JSON.parse(tables) as Record<string, string>);
  const id = keyId(k0);
  let epoch = last.epoch + 1;
  let key = keyAtEpoch(k0, epoch);
  let prev = last.mac;
  let head = audit.head()!;
  db.transaction(() => {
    for (let i = 0; i < entries; ) {
      for (let j = 0; j < every && i < entries; j++, i++) {
        const row = { id: head.id + 1, ts: t, actor: "platform:city", action: "platform.command", reason: null, details: `{"cn":"2011","qn":"${20260101000000000 + i}"}` };
        const hash = entryHash(head.hash, row);
        ins.run(row.id, row.ts, row.actor, row.action, row.reason, row.details, head.hash, hash);
        head = { id: row.id, hash };
      }
      t += 900_000;
      const payload: SealPayload = { keyId: id, epoch, ts: t, kind: "interval", audit: head, readings: null, tables: tablesHash, prev };
      const mac = sealMac(key, payload);
      insSeal.run(id, epoch, t, "interval", head.id, head.hash, null, null, tables, prev, mac);
      prev = mac;
      key = evolveKey(key);
      epoch++;
    }
  })();
  const sealed = epoch;
  const kf = readKeyFile(sealKeyPath(path))!;
  advanceKeyFile(sealKeyPath(path), kf, epoch);

  const keyFile = readKeyFile(sealKeyPath(path));
  // What `audit verify --verification-key` does for the audit log: one pass, chain and seals.
  const t0 = performance.now();
  const cv = process.cpuUsage();
  const v = verifySealed(db, { keys: [k0], keyFile });
  const verifyS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cv);
  if (process.env.BENCH_AUDIT_DEBUG) console.log(`verify: ${verifyS.toFixed(2)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU`);
  db.close();
  if (!v.chain.ok || v.status !== "intact") throw new Error(`bench audit did not verify: ${JSON.stringify(v.firstTampered)} ${v.notes.join("; ")}`);
  const yearS = (verifyS * YEAR_ENTRIES) / entries;
  return [
    { name: "audit-seal-cost-cpu-per-seal", value: sealCpuMs, unit: `ms CPU per seal (${probe} seals, 2,000 protected rows)`, op: "<=", target: 20 },
    { name: "audit-seal-cost-verify-year", value: yearS, unit: quick ? `s (${entries.toLocaleString("en-US")} entries, extrapolated)` : `s (${entries.toLocaleString("en-US")} entries, ${sealed.toLocaleString("en-US")} seals)`, op: "<=", target: 30 },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { tempDir } = await import("../test/helpers/station.js");
  const { dir, cleanup } = tempDir("station-bench-audit-");
  try {
    for (const r of await benchAudit(process.argv.includes("--quick"), dir)) console.log(r.name, r.value.toFixed(2), r.unit, r.op, r.target);
  } finally {
    cleanup();
  }
}
