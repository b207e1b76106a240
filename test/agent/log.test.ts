import { test } from "node:test";
import assert from "node:assert/strict";
import { createLogger } from "../../agent/log.js";
import { Agent } from "../../agent/main.js";
import { PlatformReceiver } from "../../agent/uplink/receiver.js";
import { hj212Platforms } from "../../config/schema.js";
import { startSimulation } from "../../drivers/simulate.js";
import { demoLikeConfig, freePort, tempDir, waitFor } from "../helpers/station.js";

test("plain and JSON lines, level filter, secret fields masked", () => {
  const lines: string[] = [];
  const plain = createLogger({ level: "info", write: (l) => lines.push(l) }, "uplink");
  plain.debug("not shown");
  plain.info("connected", { host: "10.0.0.2", pw: "123456" });
  assert.equal(lines.length, 1);
  assert.match(lines[0], /info  \[uplink\] connected host=10\.0\.0\.2 pw=\*\*\*\*\*\*$/);
  const json = createLogger({ level: "debug", format: "json", write: (l) => lines.push(l) }).child("bus rs485-1");
  json.warn("timeout", { slave: 3, NewPW: "abcdef" });
  const o = JSON.parse(lines[1]);
  assert.deepEqual([o.level, o.component, o.msg, o.slave, o.NewPW], ["warn", "bus rs485-1", "timeout", 3, "******"]);
});

test("a whole agent run at debug level never logs the platform password", { timeout: 30_000 }, async () => {
  const { dir, cleanup } = tempDir();
  const loaded = demoLikeConfig({ dir, simPort: await freePort(), platformPort: await freePort(), realtime_s: 1 });
  const [platform] = hj212Platforms(loaded.config);
  platform.pw = "Zq9-secret-pw";
  const lines: string[] = [];
  // The receiver expects another password, so the agent's packets go unacknowledged and retried.
  const receiver = new PlatformReceiver({ port: platform.port, pw: "other" });
  await receiver.start();
  const sim = await startSimulation(loaded.config, { seed: 4 });
  const agent = new Agent(loaded, { log: createLogger({ level: "debug", write: (l) => lines.push(l) }), control: false });
  try {
    await agent.start();
    await waitFor(() => receiver.stats.wrongPw >= 2, 10_000, "packets sent");
    await receiver.stop(); // and a disconnect, for the error paths' log lines
    await new Promise((r) => setTimeout(r, 1500));
  } finally {
    await agent.stop();
    await sim.stop();
    cleanup();
  }
  assert.ok(lines.length > 3, "something was logged");
  assert.ok(!lines.some((l) => l.includes("Zq9-secret-pw")), "the password appears in the log");
});
