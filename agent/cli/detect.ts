// `station-agent probe <analyzer> --detect`: which address offset and word order make the analyzer's
// float channels plausible (detect-layout.ts), best first, with the `options` lines to paste.
// Reads only. The JSON output: {analyzer, driver, channels, best: {offset, order, score, values},
// options, candidates: [{offset, order, score, plausible, values}]}.
import type { AnalyzerConfig, BusConfig } from "../../config/schema.js";
import { configureDriver } from "../../drivers/configure.js";
import { getModbusDriver } from "../../drivers/index.js";
import { detectLayout } from "./detect-layout.js";
import { createTransport } from "../bus/transport.js";
import { printJson, table } from "./format.js";

/** Exit code: 0 detected, 1 no float channel answered, 2 not a Modbus analyzer. */
export async function runDetect(analyzer: AnalyzerConfig, bus: BusConfig, json: boolean): Promise<number> {
  const base = getModbusDriver(analyzer.driver);
  if (!base) {
    console.error(`--detect reads Modbus registers; ${analyzer.id} uses driver ${analyzer.driver}, which is not a Modbus driver`);
    return 2;
  }
  const def = configureDriver(analyzer, base);
  const transport = createTransport(bus);
  try {
    await transport.open();
    const d = await detectLayout(transport, analyzer, def, analyzer.timeout_ms ?? bus.timeout_ms);
    if (d.channels.length === 0) {
      console.error(`${analyzer.id}: driver ${def.id} has no float channel to try`);
      return 1;
    }
    // Offsets are relative to the map as configured: the line to paste is the sum.
    const configured = Number(analyzer.options.address_offset ?? 0);
    const options = { ...d.options };
    if (options.address_offset !== undefined) options.address_offset = configured + Number(options.address_offset);
    const best = d.candidates[0];
    if (json) {
      printJson({ analyzer: analyzer.id, driver: def.id, channels: d.channels, best, options, candidates: d.candidates });
      return best.score > 0 ? 0 : 1;
    }
    console.log(`${analyzer.id} (${def.id}): ${d.channels.length} float channel(s), address offsets −1/0/+1 × word orders, best first`);
    console.log(
      table(
        ["offset", "order", "plausible", ...d.channels],
        d.candidates.map((c) => [c.offset > 0 ? `+${c.offset}` : String(c.offset), c.order, `${c.plausible}/${d.channels.length}`, ...d.channels.map((ch) => (c.values[ch] === null ? null : String(Number(c.values[ch]!.toPrecision(6)))))]),
      ),
    );
    console.log("");
    if (Object.keys(options).length === 0) console.log("The map as configured reads best: nothing to change.");
    else {
      console.log("Paste under the analyzer's options:");
      for (const [k, v] of Object.entries(options)) console.log(`  ${k.includes("*") ? JSON.stringify(k) : k}: ${typeof v === "string" ? JSON.stringify(v) : v}`);
    }
    return best.score > 0 ? 0 : 1;
  } finally {
    await transport.close().catch(() => {});
  }
}
