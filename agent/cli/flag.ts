// `station-agent flag <analyzer> <channel> --from T --to T --flag S --reason TEXT`: a
// technician's flag over a time window. The raw readings stay as they were; the flag and its
// reason are added, audited, and closed aggregates of the window recomputed (and re-sent where
// they change).
import type { Command } from "commander";
import { osActor } from "../audit/log.js";
import { manualFlag } from "../qc/actions.js";
import { parseFlag } from "../qc/control.js";
import { parseCliTime } from "../time.js";
import { configPath, loadConfigOrExit } from "./common.js";
import { printJson } from "./format.js";
import { exitOnKnownError, viaServiceOrDb } from "./service.js";

export function registerFlag(program: Command): void {
  program
    .command("flag")
    .description("flag an analyzer channel's readings over a time window, with a reason (audited)")
    .argument("<analyzer>", "analyzer id")
    .argument("<channel>", "channel name, or '*' for every channel of the analyzer")
    .requiredOption("--from <time>", "start, station local time YYYY-MM-DDTHH:MM")
    .requiredOption("--to <time>", "end (exclusive), station local time")
    .option("--flag <letter>", "HJ 212 flag: S, M, D, C, T, B or F", "S")
    .requiredOption("-r, --reason <text>", "why (recorded in the audit trail)")
    .option("-c, --config <file>", "station config file")
    .option("--json", "JSON output")
    .action(async (analyzer: string, channel: string, opts: { from: string; to: string; flag: string; reason: string; config?: string; json?: boolean }) => {
      const { config } = loadConfigOrExit(configPath(opts.config));
      const tz = config.station.timezone;
      try {
        const args = {
          analyzer, channel: channel === "*" || channel === "all" ? null : channel,
          from: parseCliTime(opts.from, tz), to: parseCliTime(opts.to, tz), flag: parseFlag(opts.flag), reason: opts.reason, actor: osActor(),
        };
        const { via, result } = await viaServiceOrDb(config, "flag", args, (deps) => manualFlag(deps, args));
        if (opts.json) return printJson({ ok: true, via, ...result });
        if (via === "database") console.log("service NOT running: recorded directly in the database (aggregates are recomputed when it starts)");
        console.log(`${result.readings} readings of ${analyzer}.${channel} flagged ${args.flag} (window ${result.window.id}); later readings in the window will be too`);
      } catch (err) {
        exitOnKnownError(err, opts.json);
      }
    });
}
