// `station-agent demo` (what `npm start` runs): the built-in demo station in one process:
// simulated analyzers, a local HJ 212 platform and the agent, narrated in plain words.
import type { Command } from "commander";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger } from "../log.js";
import { formatLocal } from "../time.js";
import { hj212Platforms } from "../../config/schema.js";
import { UPLOAD_CN } from "../types.js";
import { loadConfigOrExit } from "./common.js";
import { stopOnSignals } from "./run.js";

const FLAG_WORDS: Record<string, string> = {
  N: "normal", F: "stopped", M: "maintenance", S: "manual", D: "fault", C: "calibration", T: "over range", B: "no answer",
};
const KIND_BY_CN = Object.fromEntries(Object.entries(UPLOAD_CN).map(([k, v]) => [v, k]));

/** config/demo.yaml, whether running from source (agent/cli) or built (dist/agent/cli). */
export function demoConfigPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, "../../config/demo.yaml"), join(here, "../../../config/demo.yaml")];
  return candidates.find((p) => existsSync(p)) ?? candidates[0];
}

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("run the built-in demo station: simulated analyzers, a local platform and the agent")
    .option("-c, --config <file>", "demo station config", demoConfigPath())
    .action(async (opts: { config: string }) => {
      // Loaded here, not at the top: every command's module is imported to build the CLI, and
      // the service (`run`) should not carry the simulator and receiver in memory.
      const [{ startSimulation }, { Agent }, { PlatformReceiver }] = await Promise.all([
        import("../../drivers/simulate.js"),
        import("../main.js"),
        import("../uplink/receiver.js"),
      ]);
      const loaded = loadConfigOrExit(opts.config);
      const { config } = loaded;
      const tz = config.station.timezone;
      const say = (msg: string) => process.stdout.write(`${formatLocal(Date.now(), tz).slice(11)}  ${msg}\n`);

      const receivers = hj212Platforms(config).map(
        (p) =>
          new PlatformReceiver({
            host: p.host,
            port: p.port,
            pw: p.pw,
            onPacket: (pk) => {
              const kind = KIND_BY_CN[pk.frame.header.cn ?? ""] ?? `CN ${pk.frame.header.cn}`;
              const values = Object.entries(pk.fields).filter(([k]) => k !== "DataTime" && !k.endsWith("-Flag"));
              say(`platform ${p.id} received ${kind} data for ${pk.fields.DataTime ?? "?"}: ${values.map(([k, v]) => `${k}=${v}`).join(" ")}`);
            },
          }),
      );
      for (const r of receivers) await r.start();
      const sim = await startSimulation(config);
      const agent = new Agent(loaded, { log: createLogger({ level: "warn" }) });
      stopOnSignals(async () => {
        await agent.stop();
        await sim.stop();
        for (const r of receivers) await r.stop();
      });
      let lastId = 0;
      agent.events.on("readingsStored", () => {
        for (const r of agent.readings.after(lastId)) {
          lastId = r.id;
          if (!r.code) continue; // diagnostics (flows, temperatures) are stored, not narrated
          const v = r.value === null ? "no value" : `${Number(r.value.toFixed(2))} ${r.unit}`;
          say(`${r.analyzer}.${r.channel} = ${v}  (${r.flag}: ${FLAG_WORDS[r.flag] ?? r.flag}) stored`);
        }
      });
      agent.events.on("packetAcked", (platform, qn, cn) => say(`platform ${platform} acknowledged ${KIND_BY_CN[cn] ?? cn} packet QN=${qn}`));
      agent.events.on("platformConnected", (p) => say(`connected to platform ${p}`));
      agent.events.on("platformDisconnected", (p, why) => say(`platform ${p} disconnected (${why}); data keeps being stored`));
      await agent.start();
      lastId = agent.readings.maxId(); // a database kept from an earlier demo is not replayed

      say(`demo station "${config.station.name}" running; database ${config.storage.path}. Ctrl-C stops.`);
      say(`minute data goes out after each minute ends; realtime data every ${config.platforms[0]?.realtime_interval_s ?? "-"} s.`);
    });
}
