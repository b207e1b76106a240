// `station-agent probe <analyzer> --detect` (issue 13 item 7), run as a technician would, against a
// simulated 42i whose map differs from the config: counted from 1 (the printed numbers), or ABCD words.
// The ranking finds the layout that makes the values plausible and prints the options to paste;
// nothing is written to the instrument.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { configSchema } from "../../../config/schema.js";
import { startSimulation } from "../../../drivers/simulate.js";
import { rankLayouts } from "../../../agent/cli/detect-layout.js";
import { getModbusDriver } from "../../../drivers/index.js";
import { encode } from "../../../drivers/codec.js";
import { MN, tempDir } from "../../helpers/station.js";

const BIN = join(import.meta.dirname, "../../../bin/station-agent.js");
const cli = (...args: string[]) =>
  new Promise<{ status: number; stdout: string; stderr: string }>((resolve) =>
    execFile(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, STATION_AGENT_FROM_SOURCE: "1" } }, (err, stdout, stderr) =>
      resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );

test("probe --detect: a map counted from 1 and a unit sending ABCD are found, with the options to paste", { timeout: 60_000 }, async () => {
  const { dir, cleanup } = tempDir();
  // The simulated instruments: one at the printed numbers, one with high word first.
  const simCfg = configSchema.parse(parseYaml(`
station: { name: Detect, mn: "${MN}" }
storage: { path: station.db }
buses: [{ id: sim, type: tcp, host: 127.0.0.1, port: 1 }]
analyzers:
  - { id: shifted, driver: thermo-42i, bus: sim, slave: 1, options: { address_offset: 1 } }
  - { id: swapped, driver: thermo-42i, bus: sim, slave: 2, options: { "*.order": ABCD } }
`));
  (simCfg.buses[0] as { port: number }).port = 0;
  const sim = await startSimulation(simCfg, { seed: 2 });
  try {
    for (const id of ["shifted", "swapped"]) {
      // Values whose float has a non-zero low word, as real readings do.
      sim.analyzer(id).set("no", 6.3);
      sim.analyzer(id).set("no2", 17.1);
      sim.analyzer(id).set("nox", 23.7);
    }
    const port = Number(sim.endpoint("sim").split(":")[1]);
    const file = join(dir, "station.yaml");
    // The station config as an installer wrote it: the driver's defaults.
    writeFileSync(file, `station: { name: Detect, mn: "${MN}" }
storage: { path: station.db }
buses: [{ id: sim, type: tcp, host: 127.0.0.1, port: ${port}, timeout_ms: 300 }]
analyzers:
  - { id: shifted, driver: thermo-42i, bus: sim, slave: 1 }
  - { id: swapped, driver: thermo-42i, bus: sim, slave: 2 }
`);
    const a = await cli("probe", "shifted", "--config", file, "--detect", "--json");
    assert.equal(a.status, 0, a.stderr);
    const ja = JSON.parse(a.stdout);
    assert.deepEqual(ja.options, { address_offset: 1 }, JSON.stringify(ja.candidates.slice(0, 3)));
    assert.deepEqual([ja.best.offset, ja.best.order], [1, "CDAB"]);
    assert.deepEqual(Object.values(ja.best.values as Record<string, number>).map((v) => Number(v.toFixed(4))), [6.3, 17.1, 23.7]);
    assert.equal(ja.candidates.length, 12);
    const b = await cli("probe", "swapped", "--config", file, "--detect");
    assert.equal(b.status, 0, b.stderr);
    assert.match(b.stdout, /Paste under the analyzer's options:\n {2}"\*\.order": "ABCD"\n/);
    assert.deepEqual(sim.analyzer("shifted").writes(), [], "nothing written");
  } finally {
    await sim.stop();
    cleanup();
  }
});

test("rankLayouts: the configured layout wins a tie; NaN and denormals score nothing", () => {
  const f = getModbusDriver("thermo-43i")!.fields;
  const at0 = [0, ...encode(7.3, "float32", "CDAB"), 0];
  const d = rankLayouts(f, { channels: {} }, new Map([["so2", at0]]), "CDAB");
  assert.deepEqual([d.candidates[0].offset, d.candidates[0].order, d.options], [0, "CDAB", {}]);
  const nan = rankLayouts(f, { channels: {} }, new Map([["so2", [0xffff, 0xffff, 0xffff, 0xffff]]]), "CDAB");
  assert.ok(nan.candidates.every((c) => c.score === 0));
});
