// Commander wiring for `station-agent`. Each command lives in its own file and registers itself here.
import { Command } from "commander";
import { registerConfig } from "./config.js";
import { registerDemo } from "./demo.js";
import { registerHj212 } from "./hj212.js";
import { registerPlatform } from "./platform.js";
import { registerRun } from "./run.js";
import { registerSimulate } from "./simulate.js";
import { registerStatus } from "./status.js";
import { registerSysinfo } from "./sysinfo.js";
import { registerTail } from "./tail.js";
import { registerModbus } from "./modbus.js";

export { DEFAULT_CONFIG, configPath } from "./common.js";

export function buildProgram(): Command {
  const program = new Command("station-agent")
    .description("Environmental monitoring station agent: analyzers → SQLite → HJ 212 platforms")
    .showHelpAfterError();
  registerRun(program);
  registerDemo(program);
  registerSimulate(program);
  registerPlatform(program);
  registerStatus(program);
  registerTail(program);
  registerModbus(program);
  registerSysinfo(program);
  registerConfig(program);
  registerHj212(program);
  return program;
}

await buildProgram().parseAsync(process.argv);
