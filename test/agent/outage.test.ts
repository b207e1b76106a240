// Store-and-forward across a platform outage, with the agent SIGKILLed and restarted during it:
// every minute record stored during the outage arrives, in order, exactly once acknowledged.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { openDb } from "../../agent/store/db.js";
import { ReadingStore } from "../../agent/store/readings.js";
import { PlatformReceiver } from "../../agent/uplink/receiver.js";
import { startSimulation } from "../../drivers/simulate.js";
import { configSchema } from "../../config/schema.js";
import { parse as parseYaml } from "yaml";
import { freePort, MN, tempDir, waitFor } from "../helpers/station.js";

const BIN = join(import.meta.dirname, "../../bin/station-agent.js");

function startAgent(configFile: string): ChildProcess {
  const child = spawn(process.execPath, [BIN, "run", "--config", configFile], {
    env: { ...process.env, STATION_AGENT_FROM_SOURCE: "1" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  child.stderr!.setEncoding("utf8");
  let err = "";
  child.stderr!.on("data", (d: string) => (err = (err + d).slice(-4000)));
  (child as ChildProcess & { stderrTail: () => string }).stderrTail = () => err;
  return child;
}

const exited = (c: ChildProcess) => new Promise<number | null>((r) => (c.exitCode !== null || c.signalCode ? r(c.exitCode) : c.once("exit", (code) => r(code))));

function pendingMinutePackets(dbPath: string): number {
  const db = openDb(dbPath, { readonly: true });
  try {
    return (db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE cn = '2051' AND acked_at IS NULL").get() as { n: number }).n;
  } catch {
    return 0; // tables not created yet
  } finally {
    db.close();
  }
}

test("outage + SIGKILL: every minute record arrives in order, exactly once acked", { timeout: 90_000 }, async () => {
  const { dir, cleanup } = tempDir();
  const simPort = await freePort();
  const platformPort = await freePort();
  const dbPath = join(dir, "station.db");
  const yaml = `
station: { name: Outage test, mn: "${MN}" }
storage: { path: station.db, batch_ms: 20 }
log: { level: warn }
buses:
  - { id: sim, type: tcp, host: 127.0.0.1, port: ${simPort}, timeout_ms: 300 }
analyzers:
  - { id: o3, driver: teledyne-t400, bus: sim, slave: 1, interval_s: 0.5, channels: { o3: { convert: none } } }
platforms:
  - { id: city, host: 127.0.0.1, port: ${platformPort}, st: 22, pw: "123456", uploads: [realtime, minute],
      realtime_interval_s: 1, minute_interval_min: 1, ack_timeout_s: 1, reconnect_max_s: 1 }
`;
  const configFile = join(dir, "station.yaml");
  writeFileSync(configFile, yaml);
  const config = configSchema.parse(parseYaml(yaml));
  const sim = await startSimulation(config, { seed: 7 });

  // Readings stored while the platform was unreachable: the 20 minutes before now.
  const MINUTES = 20;
  const now = Date.now();
  const firstMinute = Math.floor(now / 60000) * 60000 - MINUTES * 60000;
  const db = openDb(dbPath);
  new ReadingStore(db).insert(
    Array.from({ length: MINUTES * 6 }, (_, i) => ({
      ts: firstMinute + i * 10_000, analyzer: "o3", channel: "o3", code: "a05024", value: Math.floor(i / 6) + 0.5,
      unit: "ppb", flag: "N" as const, state: "ok", raw: null, source: "teledyne-t400@1",
    })),
  );
  db.close();

  let agent = startAgent(configFile);
  const receiver = new PlatformReceiver({ port: platformPort, pw: "123456", keep: true });
  try {
    await waitFor(() => pendingMinutePackets(dbPath) >= MINUTES, 20_000, "minute packets queued during the outage");
    agent.kill("SIGKILL");
    await exited(agent);
    agent = startAgent(configFile);
    await new Promise((r) => setTimeout(r, 1500)); // polling again, platform still down
    await receiver.start();
    await waitFor(
      () => receiver.received.filter((p) => p.frame.header.cn === "2051").length >= MINUTES && pendingMinutePackets(dbPath) === 0,
      30_000,
      "the backlog delivered",
    );

    const minutes = receiver.received.filter((p) => p.frame.header.cn === "2051");
    const qnsByTime = new Map<string, Set<string>>();
    for (const p of minutes) {
      const set = qnsByTime.get(p.fields.DataTime) ?? new Set();
      set.add(p.frame.header.qn!);
      qnsByTime.set(p.fields.DataTime, set);
    }
    for (const [t, qns] of qnsByTime) assert.equal(qns.size, 1, `minute ${t} was sent under ${qns.size} QNs`);
    const order = [...qnsByTime.keys()];
    assert.deepEqual(order, [...order].sort(), "oldest first");
    // The 20 outage minutes, each with its own average (i + 0.5).
    const avgOf = new Map(minutes.map((p) => [p.fields.DataTime, p.fields["a05024-Avg"]]));
    const avgs = order.slice(0, MINUTES).map((t) => avgOf.get(t));
    assert.deepEqual(avgs, Array.from({ length: MINUTES }, (_, i) => String(i + 0.5)));
    const ro = openDb(dbPath, { readonly: true });
    const unacked = (ro.prepare("SELECT COUNT(*) AS n FROM outbox WHERE cn = '2051' AND acked_at IS NULL").get() as { n: number }).n;
    const stored = (ro.prepare("SELECT COUNT(*) AS n FROM readings WHERE ts >= ?").get(now) as { n: number }).n;
    ro.close();
    assert.equal(unacked, 0);
    assert.ok(stored > 0, "polling went on during the outage");

    agent.kill("SIGTERM");
    assert.equal(await exited(agent), 0, "graceful stop on SIGTERM");
  } catch (err) {
    throw new Error(`${(err as Error).message}\nagent stderr:\n${(agent as ChildProcess & { stderrTail: () => string }).stderrTail()}`);
  } finally {
    if (agent.exitCode === null && !agent.signalCode) agent.kill("SIGKILL");
    await receiver.stop();
    await sim.stop();
    cleanup();
  }
});
