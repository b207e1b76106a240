// `station-agent alarms [--all] [--json]`: open alarms (or every alarm, newest first), from the
// running service, or read-only from the database when none runs.
import type { Command } from "commander";
import type { StationConfig } from "../../config/schema.js";
import { readAlarms, type Alarm } from "../alarms/store.js";
import { callControl, controlSocketPath } from "../control/socket.js";
import { openDb } from "../store/db.js";
import { formatLocal } from "../time.js";
import { configPath, loadConfigOrExit } from "./common.js";
import { printJson, table } from "./format.js";

async function getAlarms(cfg: StationConfig, all: boolean): Promise<{ via: "service" | "database"; alarms: Alarm[] }> {
  try {
    return { via: "service", alarms: (await callControl(controlSocketPath(cfg.storage.path), "alarms", { all })) as Alarm[] };
  } catch {
    const db = openDb(cfg.storage.path, { readonly: true });
    try {
      return { via: "database", alarms: readAlarms(db, { all }) };
    } finally {
      db.close();
    }
  }
}

export function registerAlarms(program: Command): void {
  program
    .command("alarms")
    .description("open alarms (exceedance, equipment fault, comms lost, calibration failed, door open, disk low); --all for the history")
    .option("-c, --config <file>", "station config file")
    .option("-a, --all", "cleared alarms too, newest first")
    .option("--json", "JSON output")
    .action(async (opts: { config?: string; all?: boolean; json?: boolean }) => {
      const { config } = loadConfigOrExit(configPath(opts.config));
      const tz = config.station.timezone;
      const { via, alarms } = await getAlarms(config, opts.all === true);
      if (opts.json) return printJson({ via, alarms });
      if (via === "database") console.log("service NOT running: read from the database\n");
      if (!alarms.length) return console.log(opts.all ? "no alarm yet" : "no alarm open");
      console.log(
        table(
          ["kind", "subject", "raised", "cleared", "count", "last value", "message"],
          alarms.map((a) => [a.kind, a.subject, formatLocal(a.raisedAt, tz), a.clearedAt === null ? "open" : formatLocal(a.clearedAt, tz), a.count, a.lastValue, a.message]),
        ),
      );
    });
}
