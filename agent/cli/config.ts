// `station-agent config check|show`: validate a config file before a restart, and print the
// configuration the agent would actually run with (defaults applied, passwords hidden).
import type { Command } from "commander";
import { stringify } from "yaml";
import { configProblems, EXIT_CONFIG, isConfigError } from "../../config/errors.js";
import { loadConfig } from "../../config/load.js";
import { redactConfig } from "../../config/redact.js";
import { configPath, loadConfigOrExit, printConfigErrors } from "./common.js";
import { printJson } from "./format.js";
import { existsSync } from "node:fs";
import { openDb } from "../store/db.js";
import { formatLocal } from "../time.js";
import { OverrideStore, redactOverride } from "../uplink/overrides.js";
import { uploadChannels } from "../uplink/channels.js";

interface Opts {
  config?: string;
  json?: boolean;
}

export function registerConfig(program: Command): void {
  const config = program.command("config").description("check or show the station configuration");

  config
    .command("check")
    .description("validate a config file; prints every problem with its line and exits 78 if there is any")
    .argument("[file]", "config file (default: --config, $STATION_AGENT_CONFIG, or /etc/station-agent/station.yaml)")
    .option("-c, --config <file>", "config file")
    .option("--json", "print the result as JSON")
    .action((file: string | undefined, opts: Opts) => {
      const path = configPath(file ?? opts.config);
      try {
        const { config: cfg } = loadConfig(path);
        const counts = { buses: cfg.buses.length, analyzers: cfg.analyzers.length, platforms: cfg.platforms.length };
        // What each uploaded channel is sent as: code, unit, and the conversion it gets (and why).
        const uploads = uploadChannels(cfg).map((c) => ({
          analyzer: c.analyzer, channel: c.channel, code: c.code, unit: c.unit, upload_unit: c.uploadUnit, conversion: c.conversion, why: c.why,
          ...(c.zs ? { zs: { reference_o2: c.zs.referenceO2, o2: `${c.zs.o2.analyzer}.${c.zs.o2.channel}`, basis: c.zs.basis } } : {}),
          ...(c.cou ? { cou: c.cou.kind === "flow" ? (c.cou.totalizer ? `totalizer ${c.cou.totalizer.analyzer}.${c.cou.totalizer.channel}` : "integral of the flow") : `× flow ${c.cou.flow.analyzer}.${c.cou.flow.channel}` } : {}),
        }));
        if (opts.json) printJson({ ok: true, file: path, ...counts, uploads });
        else {
          const summary = [count(counts.buses, "bus", "buses"), count(counts.analyzers, "analyzer"), count(counts.platforms, "platform")];
          process.stdout.write(`${path}: ok (${summary.join(", ")})\n`);
          if (uploads.length) process.stdout.write("uploaded channels:\n");
          for (const u of uploads) {
            const extra = `${u.zs ? `; Zs at ${u.zs.reference_o2} % O2 (${u.zs.o2}, ${u.zs.basis})` : ""}${u.cou ? `; Cou: ${u.cou}` : ""}`;
            process.stdout.write(`  ${u.analyzer}.${u.channel} → ${u.code}: ${u.unit || "-"}${u.conversion ? ` → ${u.upload_unit} by ${u.conversion}, ${u.why}` : u.upload_unit !== u.unit ? ` → ${u.upload_unit} (scale/offset)` : `, ${u.why === "none" ? "no conversion" : u.why}`}${extra}\n`);
          }
        }
      } catch (err) {
        if (!isConfigError(err)) throw err;
        if (opts.json) printJson({ ok: false, file: path, errors: configProblems(err).map((e) => e.toJSON()) });
        else printConfigErrors(err);
        process.exitCode = EXIT_CONFIG;
      }
    });

  config
    .command("show")
    .description("print the effective configuration: defaults applied, paths resolved, passwords hidden")
    .argument("[file]", "config file (default: --config, $STATION_AGENT_CONFIG, or /etc/station-agent/station.yaml)")
    .option("-c, --config <file>", "config file")
    .option("--json", "print as JSON")
    .action((file: string | undefined, opts: Opts) => {
      const loaded = loadConfigOrExit(configPath(file ?? opts.config));
      const shown = redactConfig(loaded.config);
      // Settings platforms changed at run time (uplink/overrides.ts) win over the file's.
      const overrides = readOverrides(loaded.config.storage.path, loaded.config.station.timezone);
      if (opts.json) printJson({ ...shown, overrides });
      else {
        process.stdout.write(`# Effective configuration of ${loaded.file} (defaults applied, passwords hidden)\n${stringify(shown)}`);
        if (overrides.length) process.stdout.write(`# Set by platforms at run time, stored in the database; these win over the file:\n${stringify({ overrides })}`);
      }
    });
}

function readOverrides(dbPath: string, tz: string): { platform: string; key: string; value: string | number; set_at: string; by: string }[] {
  if (!existsSync(dbPath)) return [];
  const db = openDb(dbPath, { readonly: true });
  try {
    return new OverrideStore(db).list().map(redactOverride).map((o) => ({ platform: o.platform, key: o.key, value: o.value, set_at: formatLocal(o.setAt, tz), by: o.actor }));
  } finally {
    db.close();
  }
}

function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
