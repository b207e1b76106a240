// Fleet metrics from a running agent (real simulator, real SQLite, a real HTTP scrape), read back
// with a real parser (parse-prometheus-text-format) and, where installed, linted by Prometheus's
// own `promtool check metrics`. A metrics port already in use must not stop the agent.
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import parsePrometheusTextFormat, { type ParsedFamily } from "parse-prometheus-text-format";
import { Agent } from "../../../agent/main.js";
import { createLogger } from "../../../agent/log.js";
import { renderText } from "../../../agent/metrics/format.js";
import { metricsSchema } from "../../../config/schema-metrics.js";
import { startSimulation } from "../../../drivers/simulate.js";
import { PlatformReceiver } from "../../../agent/uplink/receiver.js";
import { createKeyFile, sealKeyPath } from "../../../agent/audit/seal-key.js";
import { randomBytes } from "node:crypto";
import { demoLikeConfig, freePort, tempDir, waitFor } from "../../helpers/station.js";

const value = (fams: ParsedFamily[], name: string, labels: Record<string, string> = {}): number | undefined => {
  const f = fams.find((x) => x.name === name);
  const m = f?.metrics.find((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v));
  return m === undefined ? undefined : Number(m.value);
};

function promtool(): string | null {
  const r = spawnSync("promtool", ["--version"], { stdio: "ignore" });
  return r.error || r.status !== 0 ? null : "promtool";
}

test("the text format: HELP and TYPE per family, labels escaped, special values; parsed back as written", () => {
  const text = renderText([
    { name: "x_seconds", type: "gauge", help: "A help\nwith a newline and a \\.", samples: [{ labels: { a: 'q"uote\\back\nline' }, value: 1.5 }, { value: NaN }] },
    { name: "y_total", type: "counter", help: "Counted.", samples: [{ value: Infinity }] },
  ]);
  assert.equal(text, '# HELP x_seconds A help\\nwith a newline and a \\\\.\n# TYPE x_seconds gauge\nx_seconds{a="q\\"uote\\\\back\\nline"} 1.5\nx_seconds NaN\n# HELP y_total Counted.\n# TYPE y_total counter\ny_total +Inf\n');
  const parsed = parsePrometheusTextFormat(text);
  assert.equal(parsed[0].metrics[0].labels?.a, 'q"uote\\back\nline');
  assert.equal(parsed[1].type, "COUNTER");
  assert.throws(() => renderText([{ name: "bad-name", type: "gauge", help: "", samples: [] }]), /bad metric name/);
  assert.equal(metricsSchema.parse({ listen: true }).listen, "127.0.0.1:9464", "listen: true is the conventional default");
  assert.ok(!metricsSchema.safeParse({ listen: "9464" }).success, "host:port required");
});

