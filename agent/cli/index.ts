// Commander wiring for `station-agent`. Each command lives in its own file and registers itself here.
import { Command } from "commander";
import { registerConfig } from "./config.js";
import { registerHj212 } from "./hj212.js";

export const DEFAULT_CONFIG = "/etc/station-agent/station.yaml";

/** The config file a command uses: --config, else STATION_AGENT_CONFIG, else the system default. */
export function configPath(opt: string | undefined): string {
  return opt ?? process.env.STATION_AGENT_CONFIG ?? DEFAULT_CONFIG;
}

export function buildProgram(): Command {
  const program = new Command("station-agent")
    .description("Environmental monitoring station agent: analyzers → SQLite → HJ 212 platforms")
    .showHelpAfterError();
  registerConfig(program);
  registerHj212(program);
  return program;
}

await buildProgram().parseAsync(process.argv);
