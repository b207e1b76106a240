// Run-time day data (2041): each analyzer's hours in operation per day, sent as its day closes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { Agent } from "../../../agent/main.js";
import { silentLogger } from "../../../agent/log.js";
import { periodStartOf } from "../../../agent/aggregate/periods.js";
import { openDb } from "../../../agent/store/db.js";
import { ReadingStore } from "../../../agent/store/readings.js";
import { runtimeCp } from "../../../agent/uplink/packets.js";
import { PlatformReceiver } from "../../../agent/uplink/receiver.js";
import { freePort, loadedConfig, MN, tempDir, waitFor } from "../../helpers/station.js";

test("runtimeCp: hours per equipment code", () => {
  const cp = runtimeCp(new Map([["o3", 720], ["pm", 1425]]), Date.UTC(2026, 10, 22, 16), "Asia/Shanghai", (a) => (a === "o3" ? "SB1" : a));
  assert.equal(cp, "DataTime=20261123000000;SB1-RT=12;pm-RT=23.75");
  assert.equal(runtimeCp(new Map(), 0, "Asia/Shanghai", (a) => a), null);
});

test("a closed day sends 2041 with the hours each analyzer answered (B and F minutes left out)", { timeout: 30_000 }, async () => {
  const { dir, cleanup } = tempDir();
  const port = await freePort();
  const loaded = loadedConfig(
    {
      station: { name: "t", mn: MN },
      storage: { path: join(dir, "station.db"), batch_ms: 20 },
      log: { level: "error" },
      buses: [{ id: "b", type: "tcp", host: "127.0.0.1", port: await freePort() }],
      analyzers: [{ id: "o3", driver: "teledyne-t400", bus: "b", enabled: false, options: { equipment: "SB1" } }],
      platforms: [{ id: "city", host: "127.0.0.1", port, st: 22, pw: "123456", uploads: ["day", "runtime"], reconnect_max_s: 1 }],
    },
    dir,
  );
  const day = periodStartOf(Date.now(), 86400, "Asia/Shanghai") - 86_400_000; // yesterday, station time
  const db = openDb(loaded.config.storage.path);
  const base = { analyzer: "o3", channel: "o3", code: "a05024", unit: "ppb", state: "ok", raw: null, source: "t@1" };
  new ReadingStore(db).insert([
    ...Array.from({ length: 12 * 60 }, (_, i) => ({ ...base, ts: day + i * 60_000, value: 40, flag: "N" as const })),
    ...Array.from({ length: 120 }, (_, i) => ({ ...base, ts: day + (13 * 60 + i) * 60_000, value: null, flag: "B" as const, state: "no-answer" })),
  ]);
  db.close();
  const receiver = new PlatformReceiver({ port, pw: "123456", keep: true });
  await receiver.start();
  const agent = new Agent(loaded, { log: silentLogger, control: false });
  try {
    await agent.start();
    await waitFor(() => receiver.received.some((p) => p.frame.header.cn === "2041"), 10_000, "a 2041 packet");
    const p = receiver.received.find((x) => x.frame.header.cn === "2041")!;
    assert.equal(p.fields["SB1-RT"], "12");
    assert.ok(receiver.received.some((x) => x.frame.header.cn === "2031"), "the day values too");
  } finally {
    await agent.stop();
    await receiver.stop();
    cleanup();
  }
});
