// A database held locked by another process while the agent runs (a technician's sqlite3 shell
// with an open write transaction): polling goes on, readings wait in memory, and all of them are
// stored once the lock is gone.
import { test } from "node:test";
import assert from "node:assert/strict";
import Database from "better-sqlite3";
import { Agent } from "../../../agent/main.js";
import { silentLogger } from "../../../agent/log.js";
import { startSimulation } from "../../../drivers/simulate.js";
import { demoLikeConfig, freePort, tempDir, waitFor } from "../../helpers/station.js";

test("a write lock held by another process stalls nothing and loses nothing", { timeout: 60_000 }, async () => {
  const { dir, cleanup } = tempDir();
  const loaded = demoLikeConfig({ dir, simPort: await freePort(), platformPort: await freePort(), interval_s: 0.2 });
  const sim = await startSimulation(loaded.config, { seed: 9 });
  const agent = new Agent(loaded, { log: silentLogger, control: false });
  try {
    await agent.start();
    await waitFor(() => agent.readings.count() > 0, 5000, "first readings");
    const polls = () => Object.values(agent.pollers[0].stats())[0].polls;
    const other = new Database(loaded.config.storage.path);
    other.exec("BEGIN IMMEDIATE"); // the write lock
    const before = polls();
    const lockedAt = Date.now();
    await new Promise((r) => setTimeout(r, 3000));
    const duringLock = polls() - before;
    other.exec("ROLLBACK");
    other.close();
    // Polled every 0.2 s: about 15 polls in 3 s; allow for a loaded machine, but not a stall.
    assert.ok(duringLock >= 8, `only ${duringLock} polls while the database was locked`);
    const expected = duringLock * 11; // the T400 driver's channels per poll
    await waitFor(() => agent.readings.between(lockedAt, lockedAt + 3000).length >= expected * 0.9, 10_000, "the readings polled during the lock stored");
  } finally {
    await agent.stop();
    await sim.stop();
    cleanup();
  }
});
