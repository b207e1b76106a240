// `station-agent audit verify` and `station-agent audit list`: the audit trail, read-only from
// the database (works beside the running service). verify exits 0 only when both chains hold:
// the audit log and the readings' hash chain.
import type { Command } from "commander";
import { AuditLog, verifyAudit, type AuditEntry } from "../audit/log.js";
import { verifyReadings } from "../audit/readings-chain.js";
import { openDb } from "../store/db.js";
import { formatLocal, parseCliTime } from "../time.js";
import { configPath, loadConfigOrExit } from "./common.js";
import { printJson, table } from "./format.js";
import { exitOnKnownError } from "./service.js";

export function registerAudit(program: Command): void {
  const audit = program.command("audit").description("the tamper-evident audit trail of interventions");

  audit
    .command("verify")
    .description("recompute the audit log's and the readings' hash chains; exit 0 only when both are intact")
    .option("-c, --config <file>", "station config file")
    .option("--json", "JSON output")
    .action((opts: { config?: string; json?: boolean }) => {
      const { config } = loadConfigOrExit(configPath(opts.config));
      let db;
      try {
        db = openDb(config.storage.path, { readonly: true });
      } catch (err) {
        exitOnKnownError(err, opts.json);
      }
      const log = verifyAudit(db);
      const readings = verifyReadings(db);
      db.close();
      const ok = log.ok && readings.ok;
      if (opts.json) printJson({ ok, audit: log, readings });
      else {
        console.log(log.ok ? `audit log: intact (${log.entries} entries)` : `audit log: BROKEN at entry ${log.brokenAt}: ${log.reason}`);
        console.log(
          readings.ok
            ? `readings: intact (${readings.readings} readings in ${readings.links} batches)`
            : `readings: BROKEN at batch ${readings.brokenAtLink} (reading ids ${readings.readingIds[0]}–${readings.readingIds[1]}): ${readings.reason}`,
        );
      }
      process.exit(ok ? 0 : 1);
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
