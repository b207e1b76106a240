// `station-agent run`: the agent itself, as the systemd unit runs it.
import type { Command } from "commander";
import { Agent } from "../main.js";
import { configPath, loadConfigOrExit } from "./common.js";

/** Stops the agent cleanly on SIGTERM/SIGINT (flush, close the database, close ports). */
export function stopOnSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = async (sig: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${sig}: stopping\n`);
    try {
      await stop();
      process.exit(0);
    } catch (err) {
      process.stderr.write(`stop failed: ${(err as Error).message}\n`);
      process.exit(1);
    }
  };
  process.on("SIGTERM", () => void handler("SIGTERM"));
  process.on("SIGINT", () => void handler("SIGINT"));
}

export function registerRun(program: Command): void {
  program
    .command("run")
    .description("run the agent (what the systemd service runs)")
    .option("-c, --config <file>", "station config file")
    .action(async (opts: { config?: string }) => {
      const loaded = loadConfigOrExit(configPath(opts.config));
      const agent = new Agent(loaded);
      stopOnSignals(() => agent.stop());
      // Last resort: a bug that escapes every handler is logged as what it is, and the process
      // exits so systemd restarts it on a clean state (committed data is safe on disk).
      const fatal = (what: string) => (err: unknown) => {
        agent.log.error(`${what}: ${(err as Error)?.stack ?? String(err)}`);
        process.exit(70); // EX_SOFTWARE
      };
      process.on("uncaughtException", fatal("uncaught exception"));
      process.on("unhandledRejection", fatal("unhandled promise rejection"));
      try {
        await agent.start();
      } catch (err) {
        agent.log.error(`cannot start: ${(err as Error).message}`);
        await agent.stop().catch(() => {});
        // A lock held by another process may go away: EX_TEMPFAIL, and systemd tries again.
        process.exit((err as { problem?: string }).problem === "locked" ? 75 : 1);
      }
    });
}
