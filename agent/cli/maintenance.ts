// `station-agent maintenance on|off [analyzer] --reason TEXT`: readings of the analyzer (or the
// whole station) are flagged M while it is on. Through the running service, or directly in the
// database when none runs; audited either way with the OS user and the reason.
import type { Command } from "commander";
import { osActor } from "../audit/log.js";
import { maintenanceOff, maintenanceOn } from "../qc/actions.js";
import type { QcWindow } from "../qc/store.js";
import { QcStore } from "../qc/store.js";
import { openDb } from "../store/db.js";
import { formatLocal } from "../time.js";
import { configPath, loadConfigOrExit } from "./common.js";
import { printJson, table } from "./format.js";
import { exitOnKnownError, viaServiceOrDb } from "./service.js";

export function registerMaintenance(program: Command): void {
  program
    .command("maintenance")
    .description("maintenance mode: on|off [analyzer] --reason TEXT (readings flagged M), or status")
    .argument("<action>", "on, off or status")
    .argument("[analyzer]", "analyzer id (default: the whole station)")
    .option("-c, --config <file>", "station config file")
    .option("-r, --reason <text>", "why (required for on and off; recorded in the audit trail)")
    .option("--json", "JSON output")
    .action(async (action: string, analyzer: string | undefined, opts: { config?: string; reason?: string; json?: boolean }) => {
      const { config } = loadConfigOrExit(configPath(opts.config));
      const tz = config.station.timezone;
      if (action === "status") {
        const db = openDb(config.storage.path, { readonly: true });
        const has = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'qc_windows'").get();
        const open = has ? new QcStore(db).windows({ kind: "maintenance", open: true }) : [];
        db.close();
        if (opts.json) return printJson(open);
        if (!open.length) return console.log("no maintenance on");
        return console.log(table(["scope", "since", "by", "reason"], open.map((w) => [w.analyzer ?? "whole station", formatLocal(w.fromTs, tz), w.actor, w.reason])));
      }
      if (action !== "on" && action !== "off") {
        console.error(`unknown action "${action}": on, off or status`);
        process.exit(2);
      }
      if (!opts.reason?.trim()) {
        console.error("a reason is required (--reason TEXT): every intervention says why");
        process.exit(2);
      }
      const args = { on: action === "on", analyzer: analyzer ?? null, reason: opts.reason ?? "", actor: osActor() };
      try {
        const { via, result } = await viaServiceOrDb<QcWindow>(config, "maintenance", args, (deps) =>
          args.on ? maintenanceOn(deps, args) : maintenanceOff(deps, args),
        );
        if (opts.json) return printJson({ ok: true, via, window: result });
        const scope = result.analyzer ?? "the whole station";
        if (via === "database") console.log("service NOT running: recorded directly in the database");
        console.log(args.on ? `maintenance ON for ${scope} since ${formatLocal(result.fromTs, tz)}: readings flagged M` : `maintenance OFF for ${scope} (was on from ${formatLocal(result.fromTs, tz)})`);
      } catch (err) {
        exitOnKnownError(err, opts.json);
      }
    });
}
