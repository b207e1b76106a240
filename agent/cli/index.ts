// Commander wiring for `station-agent`. Each command lives in its own file and registers itself
// here. Modules are imported on demand: the service (`run`) builds only its own command, so the
// simulator, the receiver and the report code stay out of its memory for the years it runs.
import { Command } from "commander";

export { DEFAULT_CONFIG, configPath } from "./common.js";

type Register = (program: Command) => void;

/** Every command module, by the (first) command it registers, in help order. */
const COMMANDS: Array<[string, () => Promise<Register>]> = [
  ["run", async () => (await import("./run.js")).registerRun],
  ["demo", async () => (await import("./demo.js")).registerDemo],
  ["simulate", async () => (await import("./simulate.js")).registerSimulate],
  ["platform", async () => (await import("./platform.js")).registerPlatform],
  ["status", async () => (await import("./status.js")).registerStatus],
  ["tail", async () => (await import("./tail.js")).registerTail],
  ["modbus", async () => (await import("./modbus.js")).registerModbus],
  ["drivers", async () => (await import("./drivers.js")).registerDrivers],
  ["probe", async () => (await import("./probe.js")).registerProbe],
  ["resend", async () => (await import("./resend.js")).registerResend],
  ["maintenance", async () => (await import("./maintenance.js")).registerMaintenance],
  ["calibrate", async () => (await import("./calibrate.js")).registerCalibrate],
  ["alarms", async () => (await import("./alarms.js")).registerAlarms],
  ["flag", async () => (await import("./flag.js")).registerFlag],
  ["trace", async () => (await import("./trace.js")).registerTrace],
  ["audit", async () => (await import("./audit.js")).registerAudit],
  ["sysinfo", async () => (await import("./sysinfo.js")).registerSysinfo],
  ["config", async () => (await import("./config.js")).registerConfig],
  ["hj212", async () => (await import("./hj212.js")).registerHj212],
];

export async function buildProgram(only?: string): Promise<Command> {
  const program = new Command("station-agent")
    .description("Environmental monitoring station agent: analyzers → SQLite → HJ 212 platforms")
    .showHelpAfterError()
    // Beside the OS user (which the service learns from the kernel), the name of the person acting,
    // for a shared technician account: recorded as `tech as "Zhang San"`.
    .option("--actor <name>", "your name, recorded in the audit trail beside the OS user")
    .hook("preAction", (cmd) => {
      const name = cmd.opts().actor as string | undefined;
      if (name) process.env.STATION_AGENT_ACTOR = name;
    });
  for (const [name, load] of COMMANDS) if (!only || name === only) (await load())(program);
  return program;
}

const sub = process.argv[2];
await (await buildProgram(sub === "run" ? "run" : undefined)).parseAsync(process.argv);
