// `station-agent simulate`: serves the configured analyzers' simulators at their configured
// addresses (TCP buses: listens on host:port; RTU buses: opens the bus path as the slave side).
import type { Command } from "commander";
import { configPath, loadConfigOrExit } from "./common.js";

export function registerSimulate(program: Command): void {
  program
    .command("simulate")
    .description("serve simulated analyzers for the configured buses (no hardware needed)")
    .option("-c, --config <file>", "station config file")
    .option("--seed <n>", "random seed for reproducible values")
    .action(async (opts: { config?: string; seed?: string }) => {
      const { config } = loadConfigOrExit(configPath(opts.config));
      const { startSimulation } = await import("../../drivers/simulate.js"); // not loaded by `run`
      const sim = await startSimulation(config, {
        seed: opts.seed === undefined ? undefined : Number(opts.seed),
        log: (m) => process.stderr.write(m + "\n"),
      });
      for (const bus of config.buses) {
        const n = config.analyzers.filter((a) => a.bus === bus.id).length;
        const where = bus.type === "tcp" ? `${bus.host}:${bus.port}` : bus.path;
        process.stderr.write(`simulating ${n} analyzer(s) on bus ${bus.id} (${bus.type} ${where})\n`);
      }
      const stop = () => void sim.stop().then(() => process.exit(0));
      process.on("SIGTERM", stop);
      process.on("SIGINT", stop);
    });
}
