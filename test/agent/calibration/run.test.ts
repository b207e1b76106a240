// A calibration run against the simulator inside a running agent: the zero coil goes ON and OFF on
// the wire, the instrument passes through its zero state, every reading of the window (and a late
// one) is flagged C, the calibrations row and the audit entries say what happened; a failed check
// raises an alarm, two in a row put the analyzer in maintenance, a pass clears the alarm; 3011 too.
import { test } from "node:test";
import { verifySealed } from "../../../agent/audit/seal-verify.js";
import assert from "node:assert/strict";
import { Agent } from "../../../agent/main.js";
import { silentLogger } from "../../../agent/log.js";
import { CalibrationStore } from "../../../agent/calibration/store.js";
import type { Reading } from "../../../agent/types.js";
import { startSimulation } from "../../../drivers/simulate.js";
import { freePort, loadedConfig, MN, tempDir, waitFor } from "../../helpers/station.js";
import { join } from "node:path";

const CAL = {
  // The mean of the last half second: a poll answered just before the check may still carry the old value.
  zero: { stabilise_s: 1, purge_s: 1, limit: 5, average_s: 0.5 },
  span: { concentration: 400, stabilise_s: 1, purge_s: 1, limit: 0.1 },
  maintenance_after_failures: 2,
};

test("zero checks on a simulated T400: writes, C window, row, audit, alarm, maintenance, 3011", { timeout: 60_000 }, async () => {
  const { dir, cleanup } = tempDir();
  const loaded = loadedConfig(
    {
      station: { name: "Cal test", mn: MN },
      storage: { path: join(dir, "station.db"), batch_ms: 20 },
      buses: [{ id: "sim", type: "tcp", host: "127.0.0.1", port: await freePort(), timeout_ms: 300 }],
      analyzers: [{ id: "o3", driver: "teledyne-t400", bus: "sim", slave: 1, interval_s: 0.2, calibration: CAL }],
    },
    dir,
  );
  const sim = await startSimulation(loaded.config, { seed: 1 });
  const o3 = sim.analyzer("o3");
  o3.set("o3", 2);
  const agent = new Agent(loaded, { log: silentLogger, control: false });
  try {
    await agent.start();
    await waitFor(() => agent.readings.count() > 20, 8000, "readings");
    const cal = agent.calibration!;

    // A pass: reading 2 ppb on zero gas, limit 5.
    const r = await cal.run("o3", "zero", { trigger: "cli", actor: "tester" });
    assert.equal(r.error, null);
    assert.equal(r.pass, true);
    assert.equal(r.reading, 2);
    assert.equal(r.drift, 2);
    assert.equal(r.unit, "ppb");
    assert.deepEqual(
      o3.writes().map((w) => [w.fc, w.address, w.values]),
      [[5, 20, [true]], [5, 20, [false]]],
      "the zero coil went ON, then OFF",
    );
    const row = new CalibrationStore(agent.readings.database).get(r.id)!;
    assert.equal(row.pass, true);
    assert.equal(row.trigger, "cli");
    assert.equal(row.actor, "tester");
    assert.equal(row.reading, 2);
    assert.equal(row.ended, r.ended);

    // A late reading inside the window arrives after it ended: flagged C too.
    const ingest = (agent as unknown as { ingest(r: Reading[]): void }).ingest.bind(agent);
    const late: Reading = { ts: r.started + 300, analyzer: "o3", channel: "o3", code: "a05024", value: 1.5, unit: "ppb", flag: "N", state: "ok", raw: null, source: "teledyne-t400@1" };
    ingest([late]);
    await waitFor(() => Date.now() > r.flaggedUntil + 800, 5000, "the purge to end");
    const stored = agent.qc.store.withEffectiveFlags(agent.readings.between(r.started - 2000, Date.now()).filter((x) => x.channel === "o3"));
    const inside = stored.filter((x) => x.ts >= r.started && x.ts < r.flaggedUntil);
    const before = stored.filter((x) => x.ts < r.started);
    const after = stored.filter((x) => x.ts >= r.flaggedUntil + 300);
    assert.ok(inside.length > 5 && before.length > 0 && after.length > 0, `${inside.length} inside, ${before.length} before, ${after.length} after`);
    assert.deepEqual([...new Set(inside.map((x) => x.flag))], ["C"], "every reading of the window is C");
    assert.ok(inside.some((x) => x.value === 1.5), "the late reading is among them");
    assert.ok(inside.some((x) => x.state === "zero"), "the instrument reported its zero state");
    assert.ok(before.every((x) => x.flag === "N") && after.every((x) => x.flag === "N"), "outside the window: N");
    const audit = agent.audit.list().filter((e) => e.action.startsWith("calibration."));
    assert.deepEqual(audit.map((e) => e.action), ["calibration.start", "calibration.result"]);
    assert.equal(audit[1].details.pass, true);
    assert.equal(audit[1].details.drift, 2);

    // Two failures: an alarm, counted, and maintenance after the second.
    o3.set("o3", 9);
    const f1 = await cal.run("o3", "zero", { trigger: "cli", actor: "tester" });
    assert.equal(f1.pass, false);
    assert.equal(f1.drift, 9);
    const open = agent.alarmLog.list();
    assert.equal(open.length, 1);
    assert.equal(open[0].kind, "calibration-failed");
    assert.equal(open[0].subject, "o3/zero");
    assert.equal(f1.maintenance, false);
    const f2 = await cal.run("o3", "zero", { trigger: "schedule", actor: "agent" });
    assert.equal(f2.pass, false);
    assert.equal(f2.maintenance, true);
    assert.equal(agent.alarmLog.list()[0].count, 2, "one alarm, seen twice");
    const m = agent.qc.store.windows({ kind: "maintenance", open: true });
    assert.equal(m.length, 1);
    assert.equal(m[0].analyzer, "o3");
    assert.ok(agent.audit.list().some((e) => e.action === "maintenance.on" && e.actor === "agent"));
    assert.ok(agent.audit.list().some((e) => e.action === "alarm.raise"));

    // A busy analyzer refuses a second check; a pass by the platform (3011) clears the alarm.
    o3.set("o3", 0.5);
    const running = cal.forPlatform("a05024", "zero", "city");
    await assert.rejects(async () => cal.run("o3", "zero", { trigger: "cli", actor: "tester" }), (e: { busy?: boolean }) => e.busy === true);
    assert.equal(await running, 1, "ExeRtn 1");
    assert.equal(agent.alarmLog.list().length, 0, "the alarm is cleared");
    const last = new CalibrationStore(agent.readings.database).list({ analyzer: "o3", limit: 1 })[0];
    assert.equal(last.trigger, "platform");
    assert.equal(last.actor, "platform:city");
    assert.equal(await cal.forPlatform("nope", "zero"), 3, "unknown PolId: condition error");
    // Checks, their C windows and the maintenance they caused are each recorded in the audit
    // trail's ledger: `audit verify` finds every protected row as its last entry left it.
    const v = verifySealed(agent.readings.database, { keys: [], keyFile: null });
    assert.deepEqual(v.problems, [], JSON.stringify(v.problems));
  } finally {
    await agent.stop();
    await sim.stop();
    cleanup();
  }
});

