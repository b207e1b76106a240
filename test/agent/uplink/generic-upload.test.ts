// Issue 13 item 9 and the default conversions, on the wire: the demo config (T400, T640, th-rs485 on
// one simulator) plus a generic-modbus analyzer described in YAML. Its channel with a code reaches the
// platform like a driver's own; one without a code is stored only. The T400's O3 in ppb under a05024 is
// converted to µg/m³ at 25 °C by default (GB 3095-2012 as amended in 2018).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { startSimulation } from "../../../drivers/simulate.js";
import { Agent } from "../../../agent/main.js";
import { silentLogger } from "../../../agent/log.js";
import { PlatformReceiver } from "../../../agent/uplink/receiver.js";
import { conversionFactor } from "../../../agent/uplink/units.js";
import { freePort, loadedConfig, tempDir, waitFor } from "../../helpers/station.js";

const DEMO = new URL("../../../config/demo.yaml", import.meta.url);

test("demo + a generic-modbus analyzer: its coded channel is uploaded; the demo's O3 goes out in µg/m³", { timeout: 30_000 }, async () => {
  const { dir, cleanup } = tempDir();
  const raw = parse(readFileSync(DEMO, "utf8"));
  const [simPort, platformPort] = [await freePort(), await freePort()];
  raw.storage.path = `${dir}/station.db`;
  raw.storage.batch_ms = 20;
  raw.log = { level: "error" };
  raw.buses[0].port = simPort;
  raw.platforms[0].port = platformPort;
  raw.platforms[0].realtime_interval_s = 1;
  for (const a of raw.analyzers) a.interval_s = 0.3;
  raw.analyzers.push({
    id: "flow", driver: "generic-modbus", bus: "sim", slave: 7, interval_s: 0.3,
    registers: [
      { channel: "flow", fc: 3, address: 0, type: "float32", order: "CDAB", unit: "L/s", code: "w00000" },
      { channel: "level", fc: 3, address: 10, type: "uint16", scale: 0.01, unit: "m" },
    ],
  });
  const loaded = loadedConfig(raw, dir);
  const receiver = new PlatformReceiver({ port: platformPort, pw: "123456", keep: true });
  await receiver.start();
  const sim = await startSimulation(loaded.config, { seed: 3 });
  const agent = new Agent(loaded, { log: silentLogger, control: false });
  try {
    sim.analyzer("flow").set("flow", 12.5);
    sim.analyzer("flow").set("level", 1.23);
    sim.analyzer("o3").set("o3", 40);
    await agent.start();
    const rtd = () => receiver.received.filter((p) => p.frame.header.cn === "2011");
    await waitFor(() => rtd().some((p) => p.fields["w00000-Rtd"] === "12.5" && p.fields["w00000-Flag"] === "N"), 10_000, "w00000 in a realtime packet");
    const withFlow = rtd().find((p) => p.fields["w00000-Rtd"] !== undefined)!;
    assert.ok(!Object.keys(withFlow.fields).some((k) => k.startsWith("level") || k.startsWith("-")), "a channel without a code is not uploaded");
    assert.equal(agent.readings.latest().find((r) => r.analyzer === "flow" && r.channel === "level")?.value, 1.23, "…but it is stored");
    // 40 ppb O3 × 48 / 24.465 = 78.48 µg/m³; the store keeps ppb.
    const expected = (40 * conversionFactor("ppb-to-ug/m3@25C", "a05024").factor).toFixed(3).replace(/\.?0+$/, "");
    await waitFor(() => rtd().some((p) => p.fields["a05024-Rtd"] === expected), 10_000, `a05024-Rtd=${expected}`);
    assert.equal(agent.readings.latest().find((r) => r.channel === "o3")?.unit, "ppb");
  } finally {
    await agent.stop();
    await sim.stop();
    await receiver.stop();
    cleanup();
  }
});
