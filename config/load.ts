// Loads the station config file: read, parse, validate, resolve relative paths.
// Every failure is a ConfigErrors (one ConfigError per problem), which the CLI turns into exit code 78.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { analyzerProblems } from "../drivers/configure.js";
import { listDrivers, type DriverDefinition } from "../drivers/index.js";
import type { DriverCatalog } from "./checks.js";
import { ConfigError, ConfigErrors } from "./errors.js";
import { parseConfig } from "./parse.js";
import { analyzerSchema, type StationConfig } from "./schema.js";
import { resolveLinkFiles } from "./link-files.js";

export type { DriverCatalog } from "./checks.js";

export interface LoadedConfig {
  /** Validated, with defaults applied and storage.path made absolute. */
  config: StationConfig;
  /** Absolute path of the config file. */
  file: string;
  /** Directory of the config file: relative paths in the config are relative to it. */
  dir: string;
}

export function loadConfig(file: string, opts: { drivers?: DriverCatalog } = {}): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigErrors([new ConfigError({ file, path: "", expected: `cannot read the config file: ${osReason(err)}` }, { cause: err })]);
  }
  const config = parseConfig(text, file, opts.drivers ?? driverCatalog());
  const dir = dirname(resolve(file));
  // Relative to the config file, not to the working directory, so `station-agent -c x.yaml` works from anywhere.
  config.storage.path = resolve(dir, config.storage.path);
  const linkErrors = resolveLinkFiles(config, dir, file);
  if (linkErrors.length) throw new ConfigErrors(linkErrors);
  return { config, file: resolve(file), dir };
}

/** The catalog of the drivers shipped in drivers/ (the default for loadConfig). */
export function driverCatalog(drivers = listDrivers()): DriverCatalog {
  const modbus = (id: unknown) => drivers.find((d) => d.id === id && d.protocol === "modbus") as DriverDefinition | undefined;
  return {
    ids: () => drivers.map((d) => d.id),
    channels: (id) => drivers.find((d) => d.id === id)?.channels.map((c) => c.name),
    fromConfig: (id) => modbus(id)?.fromConfig === true,
    anyChannel: (id) => drivers.some((d) => d.id === id && d.protocol === "hj212"),
    analyzerProblems(raw) {
      // Only an entry the schema accepts is checked against its driver; the schema reports the rest.
      const parsed = analyzerSchema.safeParse(raw);
      if (!parsed.success) return [];
      const driver = modbus(parsed.data.driver);
      if (driver) return analyzerProblems(parsed.data, driver);
      return (["registers", "states"] as const)
        .filter((key) => parsed.data[key] !== undefined)
        .map((key) => ({ key, message: `${key} is only for driver generic-modbus; ${parsed.data.driver} is not a Modbus driver` }));
    },
  };
}

/** "permission denied (EACCES)" from a Node fs error, whose message also repeats the path. */
function osReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const text = /^[A-Z]+: ([^,]+)/.exec(e?.message ?? "")?.[1];
  return text && e.code ? `${text} (${e.code})` : String(e?.message ?? err);
}
