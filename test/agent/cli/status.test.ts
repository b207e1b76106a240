// `status` / `backlog` through the control socket of a running agent, and from the database
// (saying so) when no agent runs.
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

const BIN = join(import.meta.dirname, "../../../bin/station-agent.js");
// Asynchronous on purpose: the agent under test runs in this process and must keep answering.
const cli = (...args: string[]) =>
  new Promise<{ status: number; stdout: string; stderr: string }>((resolve) =>
    execFile(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, STATION_AGENT_FROM_SOURCE: "1" } }, (err, stdout, stderr) =>
      resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );

test("status and backlog: live from the service, then from the database when it is down", { timeout: 60_000 }, async () => {
  const { dir, cleanup } = tempDir();
  const yaml = `
station: { name: Status test, mn: "${MN}" }
storage: { path: station.db, batch_ms: 10 }
buses: [{ id: sim, type: tcp, host: 127.0.0.1, port: ${await freePort()} }]
analyzers: [{ id: o3, driver: teledyne-t400, bus: sim, slave: 1, interval_s: 0.2 }]
platforms: [{ id: city, host: 127.0.0.1, port: ${await freePort()}, st: 22, pw: "s3cret-pw", reconnect_max_s: 1 }]
`;
  const file = join(dir, "station.yaml");
  writeFileSync(file, yaml);
  const config = configSchema.parse(parseYaml(yaml));
  config.storage.path = join(dir, "station.db");
  const sim = await startSimulation(config, { seed: 3 });
  sim.analyzer("o3").set("o3", 55.5);
  const agent = new Agent({ config, file, dir }, { log: silentLogger });
  try {
    await agent.start();
    await waitFor(() => agent.readings.count() > 0, 5000, "a stored reading");

    const live = await cli("status", "--config", file, "--json");
    assert.equal(live.status, 0, live.stderr);
    const s = JSON.parse(live.stdout);
    assert.equal(s.service.running, true);
    assert.equal(s.service.pid, process.pid);
    const o3 = s.analyzers[0].channels.find((c: { channel: string }) => c.channel === "o3");
    assert.equal(o3.value, 55.5);
    assert.equal(o3.flag, "N");
    assert.equal(s.platforms[0].connected, false, "the platform is down");
    assert.ok(s.analyzers[0].polls > 0);

    const human = await cli("status", "--config", file);
    assert.equal(human.status, 0);
    assert.match(human.stdout, /service running/);
    assert.match(human.stdout, /55\.5 ppb/);
    assert.doesNotMatch(human.stdout + human.stderr, /s3cret-pw/);
  } finally {
    await agent.stop();
    await sim.stop();
  }
  try {
    const offline = await cli("backlog", "--config", file, "--json");
    assert.equal(offline.status, 0, offline.stderr);
    const b = JSON.parse(offline.stdout);
    assert.equal(b.service.running, false);
    assert.equal(b.platforms[0].id, "city");
    const human = await cli("status", "--config", file);
    assert.match(human.stdout, /NOT running/);
    assert.match(human.stdout, /55\.5 ppb/);
  } finally {
    cleanup();
  }
});
