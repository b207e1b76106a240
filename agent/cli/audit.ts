// `station-agent audit verify` and `station-agent audit list`: the audit trail, read-only from
// the database (works beside the running service). verify exits 0 only when, with the
// verification key, every seal holds and both chains (the audit log and the readings') hold; 1
// when anything was tampered with (saying where); 2 when it cannot tell (no key given: the chains
// alone cannot rule out a rewrite with every hash recomputed).
import type { Command } from "commander";
import { AuditLog, type AuditEntry, type AuditVerdict } from "../audit/log.js";
import { verifyReadings, type ChainVerdict } from "../audit/readings-chain.js";
import { readKeyFile, sealKeyPath, type SealKeyState } from "../audit/seal-key.js";
import { verifySealed, type SealVerdict } from "../audit/seal-verify.js";
import { collect, registerAuditSeal, verificationKeys } from "./audit-seal.js";
import { openDb } from "../store/db.js";
import { formatLocal, parseCliTime } from "../time.js";
import { configPath, loadConfigOrExit } from "./common.js";
import { printJson, table } from "./format.js";
import { exitOnKnownError } from "./service.js";

export function registerAudit(program: Command): void {
  const audit = program.command("audit").description("the tamper-evident audit trail of interventions");
  registerAuditSeal(audit);

  audit
    .command("verify")
    .description("check the audit trail: with the verification key, every seal from the first epoch (exit 0 intact, 1 tampered, 2 cannot check)")
    .option("-c, --config <file>", "station config file")
    .option("-k, --verification-key <key>", "the verification key `audit keygen` printed (repeatable, one per key the station had)", collect)
    .option("--verification-key-file <file>", "a file holding a verification key (repeatable)", collect)
    .option("--json", "JSON output")
    .action((opts: { config?: string; json?: boolean; verificationKey?: string[]; verificationKeyFile?: string[] }) => {
      const { config } = loadConfigOrExit(configPath(opts.config));
      const keys = verificationKeys(opts);
      let db;
      try {
        db = openDb(config.storage.path, { readonly: true });
      } catch (err) {
        exitOnKnownError(err, opts.json);
      }
      let keyFile: SealKeyState | null | "unreadable";
      try {
        keyFile = readKeyFile(sealKeyPath(config.storage.path));
      } catch {
        keyFile = "unreadable";
      }
      const seals = verifySealed(db, { keys, keyFile }); // recomputes the audit log's chain in the same pass
      const log = seals.chain;
      const readings = verifyReadings(db);
      if (keyFile && keyFile !== "unreadable") keyFile.key.fill(0);
      db.close();
      const ok = log.ok && readings.ok && seals.status !== "tampered";
      const code = !ok ? 1 : keys.length && seals.status === "intact" ? 0 : 2;
      if (opts.json) printJson({ ok, status: code === 0 ? "intact" : code === 1 ? "tampered" : "unchecked", audit: log, readings, seals });
      else printVerdict(log, readings, seals, config.station.timezone, keys.length > 0);
      process.exit(code);
    });

  audit
    .command("list")
    .description("audit entries, oldest first")
    .option("-c, --config <file>", "station config file")
    .option("--since <time>", "from this station local time (YYYY-MM-DDTHH:MM)")
    .option("--until <time>", "before this station local time")
    .option("-n, --limit <n>", "at most the last N entries", "200")
    .option("--json", "JSON output")
    .action((opts: { config?: string; since?: string; until?: string; limit: string; json?: boolean }) => {
      const { config } = loadConfigOrExit(configPath(opts.config));
      const tz = config.station.timezone;
      let entries: AuditEntry[];
      try {
        const since = opts.since ? parseCliTime(opts.since, tz) : undefined;
        const until = opts.until ? parseCliTime(opts.until, tz) : undefined;
        const db = openDb(config.storage.path, { readonly: true });
        try {
          const has = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'audit_log'").get();
          entries = has ? new AuditLog(db).list({ since, until, limit: Number(opts.limit) }) : [];
        } finally {
          db.close();
        }
      } catch (err) {
        exitOnKnownError(err, opts.json);
      }
      if (opts.json) return printJson(entries);
      console.log(
        table(
          ["id", "time", "actor", "action", "reason", "details"],
          entries.map((e) => [e.id, formatLocal(e.ts, tz), e.actor, e.action, e.reason, JSON.stringify(e.details)]),
        ),
      );
    });
}

function printVerdict(log: AuditVerdict, readings: ChainVerdict, seals: SealVerdict, tz: string, keyed: boolean): void {
  console.log(log.ok ? `audit log: chain consistent (${log.entries} entries)` : `audit log: BROKEN at entry ${log.brokenAt}: ${log.reason}`);
  console.log(
    readings.ok
      ? `readings: chain consistent (${readings.readings} readings in ${readings.links} batches)`
      : `readings: BROKEN at batch ${readings.brokenAtLink} (reading ids ${readings.readingIds[0]}–${readings.readingIds[1]}): ${readings.reason}`,
  );
  console.log(`seals: ${seals.seals} in the database, ${seals.sealsChecked} checked with the key${keyed ? "" : " (no verification key given)"}`);
  const f = seals.firstTampered;
  if (f) console.log(`TAMPERED: ${f.seal ? `first at epoch ${f.seal.epoch} (sealed ${formatLocal(f.seal.ts, tz)}, key ${f.seal.keyId})` : "after the last seal"}: ${f.what}`);
  for (const p of seals.problems.slice(1, 10)) console.log(`  also${p.seal ? ` epoch ${p.seal.epoch}` : ""}: ${p.what}`);
  for (const n of seals.notes) console.log(`note: ${n}`);
  if (!f && log.ok && readings.ok) console.log(seals.status === "intact" ? "intact: every seal holds" : "cannot confirm: a rewrite with recomputed hashes is not ruled out");
}
