// `station-agent probe`: one read of an analyzer against a simulator running in this process (so the
// CLI runs asynchronously), the JSON contract, the exit codes, and a serial line the service holds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { configSchema } from "../../../config/schema.js";
import { startSimulation } from "../../../drivers/simulate.js";
import { ControlServer, controlSocketPath } from "../../../agent/control/socket.js";
import { MN, tempDir } from "../../helpers/station.js";

const BIN = join(import.meta.dirname, "../../../bin/station-agent.js");
const cli = (...args: string[]) =>
  new Promise<{ status: number; stdout: string; stderr: string }>((resolve) =>
    execFile(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, STATION_AGENT_FROM_SOURCE: "1" } }, (err, stdout, stderr) =>
      resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );

async function station(dir: string) {
  const config = configSchema.parse(
    parseYaml(`
station: { name: Probe test, mn: "${MN}" }
storage: { path: station.db }
buses: [{ id: sim, type: tcp, host: 127.0.0.1, port: 1, timeout_ms: 200 }]
analyzers:
  - { id: o3, driver: teledyne-t400, bus: sim, slave: 1, retries: 0 }
  - { id: cod, driver: water-dbs, bus: sim, slave: 2, retries: 0, options: { factor: cod } }
`),
  );
  (config.buses[0] as { port: number }).port = 0;
  const sim = await startSimulation(config, { seed: 5 });
  const port = Number(sim.endpoint("sim").split(":")[1]);
  const file = join(dir, "station.yaml");
  writeFileSync(
    file,
    `station: { name: Probe test, mn: "${MN}" }
storage: { path: station.db }
buses:
  - { id: sim, type: tcp, host: 127.0.0.1, port: ${port}, timeout_ms: 200 }
  - { id: line, type: rtu, path: ${join(dir, "ttyUSB-none")} }
analyzers:
  - { id: o3, driver: teledyne-t400, bus: sim, slave: 1, retries: 0 }
  - { id: cod, driver: water-dbs, bus: sim, slave: 2, retries: 0, options: { factor: cod } }
  - { id: th, driver: th-rs485, bus: line, slave: 3 }
`,
  );
  return { sim, file };
}

test("probe --json: every channel's value, code, unit, flag and raw words, and the instrument state", { timeout: 60_000 }, async () => {
  const { dir, cleanup } = tempDir();
  const { sim, file } = await station(dir);
  try {
    sim.analyzer("o3").set("o3", 55.5);
    let r = await cli("probe", "o3", "--config", file, "--json");
    assert.equal(r.status, 0, r.stderr);
    let p = JSON.parse(r.stdout);
    assert.deepEqual([p.analyzer, p.driver, p.source, p.ok, p.state, p.states], ["o3", "teledyne-t400", "teledyne-t400@1", true, "ok", []]);
    assert.ok(typeof p.durationMs === "number" && p.durationMs >= 0);
    const o3 = p.channels.find((c: { channel: string }) => c.channel === "o3");
    assert.deepEqual({ ...o3, ts: undefined }, { channel: "o3", code: "a05024", value: 55.5, unit: "ppb", flag: "N", raw: "425e0000", ts: undefined });
    assert.equal(p.channels.length, 11);
    assert.equal(p.error, undefined);

    sim.analyzer("o3").force("span");
    p = JSON.parse((await cli("probe", "o3", "--config", file, "--json")).stdout);
    assert.deepEqual([p.state, p.states, p.channels[0].flag], ["span", ["span"], "C"]);

    sim.analyzer("cod").set("result", 7.25);
    p = JSON.parse((await cli("probe", "cod", "--config", file, "--json")).stdout);
    const result = p.channels.find((c: { channel: string }) => c.channel === "result");
    assert.deepEqual([result.value, result.code, result.unit], [7.25, "w01018", "mg/L"]);

    const human = await cli("probe", "o3", "--config", file);
    assert.equal(human.status, 0, human.stderr);
    assert.match(human.stdout, /o3 \(teledyne-t400@1\): answered in \d+ ms/);
    assert.match(human.stdout, /state: span/);
    assert.match(human.stdout, /^o3\s+a05024\s+55\.5 ppb\s+C\s+425e0000/m);

    sim.analyzer("o3").dead();
    r = await cli("probe", "o3", "--config", file, "--json");
    assert.equal(r.status, 1);
    p = JSON.parse(r.stdout);
    assert.deepEqual([p.ok, p.state, p.states, p.channels[0].flag, p.channels[0].value], [false, "no-answer", [], "B", null]);
    assert.match(p.error, /timeout|timed out|no answer/i);
  } finally {
    await sim.stop();
    cleanup();
  }
});

test("probe: an unknown analyzer lists the known ones (exit 2); a serial line the service holds is refused (exit 3)", { timeout: 60_000 }, async () => {
  const { dir, cleanup } = tempDir();
  const { sim, file } = await station(dir);
  const control = new ControlServer(controlSocketPath(join(dir, "station.db")), (cmd) => (cmd === "ping" ? "pong" : null));
  try {
    const r = await cli("probe", "nox", "--config", file, "--json");
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown analyzer "nox" \(known: o3, cod, th\)/);
    await control.start();
    const busy = await cli("probe", "th", "--config", file, "--json");
    assert.equal(busy.status, 3);
    assert.match(busy.stderr, /the running service holds the serial line of bus line/);
    // A Modbus TCP device takes a second connection: probed even while the service runs.
    const tcp = await cli("probe", "o3", "--config", file, "--json");
    assert.equal(tcp.status, 0, tcp.stderr);
  } finally {
    await control.stop();
    await sim.stop();
    cleanup();
  }
});