test("a water analyzer's zero check: control register opcode 3, its own result register, the end command", { timeout: 60_000 }, async () => {
  const { dir, cleanup } = tempDir();
  const loaded = loadedConfig(
    {
      station: { name: "Water cal test", mn: MN },
      storage: { path: join(dir, "station.db"), batch_ms: 20 },
      buses: [{ id: "sim", type: "tcp", host: "127.0.0.1", port: await freePort(), timeout_ms: 300 }],
      analyzers: [
        { id: "cod", driver: "water-dbs", bus: "sim", slave: 2, interval_s: 0.2, options: { factor: "cod" }, calibration: { zero: { stabilise_s: 10, purge_s: 0, limit: 0.5, end_command: "stop" } } },
      ],
      aggregation: { preset: "surface-water" },
    },
    dir,
  );
  const sim = await startSimulation(loaded.config, { seed: 1 });
  const device = sim.bus("sim").device(2);
  const agent = new Agent(loaded, { log: silentLogger, control: false });
  try {
    await agent.start();
    await waitFor(() => agent.readings.count() > 10, 8000, "readings");
    const running = agent.calibration!.run("cod", "zero", { trigger: "cli", actor: "tester" });
    // The instrument takes its time, then reports the check with a new sample time.
    await waitFor(() => device.activeStates().has("zero-check"), 3000, "the zero-check state");
    await new Promise((r) => setTimeout(r, 500));
    device.set("zero_check", 0.2);
    device.setSampleTime("zero_check", Date.now());
    const r = await running;
    assert.equal(r.error, null);
    assert.equal(r.channel, "zero_check");
    assert.equal(r.unit, "mg/L");
    assert.equal(Math.round(r.reading! * 1000) / 1000, 0.2);
    assert.equal(r.pass, true);
    assert.ok(r.ended - r.started < 8000, "it ended when the result came, not after the whole stabilise_s");
    assert.deepEqual(device.writes().map((w) => [w.fc, w.address, w.values]), [[6, 0x1200, [3]], [6, 0x1200, [11]]], "zero check, then stop");
  } finally {
    await agent.stop();
    await sim.stop();
    cleanup();
  }
});