test("a running agent: /metrics and the textfile carry per-analyzer, per-platform and station figures", { timeout: 40_000 }, async () => {
  const { dir, cleanup } = tempDir();
  const port = await freePort();
  const loaded = demoLikeConfig({ dir, simPort: await freePort(), platformPort: await freePort(), interval_s: 0.2 });
  loaded.config.metrics = metricsSchema.parse({ listen: `127.0.0.1:${port}`, textfile: "metrics/station.prom", interval_s: 1 });
  const sim = await startSimulation(loaded.config, { seed: 1 });
  // An analyzer the simulator does not serve: every poll of it fails.
  loaded.config.analyzers.push({ ...loaded.config.analyzers[0], id: "dead", slave: 9, retries: 0, timeout_ms: 100 });
  const lines: string[] = [];
  const agent = new Agent(loaded, { log: createLogger({ level: "info", write: (l) => lines.push(l) }), control: false });
  const promDir = join(dir, "metrics");
  mkdirSync(promDir);
  try {
    await agent.start();
    await waitFor(async () => {
      const f = parsePrometheusTextFormat(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
      // The dead analyzer's polls end in timeouts, later than o3's first answers: wait for both.
      return (value(f, "station_agent_readings_stored_total", { analyzer: "o3", flag: "N" }) ?? 0) > 5 &&
        (value(f, "station_agent_readings_stored_total", { analyzer: "dead", flag: "B" }) ?? 0) > 0;
    }, 15_000, "readings counted, the dead analyzer's B readings among them");
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const fams = parsePrometheusTextFormat(text);

    // Conventions: counters end in _total, everything is station_agent_*, units in the name.
    for (const f of fams) {
      assert.match(f.name, /^station_agent_[a-z0-9_]+$/);
      assert.ok(f.help.length > 10, `${f.name} has help`);
      if (f.type === "COUNTER") assert.match(f.name, /_total$/);
    }
    assert.ok((value(fams, "station_agent_polls_total", { analyzer: "o3" }) ?? 0) > 0);
    assert.ok((value(fams, "station_agent_polls_failed_total", { analyzer: "dead" }) ?? 0) > 0, "the silent analyzer's failures");
    assert.equal(value(fams, "station_agent_polls_failed_total", { analyzer: "o3" }), 0);
    assert.ok((value(fams, "station_agent_readings_stored_total", { analyzer: "dead", flag: "B" }) ?? 0) > 0, "B readings of the dead one");
    assert.equal(value(fams, "station_agent_analyzer_up", { analyzer: "o3" }), 1);
    assert.equal(value(fams, "station_agent_analyzer_up", { analyzer: "dead" }), 0);
    assert.ok(value(fams, "station_agent_analyzer_last_good_answer_age_seconds", { analyzer: "o3" })! < 5);
    assert.ok((value(fams, "station_agent_channels_by_flag", { analyzer: "o3", flag: "N" }) ?? 0) >= 1);
    // The platform is not listening: nothing acked, the link down, realtime not queued while down.
    assert.equal(value(fams, "station_agent_platform_connected", { platform: "local", protocol: "hj212-2017" }), 0);
    assert.equal(value(fams, "station_agent_platform_backlog_packets", { platform: "local" }), agent.outbox.backlog("local").pending);
    assert.equal(value(fams, "station_agent_platform_oldest_pending_age_seconds", { platform: "local" }) !== undefined, true);
    assert.equal(fams.find((f) => f.name === "station_agent_platform_last_ack_timestamp_seconds")?.metrics.length, 0, "absent while never acked");
    assert.ok((value(fams, "station_agent_database_size_bytes") ?? 0) > 4096);
    assert.ok((value(fams, "station_agent_disk_free_bytes") ?? 0) > 0);
    assert.ok((value(fams, "station_agent_disk_size_bytes") ?? 0) >= (value(fams, "station_agent_disk_free_bytes") ?? 0));
    assert.equal(value(fams, "station_agent_alarms_open"), agent.alarmLog.list({}).length);
    assert.equal(fams.find((f) => f.name === "station_agent_audit_sealed_epoch")?.metrics.length, 0, "no sealing key: nothing sealed, no sample");
    assert.equal((await fetch(`http://127.0.0.1:${port}/other`)).status, 404);

    // The textfile: same families, rewritten atomically (no temporary file left behind).
    const prom = join(promDir, "station.prom");
    await waitFor(() => existsSync(prom), 5000, "the textfile");
    const first = readFileSync(prom, "utf8");
    await waitFor(() => readFileSync(prom, "utf8") !== first, 5000, "the textfile rewritten");
    const fileFams = parsePrometheusTextFormat(readFileSync(prom, "utf8"));
    assert.deepEqual(fileFams.map((f) => f.name), fams.map((f) => f.name));
    assert.deepEqual(readdirSync(promDir), ["station.prom"]);

    const tool = promtool();
    if (tool) {
      const r = spawnSync(tool, ["check", "metrics"], { input: text, encoding: "utf8" });
      assert.equal(r.status, 0, `promtool check metrics: ${r.stdout}${r.stderr}`);
      assert.equal((r.stdout + r.stderr).trim(), "", `promtool has no complaint: ${r.stdout}${r.stderr}`);
    }
  } finally {
    await agent.stop();
    await sim.stop();
    cleanup();
  }
});

// The running-agent test lints its output with promtool where it is installed; say so where not.
if (!promtool()) test("promtool check metrics on the agent's output", { skip: "promtool is not installed (from Debian's prometheus package; .ci/run unpacks it)" }, () => {});

test("a metrics port already in use: a clear error at start, the agent runs on", { timeout: 30_000 }, async () => {
  const { dir, cleanup } = tempDir();
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", () => r()));
  const taken = (blocker.address() as net.AddressInfo).port;
  const loaded = demoLikeConfig({ dir, simPort: await freePort(), platformPort: await freePort(), interval_s: 0.2 });
  loaded.config.metrics = metricsSchema.parse({ listen: `127.0.0.1:${taken}` });
  const sim = await startSimulation(loaded.config, { seed: 2 });
  const lines: string[] = [];
  const agent = new Agent(loaded, { log: createLogger({ level: "info", write: (l) => lines.push(l) }), control: false });
  try {
    await agent.start();
    assert.match(lines.join("\n"), new RegExp(`metrics: cannot listen on 127\\.0\\.0\\.1:${taken}: the port is already in use \\(EADDRINUSE\\); metrics over HTTP are off, the rest of the agent runs`));
    assert.equal(agent.metrics?.address, null);
    await waitFor(() => agent.readings.latest(0, Date.now()).length > 0, 10_000, "readings stored all the same");
  } finally {
    await agent.stop();
    await sim.stop();
    blocker.close();
    cleanup();
  }
});

test("a platform that acknowledges: connected 1, last ack time, acks counted; an unwritable textfile is logged and the agent runs on", { timeout: 30_000 }, async () => {
  const { dir, cleanup } = tempDir();
  const platformPort = await freePort();
  const loaded = demoLikeConfig({ dir, simPort: await freePort(), platformPort, interval_s: 0.2, realtime_s: 1 });
  loaded.config.metrics = metricsSchema.parse({ textfile: "no-such-dir/station.prom" });
  // With a sealing key the agent seals at start: the epoch and the time appear.
  createKeyFile(sealKeyPath(loaded.config.storage.path), randomBytes(32));
  const receiver = new PlatformReceiver({ port: platformPort, pw: "123456" });
  await receiver.start();
  const sim = await startSimulation(loaded.config, { seed: 3 });
  const lines: string[] = [];
  const agent = new Agent(loaded, { log: createLogger({ level: "info", write: (l) => lines.push(l) }), control: false });
  try {
    await agent.start();
    assert.match(lines.join("\n"), /metrics: cannot write .*no-such-dir\/station\.prom: ENOENT/);
    await waitFor(() => agent.outbox.backlog("local").lastAckAt !== null, 10_000, "a realtime packet acknowledged");
    const t0 = Date.now() / 1000;
    const fams = parsePrometheusTextFormat(agent.metrics!.render());
    assert.equal(value(fams, "station_agent_platform_connected", { platform: "local" }), 1);
    const lastAck = value(fams, "station_agent_platform_last_ack_timestamp_seconds", { platform: "local" })!;
    assert.ok(Math.abs(lastAck - t0) < 30, `last ack ${lastAck} near now ${t0}`);
    assert.ok((value(fams, "station_agent_platform_packets_acked_total", { platform: "local" }) ?? 0) >= 1);
    assert.ok(!existsSync(join(dir, "no-such-dir")));
    assert.equal(value(fams, "station_agent_audit_sealed_epoch"), 0, "the start seal is epoch 0");
    assert.ok(Math.abs(value(fams, "station_agent_audit_last_seal_timestamp_seconds")! - t0) < 30);
  } finally {
    await agent.stop();
    await sim.stop();
    await receiver.stop();
    cleanup();
  }
});
