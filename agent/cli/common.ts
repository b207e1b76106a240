// What several CLI commands share: which config file to use, and loading it or exiting with 78.
// It is its own module because index.ts imports every command file, which import this.
import { configProblems, EXIT_CONFIG, isConfigError } from "../../config/errors.js";
import { loadConfig, type LoadedConfig } from "../../config/load.js";

export const DEFAULT_CONFIG = "/etc/station-agent/station.yaml";

/** The config file a command uses: --config, else STATION_AGENT_CONFIG, else the system default. */
export function configPath(opt: string | undefined): string {
  return opt || process.env.STATION_AGENT_CONFIG || DEFAULT_CONFIG;
}

/** Loads the config, or prints every problem (one per line, on stderr) and exits with EX_CONFIG (78). */
export function loadConfigOrExit(path: string): LoadedConfig {
  try {
    return loadConfig(path);
  } catch (err) {
    if (!isConfigError(err)) throw err;
    printConfigErrors(err);
    process.exit(EXIT_CONFIG);
  }
}

/** One line per problem, first one first. */
export function printConfigErrors(err: Parameters<typeof configProblems>[0]): void {
  for (const problem of configProblems(err)) process.stderr.write(`${problem.message}\n`);
}
