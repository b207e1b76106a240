// Delivery order after an outage during which the agent was SIGKILLed, for JSON and MQTT
// consumers. Against a receiver that takes one request at a time, `order: live-first` (what the
// http-json uplink did before `order` existed) lets realtime data made after the restart overtake
// the backlog; `oldest-first`, the default for http-json and mqtt, delivers every packet in the
// order it was made, so each kind arrives in DataTime order and the backlog before anything newer.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect } from "mqtt";
import { parse as parseYaml } from "yaml";
import { configSchema } from "../../../config/schema.js";
import { startSimulation } from "../../../drivers/simulate.js";
import type { JsonPacket } from "../../../agent/uplink/http-json.js";
import { freePort, MN, tempDir, waitFor } from "../../helpers/station.js";
import { exited, pendingMinutePackets, startAgentProcess, storePastMinutes, type AgentProcess } from "../../helpers/agent-process.js";
import { mosquittoMissing, startBroker } from "../../helpers/mosquitto.js";

const MINUTES = 12;

/** An HTTP receiver that handles one request at a time, each taking `ms`, and records what it acknowledged. */
async function oneAtATimeReceiver(port: number, ms: number) {
  const got: JsonPacket[] = [];
  let busy = Promise.resolve();
  const srv = http.createServer((req, res) => {
    let text = "";
    req.on("data", (c) => (text += c));
    req.on("end", () => {
      busy = busy.then(async () => {
        await new Promise((r) => setTimeout(r, ms));
        got.push(JSON.parse(text) as JsonPacket);
        res.writeHead(200).end("ok");
      });
    });
  });
  await new Promise<void>((r) => srv.listen(port, "127.0.0.1", () => r()));
  return { got, close: () => new Promise<void>((r) => { srv.closeAllConnections(); srv.close(() => r()); }) };
}

function stationYaml(simPort: number, platform: string): string {
  return `
station: { name: Order test, mn: "${MN}" }
storage: { path: station.db, batch_ms: 20 }
log: { level: warn }
buses:
  - { id: sim, type: tcp, host: 127.0.0.1, port: ${simPort}, timeout_ms: 300 }
analyzers:
  - { id: o3, driver: teledyne-t400, bus: sim, slave: 1, interval_s: 0.5 }
platforms:
  - ${platform}
`;
}

/** First sighting of each QN (a packet whose ack was lost in the kill comes again under its own QN). */
const unique = (ps: JsonPacket[]) => ps.filter((p, i) => ps.findIndex((q) => q.qn === p.qn) === i);

/** Where the backlog minutes (DataTime before `restartAt`) ended, and where the first realtime packet of after the restart came. */
function lanes(ps: JsonPacket[], restartAt: number) {
  const lastBacklog = ps.map((p) => p.kind === "minute" && Date.parse(p.dataTime) < restartAt - 60_000).lastIndexOf(true);
  const firstRealtime = ps.findIndex((p) => p.kind === "realtime" && Date.parse(p.dataTime) >= restartAt);
  return { lastBacklog, firstRealtime };
}

/** The outage: the receiver is down, the past minutes are queued, the agent is killed; then it comes back. */
async function outageThenKill(dir: string, yaml: string) {
  const configFile = join(dir, "station.yaml");
  writeFileSync(configFile, yaml);
  const sim = await startSimulation(configSchema.parse(parseYaml(yaml)), { seed: 7 });
  const dbPath = join(dir, "station.db");
  storePastMinutes(dbPath, MINUTES);
  const agent = startAgentProcess(configFile);
  await waitFor(() => pendingMinutePackets(dbPath) >= MINUTES, 20_000, "minute packets queued during the outage").catch((e) => {
    throw new Error(`${(e as Error).message}\n${agent.stderrTail()}`);
  });
  agent.kill("SIGKILL");
  await exited(agent);
  return { configFile, dbPath, sim };
}

