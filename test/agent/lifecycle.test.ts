// The agent's life cycle as the composition root runs it (agent/main.ts): features start in list
// order and stop in reverse. What that must guarantee at stop: the pollers stop first, the
// readings still queued are committed, and only then does the audit trail write its stop entry
// (whose reading-chain head covers them) before the database closes. A simulator serves the
// analyzer; nothing is mocked.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Agent } from "../../agent/main.js";
import { silentLogger } from "../../agent/log.js";
import { AuditLog } from "../../agent/audit/log.js";
import { openDb } from "../../agent/store/db.js";
import { ReadingStore } from "../../agent/store/readings.js";
import { startSimulation } from "../../drivers/simulate.js";
import { demoLikeConfig, freePort, tempDir, waitFor } from "../helpers/station.js";

test("an agent stopped before it started has nothing to undo", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const agent = new Agent(demoLikeConfig({ dir, simPort: await freePort(), platformPort: await freePort() }), { log: silentLogger, control: false });
    await agent.stop();
  } finally {
    cleanup();
  }
});

test("stop: readings still queued are committed before the audit trail's stop entry, which names their chain head", { timeout: 30_000 }, async () => {
  const { dir, cleanup } = tempDir();
  const loaded = demoLikeConfig({ dir, simPort: await freePort(), platformPort: await freePort(), interval_s: 0.2 });
  loaded.config.storage.batch_ms = 60_000; // nothing is committed while running: only stop's flush commits
  const sim = await startSimulation(loaded.config, { seed: 3 });
  const agent = new Agent(loaded, { log: silentLogger, control: false });
  let polls = 0;
  try {
    await agent.start();
    await waitFor(() => (polls = agent.pollers.reduce((n, p) => n + Object.values(p.stats()).reduce((m, s) => m + s.polls, 0), 0)) >= 3, 10_000, "three polls");
    assert.equal(agent.readings.count(), 0, "still queued while the batch collects");
    await agent.stop();
  } finally {
    await sim.stop();
  }
  const db = openDb(loaded.config.storage.path);
  try {
    const readings = new ReadingStore(db);
    assert.ok(readings.count() >= polls, `${readings.count()} readings committed at stop, from ${polls} polls`);
    const entries = new AuditLog(db).list();
    const last = entries[entries.length - 1];
    assert.equal(last.action, "software.stop");
    const head = db.prepare("SELECT id, hash, last_id AS lastId FROM reading_chain ORDER BY id DESC LIMIT 1").get() as { id: number; hash: string; lastId: number };
    assert.deepEqual(last.details.readingChainHead, { id: head.id, hash: head.hash }, "the stop entry names the chain's head");
    assert.equal(head.lastId, readings.maxId(), "and that link covers the last reading committed");
    assert.equal(entries[0].action, "software.start");
  } finally {
    db.close();
    cleanup();
  }
});
