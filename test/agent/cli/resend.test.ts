// `station-agent resend` and `config show` overrides, run as a technician would: the real binary,
// first with no service (straight into the database), then beside a running agent (through it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../../config/load.js";
import { AggregateStore } from "../../../agent/aggregate/store.js";
import { silentLogger } from "../../../agent/log.js";
import { Agent } from "../../../agent/main.js";
import { openDb } from "../../../agent/store/db.js";
import { ReadingStore } from "../../../agent/store/readings.js";
import { parseHj212Time } from "../../../agent/time.js";
import { OverrideStore } from "../../../agent/uplink/overrides.js";
import { PlatformReceiver } from "../../../agent/uplink/receiver.js";
import { freePort, MN, tempDir, waitFor } from "../../helpers/station.js";

function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, ["bin/station-agent.js", ...args], { env: { ...process.env, STATION_AGENT_FROM_SOURCE: "1" } });
    let stdout = "";
    let stderr = "";
    c.stdout.on("data", (d) => (stdout += d));
    c.stderr.on("data", (d) => (stderr += d));
    c.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

const T0 = parseHj212Time("20260101080000", "Asia/Shanghai");

test("resend: queued in the database without a service, through the service with acks followed; config show lists overrides", { timeout: 50_000 }, async () => {
  const { dir, cleanup } = tempDir();
  const port = await freePort();
  const file = join(dir, "station.yaml");
  writeFileSync(
    file,
    `station: { name: Resend test, mn: "${MN}" }
storage: { path: station.db }
log: { level: error }
buses: [{ id: sim, type: tcp, host: 127.0.0.1, port: ${await freePort()}, timeout_ms: 200 }]
analyzers: [{ id: o3, driver: teledyne-t400, bus: sim, interval_s: 5 }]
platforms:
  - { id: city, host: 127.0.0.1, port: ${port}, st: 22, pw: "123456", uploads: [hour], ack_timeout_s: 1, reconnect_max_s: 1 }
`,
  );
  const db = openDb(join(dir, "station.db"));
  const readings = new ReadingStore(db);
  readings.insert(Array.from({ length: 60 }, (_, i) => ({ ts: T0 + i * 10_000, analyzer: "o3", channel: "o3", code: "a05024", value: i, unit: "ppb", flag: "N" as const, state: "ok", raw: null, source: "t@1" })));
  db.transaction(() => new AggregateStore(db, readings, "Asia/Shanghai").closePeriods(60, T0 + 11 * 60_000, 0))();
  new OverrideStore(db).set("city", { realtime_interval_s: 60, pw: "654321" }, "platform:city");
  db.close();
  const receiver = new PlatformReceiver({ port, keep: true });
  let agent: Agent | null = null;
  try {
    const direct = await cli(["resend", "-c", file, "--platform", "city", "--from", "2026-01-01T08:02", "--to", "2026-01-01T08:05", "--json"]);
    assert.equal(direct.status, 0, direct.stderr);
    const d = JSON.parse(direct.stdout);
    assert.equal(d.queued, 4);
    assert.equal(d.service.running, false);

    const bad = await cli(["resend", "-c", file, "--platform", "nope", "--from", "2026-01-01T08:02", "--to", "2026-01-01T08:05"]);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /unknown platform "nope"/);

    const shown = await cli(["config", "show", "--json", "-c", file]);
    const overrides = JSON.parse(shown.stdout).overrides as { key: string; value: unknown }[];
    assert.deepEqual(overrides.map((o) => [o.key, o.value]), [["pw", "******"], ["realtime_interval_s", 60]]);
    assert.ok(!shown.stdout.includes("654321"));

    await receiver.start();
    agent = new Agent(loadConfig(file), { log: silentLogger });
    await agent.start();
    await waitFor(() => receiver.received.filter((p) => p.frame.header.cn === "2051").length >= 4, 10_000, "the directly queued resend delivered");
    assert.equal(receiver.received[0].frame.header.pw, "654321", "the stored password override is used");

    const viaService = await cli(["resend", "-c", file, "--platform", "city", "--from", "2026-01-01T08:00", "--to", "2026-01-01T08:09", "--kind", "minute", "--json"]);
    assert.equal(viaService.status, 0, viaService.stderr);
    const v = JSON.parse(viaService.stdout);
    assert.equal(v.queued, 10);
    assert.equal(v.service.running, true);
    assert.match(viaService.stderr, /acked by city: 100% \(10\/10\)/, "progress lines when not on a TTY");
    const minutes = receiver.received.filter((p) => p.frame.header.cn === "2051");
    assert.equal(new Set(minutes.map((p) => p.frame.header.qn)).size, 14, "each resend is new packets with new QNs");
    const resent = agent.audit.list().filter((e) => e.action === "uplink.resend");
    assert.equal(resent.length, 1, "the resend through the service is in the audit trail");
  } finally {
    await agent?.stop();
    await receiver.stop();
    cleanup();
  }
});
