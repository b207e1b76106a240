// End to end on loopback: simulated T400 (real Modbus TCP frames) → agent → HJ 212 receiver.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startSimulation } from "../../drivers/simulate.js";
import { Agent } from "../../agent/main.js";
import { silentLogger } from "../../agent/log.js";
import { PlatformReceiver } from "../../agent/uplink/receiver.js";
import { hj212Platforms } from "../../config/schema.js";
import { demoLikeConfig, freePort, tempDir, waitFor } from "../helpers/station.js";

test("simulator values arrive at the platform, converted as configured, with the instrument's flag", async () => {
  const { dir, cleanup } = tempDir();
  const loaded = demoLikeConfig({ dir, simPort: await freePort(), platformPort: await freePort(), interval_s: 0.3, realtime_s: 1 });
  // ppb → µg/m³ at 20 °C (an installer's per-channel conversion); the store keeps ppb.
  loaded.config.analyzers[0].channels = { o3: { code: "a05024", enabled: true, scale: 2, offset: 0.5, unit: "ug/m3" } };
  const receiver = new PlatformReceiver({ port: hj212Platforms(loaded.config)[0].port, pw: "123456", keep: true });
  await receiver.start();
  const sim = await startSimulation(loaded.config, { seed: 1 });
  const agent = new Agent(loaded, { log: silentLogger, control: false });
  try {
    sim.analyzer("o3").set("o3", 42.25);
    await agent.start();
    const rtd = () => receiver.received.filter((p) => p.frame.header.cn === "2011");
    await waitFor(() => rtd().some((p) => p.fields["a05024-Rtd"] === "85" && p.fields["a05024-Flag"] === "N"), 8000, "a realtime packet with 42.25 ppb × 2 + 0.5");

    // The stored reading is the instrument's value, with the raw words it came from (float32 ABCD).
    const stored = agent.readings.latest().find((r) => r.channel === "o3")!;
    assert.equal(stored.value, 42.25);
    assert.equal(stored.unit, "ppb");
    assert.equal(stored.flag, "N");
    const expectRaw = Buffer.alloc(4);
    expectRaw.writeFloatBE(42.25);
    assert.deepEqual(stored.raw, expectRaw);
    assert.equal(stored.source, "teledyne-t400@1");

    // The instrument goes into zero calibration: its data is flagged C upstream.
    sim.analyzer("o3").force("zero");
    await waitFor(() => rtd().some((p) => p.fields["a05024-Flag"] === "C"), 8000, "a realtime packet flagged C");

    // The instrument stops answering: readings flagged B, not silence.
    sim.analyzer("o3").force(null);
    sim.analyzer("o3").dead(true);
    await waitFor(() => agent.readings.latest().find((r) => r.channel === "o3")?.flag === "B", 8000, "a B reading");
    const b = agent.readings.latest().find((r) => r.channel === "o3")!;
    assert.equal(b.value, null);
    assert.equal(b.state, "no-answer");

    const head = receiver.received[0].frame.header;
    assert.equal(head.st, "22");
    assert.equal(head.pw, "123456");
    assert.match(head.qn!, /^\d{17}$/);
  } finally {
    await agent.stop();
    await sim.stop();
    await receiver.stop();
    cleanup();
  }
});