for (const order of ["live-first", "oldest-first"] as const) {
  test(`http-json, order ${order}: SIGKILL during an outage, then a one-at-a-time receiver`, { timeout: 90_000 }, async () => {
    const { dir, cleanup } = tempDir();
    const simPort = await freePort();
    const port = await freePort();
    const platform = `{ id: ops, protocol: http-json, url: "http://127.0.0.1:${port}/in", uploads: [realtime, minute], realtime_interval_s: 1, retry_max_s: 0.2${order === "live-first" ? ", order: live-first" : ""} }`;
    const { configFile, dbPath, sim } = await outageThenKill(dir, stationYaml(simPort, platform));
    const receiver = await oneAtATimeReceiver(port, 300);
    let agent: AgentProcess | null = null;
    try {
      const restartAt = Date.now();
      agent = startAgentProcess(configFile);
      await waitFor(() => pendingMinutePackets(dbPath) === 0 && receiver.got.some((p) => p.kind === "realtime"), 40_000, "the backlog delivered");
      const got = unique(receiver.got);
      const minutes = got.filter((p) => p.kind === "minute").map((p) => p.dataTime);
      assert.ok(minutes.length >= MINUTES);
      const { lastBacklog, firstRealtime } = lanes(got, restartAt);
      if (order === "live-first") {
        // The bug as reported: newer data acknowledged while older data of the outage still waited.
        assert.ok(firstRealtime >= 0 && firstRealtime < lastBacklog, `a realtime packet made after the restart overtook the backlog (at ${firstRealtime}, backlog ended at ${lastBacklog})`);
      } else {
        assert.deepEqual(got.map((p) => p.qn), got.map((p) => p.qn).sort(), "every packet in the order it was made");
        assert.deepEqual(minutes, [...minutes].sort(), "minutes in DataTime order");
        assert.ok(lastBacklog < firstRealtime, `the whole backlog (to ${lastBacklog}) before the first newer packet (${firstRealtime})`);
      }
    } catch (err) {
      throw new Error(`${(err as Error).message}\nagent stderr:\n${agent?.stderrTail() ?? ""}`);
    } finally {
      agent?.kill("SIGKILL");
      if (agent) await exited(agent);
      await receiver.close();
      await sim.stop();
      cleanup();
    }
  });
}

const noBroker = mosquittoMissing();
test("mqtt: SIGKILL during a broker outage, then every packet in order; Last Will offline after a kill", { timeout: 90_000, skip: noBroker !== null && process.env.CI !== "true" ? noBroker : false }, async () => {
  assert.equal(noBroker, null, noBroker ?? "");
  const { dir, cleanup } = tempDir();
  const simPort = await freePort();
  const broker = await startBroker();
  // A consumer with a persistent session: the broker keeps its messages while it is away.
  const got: JsonPacket[] = [];
  const states: string[] = [];
  const consumer = connect(broker.url, { clean: false, clientId: `order-consumer-${process.pid}`, reconnectPeriod: 200 });
  consumer.on("message", (topic, payload) => (topic.endsWith("/state") ? states.push(payload.toString()) : got.push(JSON.parse(payload.toString()) as JsonPacket)));
  await new Promise<void>((r) => consumer.once("connect", () => r()));
  await consumer.subscribeAsync("stations/#", { qos: 1 });
  await broker.stop();
  const platform = `{ id: fleet, protocol: mqtt, url: "${broker.url}", uploads: [realtime, minute], realtime_interval_s: 1, reconnect_max_s: 0.5 }`;
  const { configFile, dbPath, sim } = await outageThenKill(dir, stationYaml(simPort, platform));
  let agent: AgentProcess | null = null;
  try {
    const restartAt = Date.now();
    agent = startAgentProcess(configFile);
    await new Promise((r) => setTimeout(r, 1500)); // polling again, broker still down
    await broker.start();
    await waitFor(() => pendingMinutePackets(dbPath) === 0 && got.some((p) => p.kind === "realtime"), 40_000, "the backlog delivered");
    const all = unique(got);
    assert.ok(all.every((p) => p.station.mn === MN));
    const minutes = all.filter((p) => p.kind === "minute").map((p) => p.dataTime);
    assert.ok(minutes.length >= MINUTES);
    assert.deepEqual(minutes, [...minutes].sort(), "minutes in DataTime order");
    assert.deepEqual(all.map((p) => p.qn), all.map((p) => p.qn).sort(), "every packet in the order it was made");
    const { lastBacklog, firstRealtime } = lanes(all, restartAt);
    assert.ok(lastBacklog < firstRealtime, "the backlog before anything newer");
    await waitFor(() => states.at(-1) === "online", 5000, "state online");
    agent.kill("SIGKILL");
    await exited(agent);
    await waitFor(() => states.at(-1) === "offline", 10_000, "the Last Will: offline");
  } catch (err) {
    throw new Error(`${(err as Error).message}\nagent stderr:\n${agent?.stderrTail() ?? ""}`);
  } finally {
    agent?.kill("SIGKILL");
    if (agent) await exited(agent);
    await consumer.endAsync(true);
    await broker.close();
    await sim.stop();
    cleanup();
  }
});
