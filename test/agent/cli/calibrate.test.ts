// `station-agent calibrate` through a running agent (control socket) and directly on the bus when no
// service runs; `station-agent alarms` sees the failed check's alarm; a bad cron expression is a
// config error that says what is wrong.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Agent } from "../../../agent/main.js";
import { silentLogger } from "../../../agent/log.js";
import { openDb } from "../../../agent/store/db.js";
import { CalibrationStore } from "../../../agent/calibration/store.js";
import { loadConfig } from "../../../config/load.js";
import { startSimulation } from "../../../drivers/simulate.js";
import { freePort, MN, tempDir, waitFor } from "../../helpers/station.js";

const BIN = join(import.meta.dirname, "../../../bin/station-agent.js");
const cli = (...args: string[]) =>
  new Promise<{ status: number; stdout: string; stderr: string }>((resolve) =>
    execFile(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, STATION_AGENT_FROM_SOURCE: "1" } }, (err, stdout, stderr) =>
      resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );

const yaml = (port: number, schedule = "0 3 * * *") => `
station: { name: Cal CLI test, mn: "${MN}" }
storage: { path: station.db, batch_ms: 10 }
buses: [{ id: sim, type: tcp, host: 127.0.0.1, port: ${port}, timeout_ms: 300 }]
analyzers:
  - id: o3
    driver: teledyne-t400
    bus: sim
    interval_s: 0.2
    calibration:
      zero: { schedule: "${schedule}", limit: 5 }
      span: { schedule: "0 4 * * 1", concentration: 400 }
`;

test("calibrate through the service, then directly on the bus; alarms lists the failure", { timeout: 120_000 }, async () => {
  const { dir, cleanup } = tempDir();
  const file = join(dir, "station.yaml");
  writeFileSync(file, yaml(await freePort()));
  const loaded = loadConfig(file);
  const sim = await startSimulation(loaded.config, { seed: 2 });
  const o3 = sim.analyzer("o3");
  o3.set("o3", 2);
  const c = ["--config", file, "--stabilise-s", "1", "--purge-s", "1"];
  const agent = new Agent(loaded, { log: silentLogger });
  try {
    await agent.start();
    await waitFor(() => agent.readings.count() > 10, 8000, "readings");
    const r = await cli("calibrate", "o3", "zero", "--json", ...c);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out).sort(), ["analyzer", "drift", "ended", "error", "kind", "limit", "pass", "reading", "reference", "started", "unit", "via"]);
    assert.equal(out.via, "service");
    assert.equal(out.pass, true);
    assert.equal(out.reading, 2);
    assert.equal(out.reference, 0);
    assert.equal(out.limit, 5);
    assert.equal(out.unit, "ppb");
    assert.ok(out.ended - out.started >= 1000 && out.ended - out.started < 10_000, "the --stabilise-s override was used");

    const unknown = await cli("calibrate", "o3", "sideways", ...c);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown check "sideways"/);
  } finally {
    await agent.stop();
  }
  try {
    // No service: the CLI drives the bus itself, and says so.
    const before = o3.writes().length;
    const pass = await cli("calibrate", "o3", "zero", ...c);
    assert.equal(pass.status, 0, pass.stderr);
    assert.match(pass.stdout, /service NOT running/);
    assert.match(pass.stdout, /zero check of o3 \(o3\): PASS/);
    assert.match(pass.stdout, /drift {6}2 ppb \(limit ±5 ppb\)/);
    assert.deepEqual(o3.writes().slice(before).map((w) => [w.address, w.values]), [[20, [true]], [20, [false]]]);

    o3.set("o3", 600);
    const fail = await cli("calibrate", "o3", "span", "--json", ...c);
    assert.equal(fail.status, 1, "a failed check exits 1");
    const f = JSON.parse(fail.stdout);
    assert.equal(f.via, "bus");
    assert.equal(f.pass, false);
    assert.equal(f.drift, 0.5);
    assert.equal(f.limit, 0.1);
    assert.deepEqual(o3.writes().slice(-2).map((w) => [w.address, w.values]), [[22, [true]], [22, [false]]], "the span coil");

    const db = openDb(join(dir, "station.db"), { readonly: true });
    const rows = new CalibrationStore(db).list();
    db.close();
    assert.deepEqual(rows.map((x) => [x.kind, x.pass, x.trigger]), [["span", false, "cli"], ["zero", true, "cli"], ["zero", true, "cli"]]);

    const alarms = await cli("alarms", "--json", "--config", file);
    assert.equal(alarms.status, 0, alarms.stderr);
    const a = JSON.parse(alarms.stdout);
    assert.equal(a.via, "database");
    assert.deepEqual(a.alarms.map((x: { kind: string; subject: string }) => [x.kind, x.subject]), [["calibration-failed", "o3/span"]]);
    const text = await cli("alarms", "--all", "--config", file);
    assert.match(text.stdout, /calibration-failed\s+o3\/span/);
  } finally {
    await sim.stop();
    cleanup();
  }
});

test("a bad cron expression is a config error naming the key and the problem", () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, "station.yaml");
    writeFileSync(file, yaml(1502, "0 25 * * *"));
    assert.throws(
      () => loadConfig(file),
      (e: Error & { errors?: Array<{ path: string; message: string }> }) => {
        assert.match(e.message, /calibration\.zero\.schedule/);
        assert.match(e.message, /expected a cron expression of 5 fields "minute hour day-of-month month day-of-week"/);
        assert.match(e.message, /25 is a invalid expression for hour\), got "0 25 \* \* \*"/);
        return true;
      },
    );
  } finally {
    cleanup();
  }
});
