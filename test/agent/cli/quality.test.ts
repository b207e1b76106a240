// maintenance, flag, trace and audit through a running agent (control socket) and directly on
// the database when none runs; audit verify before and after tampering.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { Agent } from "../../../agent/main.js";
import { silentLogger } from "../../../agent/log.js";
import { openDb } from "../../../agent/store/db.js";
import { configSchema } from "../../../config/schema.js";
import { startSimulation } from "../../../drivers/simulate.js";
import { formatLocal } from "../../../agent/time.js";
import { freePort, MN, tempDir, waitFor } from "../../helpers/station.js";

const BIN = join(import.meta.dirname, "../../../bin/station-agent.js");
const cli = (...args: string[]) =>
  new Promise<{ status: number; stdout: string; stderr: string }>((resolve) =>
    execFile(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, STATION_AGENT_FROM_SOURCE: "1" } }, (err, stdout, stderr) =>
      resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );

test("maintenance flags readings M, manual flags are audited, trace and audit verify see it all", { timeout: 90_000 }, async () => {
  const { dir, cleanup } = tempDir();
  const yaml = `
station: { name: QC test, mn: "${MN}" }
storage: { path: station.db, batch_ms: 10 }
buses: [{ id: sim, type: tcp, host: 127.0.0.1, port: ${await freePort()} }]
analyzers: [{ id: o3, driver: teledyne-t400, bus: sim, slave: 1, interval_s: 0.2 }]
`;
  const file = join(dir, "station.yaml");
  writeFileSync(file, yaml);
  const config = configSchema.parse(parseYaml(yaml));
  config.storage.path = join(dir, "station.db");
  const sim = await startSimulation(config, { seed: 3 });
  sim.analyzer("o3").set("o3", 42.25);
  const agent = new Agent({ config, file, dir }, { log: silentLogger });
  const c = ["--config", file];
  try {
    await agent.start();
    await waitFor(() => agent.readings.count() > 2, 8000, "readings");

    const noReason = await cli("maintenance", "on", "o3", ...c);
    assert.equal(noReason.status, 2, "a reason is required");
    assert.match(noReason.stderr, /reason is required/);

    const on = await cli("maintenance", "on", "o3", "--reason", "filter change", "--json", ...c);
    assert.equal(on.status, 0, on.stderr);
    assert.equal(JSON.parse(on.stdout).via, "service");
    const onAt = Date.now();
    await waitFor(() => agent.qc.store.withEffectiveFlags(agent.readings.latest()).some((r) => r.channel === "o3" && r.flag === "M" && r.ts > onAt), 8000, "an M reading");
    assert.equal(agent.readings.latest().find((r) => r.channel === "o3")!.flag, "N", "the raw reading is unchanged");
    const off = await cli("maintenance", "off", "o3", "--reason", "filter changed", ...c);
    assert.equal(off.status, 0, off.stderr);

    const minute = Math.floor((Date.now() - 60_000) / 60_000) * 60_000;
    const from = formatLocal(minute, "Asia/Shanghai").slice(0, 16);
    const to = formatLocal(minute + 120_000, "Asia/Shanghai").slice(0, 16);
    const flagged = await cli("flag", "o3", "o3", "--from", from, "--to", to, "--flag", "S", "--reason", "sampling line leak", "--json", ...c);
    assert.equal(flagged.status, 0, flagged.stderr);
    assert.equal(JSON.parse(flagged.stdout).via, "service");
  } finally {
    await agent.stop();
    await sim.stop();
  }
  try {
    // No service: a manual flag goes straight to the database, saying so.
    const t0 = formatLocal(Date.now() - 3600_000, "Asia/Shanghai").slice(0, 16);
    const t1 = formatLocal(Date.now() + 60_000, "Asia/Shanghai").slice(0, 16);
    const direct = await cli("flag", "o3", "*", "--from", t0, "--to", t1, "--flag", "D", "--reason", "analyzer found faulty", ...c);
    assert.equal(direct.status, 0, direct.stderr);
    assert.match(direct.stdout, /service NOT running/);

    const list = JSON.parse((await cli("audit", "list", "--json", ...c)).stdout) as { action: string; actor: string; reason: string | null }[];
    assert.deepEqual(list.map((e) => e.action), ["software.start", "maintenance.on", "maintenance.off", "flag.manual", "software.stop", "flag.manual"]);
    assert.equal(list[1].reason, "filter change");
    assert.ok(list[1].actor.length > 0);

    // Consistent chains, but no verification key: it cannot rule out a rewrite (exit 2, not 0).
    const ok = await cli("audit", "verify", "--json", ...c);
    assert.equal(ok.status, 2, ok.stdout);
    assert.equal(JSON.parse(ok.stdout).ok, true);
    assert.equal(JSON.parse(ok.stdout).status, "unchecked");

    // Trace a stored minute of a05024: its readings carry raw words, driver version and QC flags.
    const db = openDb(config.storage.path);
    // (The test is shorter than a minute: its minute may not be closed, the readings are there all the same.)
    const first = db.prepare("SELECT MIN(ts) AS t FROM readings WHERE code = 'a05024'").get() as { t: number };
    const tr = await cli("trace", "a05024", formatLocal(first.t, "Asia/Shanghai").slice(0, 16), "--period", "minute", "--json", ...c);
    assert.equal(tr.status, 0, tr.stderr);
    const t = JSON.parse(tr.stdout);
    assert.equal(t.periodS, 60);
    assert.ok(t.readings.length > 0);
    assert.equal(t.readings[0].raw, "42290000", "float32 42.25, ABCD");
    assert.equal(t.readings[0].source, "teledyne-t400@1");
    assert.ok(t.readings.every((r: { qc: { rule: string }[] }) => r.qc.some((q) => q.rule.startsWith("manual#"))), "the direct flag covered every reading");

    // Tamper with a stored reading and with an audit entry, as someone with sqlite3 would.
    db.exec("UPDATE readings SET value = 10 WHERE id = 3");
    const bad = await cli("audit", "verify", "--json", ...c);
    assert.equal(bad.status, 1);
    assert.equal(JSON.parse(bad.stdout).readings.ok, false);
    db.exec("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET reason = 'routine' WHERE id = 2");
    db.close();
    const v = JSON.parse((await cli("audit", "verify", "--json", ...c)).stdout);
    assert.deepEqual([v.audit.ok, v.audit.brokenAt], [false, 2]);
  } finally {
    cleanup();
  }
});
