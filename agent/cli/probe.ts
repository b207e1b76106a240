// `station-agent probe <analyzer>`: reads once everything the analyzer's driver defines, on a connection
// of its own (probeOnce), and shows each channel's value in the instrument's unit, its flag, and the
// instrument's state with every active state. For an installer checking the wiring and the map.
// The JSON output is a contract:
//   {analyzer, driver, source, ok, state, states, durationMs,
//    channels: [{channel, code, value, unit, flag, raw: "hex" | null, ts}], error?}
// Exit codes: 0 answered, 1 no answer (or a Modbus exception), 2 unknown analyzer or bus, 3 the running
// service holds the serial line (a Modbus TCP device takes a second connection, so TCP is probed anyway).
import type { Command } from "commander";
import type { AnalyzerConfig, BusConfig, StationConfig } from "../../config/schema.js";
import { probeOnce, type ProbeResult } from "../bus/poller.js";
import { callControl, controlSocketPath } from "../control/socket.js";
import { formatLocal } from "../time.js";
import { configPath, loadConfigOrExit } from "./common.js";
import { printJson, table } from "./format.js";
import { runDetect } from "./detect.js";

export interface ProbeReport {
  analyzer: string;
  /** Driver id. */
  driver: string;
  /** `driver-id@version`. */
  source: string;
  ok: boolean;
  /** The instrument state that sets the flag ("ok", "no-answer" when it did not answer). */
  state: string;
  /** Every active state, in driver order. */
  states: string[];
  durationMs: number;
  channels: Array<{ channel: string; code: string; value: number | null; unit: string; flag: string; raw: string | null; ts: number }>;
  /** The Modbus requests the poll ended with (after any split of a read refused over a hole). */
  plan?: Array<{ fc: number; address: number; count: number }>;
  error?: string;
}

export const EXIT_PROBE_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_BUS_BUSY = 3;

/** The report of one probe. */
export function probeReport(analyzer: AnalyzerConfig, result: ProbeResult): ProbeReport {
  return {
    analyzer: analyzer.id,
    driver: analyzer.driver,
    source: result.source,
    ok: result.ok,
    state: result.ok ? result.state.state : "no-answer",
    states: result.ok ? result.state.active : [],
    durationMs: result.durationMs,
    channels: result.readings.map((r) => ({
      channel: r.channel,
      code: r.code,
      value: r.value,
      unit: r.unit,
      flag: r.flag,
      raw: r.raw ? r.raw.toString("hex") : null,
      ts: r.ts,
    })),
    ...(result.plan ? { plan: result.plan } : {}),
    ...(result.ok ? {} : { error: result.error.message }),
  };
}

/** Why this bus cannot be probed now (the service's poller owns the serial line), or null. */
async function busBusy(config: StationConfig, bus: BusConfig): Promise<string | null> {
  if (bus.type !== "rtu") return null;
  const running = await callControl(controlSocketPath(config.storage.path), "ping", {}, 1000).then(
    () => true,
    () => false,
  );
  if (!running) return null;
  return (
    `the running service holds the serial line of bus ${bus.id} (${bus.path}); probing through the service is not available yet. ` +
    `Use \`station-agent status\` for its latest readings, or \`station-agent read --bus ${bus.id} --force\` for one register.`
  );
}

function printHuman(r: ProbeReport, tz: string): void {
  console.log(`${r.analyzer} (${r.source}): ${r.ok ? "answered" : "NO ANSWER"} in ${r.durationMs} ms`);
  console.log(`state: ${r.state}${r.states.length > 1 ? ` (active: ${r.states.join(", ")})` : ""}`);
  if (r.error) console.log(`error: ${r.error}`);
  if (r.plan) console.log(`requests: ${r.plan.map((q) => `FC${q.fc} ${q.address}+${q.count}`).join(", ") || "none"}`);
  console.log("");
  console.log(
    table(
      ["channel", "code", "value", "flag", "raw", "time"],
      r.channels.map((c) => [c.channel, c.code || null, c.value === null ? null : `${Number(c.value.toPrecision(7))} ${c.unit}`.trim(), c.flag, c.raw, formatLocal(c.ts, tz)]),
    ),
  );
}

export function registerProbe(program: Command): void {
  program
    .command("probe")
    .description("read an analyzer once: every channel's value, flag and the instrument state")
    .argument("<analyzer>", "analyzer id from the config")
    .option("-c, --config <file>", "station config file")
    .option("--json", "JSON output")
    .option("--detect", "for an analyzer that reads nonsense: try address offsets −1/0/+1 and the four word orders on its float channels, rank them, print the options to paste (reads only)")
    .action(async (id: string, opts: { config?: string; json?: boolean; detect?: boolean }) => {
      const { config } = loadConfigOrExit(configPath(opts.config));
      const analyzer = config.analyzers.find((a) => a.id === id);
      if (!analyzer) {
        const known = config.analyzers.map((a) => a.id);
        console.error(`unknown analyzer "${id}" (known: ${known.length ? known.join(", ") : "none are configured"})`);
        process.exit(EXIT_USAGE);
      }
      const bus = config.buses.find((b) => b.id === analyzer.bus)!; // the config check guarantees it
      const busy = await busBusy(config, bus);
      if (busy) {
        console.error(busy);
        process.exit(EXIT_BUS_BUSY);
      }
      if (opts.detect) {
        process.exitCode = await runDetect(analyzer, bus, opts.json === true);
        return;
      }
      const report = probeReport(analyzer, await probeOnce(analyzer, bus));
      if (opts.json) printJson(report);
      else printHuman(report, config.station.timezone);
      process.exitCode = report.ok ? 0 : EXIT_PROBE_FAILED;
    });
}
