// `read` / `write` / `scan` by hand, as a technician runs them: a spawned CLI against simulators
// speaking Modbus TCP on loopback and RTU on a pty pair, and the service's bus ownership respected.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { Agent } from "../../../agent/main.js";
import { silentLogger } from "../../../agent/log.js";
import { configSchema } from "../../../config/schema.js";
import { startSimulation } from "../../../drivers/simulate.js";
import { freePort, MN, tempDir, waitFor } from "../../helpers/station.js";
import { openPtyPair, socatMissing } from "../../helpers/pty.js";

const BIN = join(import.meta.dirname, "../../../bin/station-agent.js");
const cli = (...args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, STATION_AGENT_FROM_SOURCE: "1" } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );

test("read, write and scan over Modbus TCP", { timeout: 60_000 }, async () => {
  const port = await freePort();
  const config = configSchema.parse({
    station: { name: "t", mn: MN },
    storage: { path: "/tmp/unused.db" },
    buses: [{ id: "lan", type: "tcp", host: "127.0.0.1", port }],
    analyzers: [
      { id: "o3", driver: "teledyne-t400", bus: "lan", slave: 1 },
      { id: "o3b", driver: "teledyne-t400", bus: "lan", slave: 3 },
    ],
  });
  const sim = await startSimulation(config, { seed: 1 });
  try {
    sim.analyzer("o3").set("o3", 61.5);
    const r = await cli("read", "--host", "127.0.0.1", "--tcp-port", String(port), "-s", "1", "--fc", "4", "-a", "18", "-t", "float32", "--json");
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(j.values, [61.5]);
    assert.equal(j.hex, "4276 0000");
    assert.ok(j.ms >= 0);

    const human = await cli("read", "--host", "127.0.0.1", "--tcp-port", String(port), "-s", "1", "--fc", "4", "-a", "0x12", "-t", "float32");
    assert.match(human.stdout, /raw: 4276 0000\nfloat32 ABCD: 61\.5/);

    const w = await cli("write", "--host", "127.0.0.1", "--tcp-port", String(port), "-s", "1", "--fc", "5", "-a", "20", "-v", "on");
    assert.equal(w.code, 0, w.stderr);
    assert.ok(sim.analyzer("o3").writes().some((x) => x.fc === 5 && x.address === 20), "the coil write reached the instrument");

    const s = await cli("scan", "--host", "127.0.0.1", "--tcp-port", String(port), "--from", "1", "--to", "4", "--timeout", "200", "--fc", "4", "--json");
    assert.equal(s.code, 0, s.stderr);
    assert.deepEqual(JSON.parse(s.stdout).map((f: { slave: number }) => f.slave), [1, 3]);
    assert.match(s.stderr, /scanning: 100% \(4\/4\) 2 found/);

    const bad = await cli("read", "--host", "127.0.0.1", "-s", "1", "-a", "zz");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--address: expected an integer/);
    const nowhere = await cli("read", "-s", "1", "-a", "0");
    assert.equal(nowhere.code, 2);
    assert.match(nowhere.stderr, /say where/);
  } finally {
    await sim.stop();
  }
});

test("a serial bus the running service polls is refused, and shared with --force", { timeout: 60_000, skip: process.env.CI === "true" ? false : (socatMissing() ?? false) }, async () => {
  const pty = await openPtyPair();
  const { dir, cleanup } = tempDir();
  const yaml = `
station: { name: t, mn: "${MN}" }
storage: { path: station.db }
buses: [{ id: rs485-1, type: rtu, path: ${pty.b}, baud: 9600, timeout_ms: 300 }]
analyzers: [{ id: o3, driver: teledyne-t400, bus: rs485-1, slave: 1, interval_s: 0.5 }]
`;
  const file = join(dir, "station.yaml");
  writeFileSync(file, yaml);
  const config = configSchema.parse(parseYaml(yaml));
  config.storage.path = join(dir, "station.db");
  const simConfig = { ...config, buses: [{ ...config.buses[0], path: pty.a }] };
  const sim = await startSimulation(simConfig as typeof config, { seed: 2 });
  const agent = new Agent({ config, file, dir }, { log: silentLogger });
  try {
    await agent.start();
    await waitFor(() => agent.readings.count() > 0, 5000, "the service polling");
    sim.analyzer("o3").set("o3", 12.5);
    const refused = await cli("read", "--config", file, "--bus", "rs485-1", "-s", "1", "--fc", "4", "-a", "18", "-t", "float32");
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /the running service polls bus rs485-1.*--force/);

    const forced = await cli("read", "--config", file, "--bus", "rs485-1", "-s", "1", "--fc", "4", "-a", "18", "-t", "float32", "--force", "--json");
    assert.equal(forced.code, 0, forced.stderr);
    assert.deepEqual(JSON.parse(forced.stdout).values, [12.5]);
    // The poller was resumed afterwards.
    const n = agent.readings.count();
    await waitFor(() => agent.readings.count() > n, 5000, "polling again after the manual read");
    // The pause and the resume are interventions: audited with the OS user the kernel vouches for.
    const acts = agent.audit.list().filter((e) => e.action.startsWith("bus."));
    assert.deepEqual(acts.map((e) => e.action), ["bus.pause", "bus.resume"]);
    assert.equal(acts[0].actor, (await import("node:os")).userInfo().username);
  } finally {
    await agent.stop();
    await sim.stop();
    await pty.close();
    cleanup();
  }
});
