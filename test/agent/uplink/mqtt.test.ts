// The MQTT uplink against a real broker (Debian's mosquitto, started here): QoS 1 delivery in
// outbox order with the PUBACK as the ack, the retained state and its Last Will, broker restarts,
// refused credentials, and a broker whose PUBACKs never arrive.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect, type MqttClient } from "mqtt";
import { configSchema, mqttPlatformSchema } from "../../../config/schema.js";
import { redactConfig } from "../../../config/redact.js";
import { EventBus } from "../../../agent/events.js";
import { openDb } from "../../../agent/store/db.js";
import { Outbox } from "../../../agent/uplink/outbox.js";
import { MqttUplink } from "../../../agent/uplink/mqtt.js";
import { jsonPacket, type JsonPacket } from "../../../agent/uplink/http-json.js";
import { decodeFrame } from "../../../agent/uplink/hj212/codec.js";
import { createLogger } from "../../../agent/log.js";
import { MN, tempDir, waitFor } from "../../helpers/station.js";
import { mosquittoMissing, startBroker, type Broker } from "../../helpers/mosquitto.js";
import { ackDroppingProxy } from "../../helpers/mqtt-proxy.js";

const PASSWORD = "Mq-7d1e-very-secret";

interface Msg {
  topic: string;
  text: string;
  retain: boolean;
}

let consumers = 0;

/** A consumer on the broker: everything under stations/#, at QoS 1, in a persistent session (it misses nothing while the broker restarts). */
async function subscriber(url: string, opts: { username?: string; password?: string } = {}) {
  const got: Msg[] = [];
  const c: MqttClient = connect(url, { ...opts, reconnectPeriod: 200, clean: false, clientId: `consumer-${process.pid}-${++consumers}` });
  c.on("message", (topic, payload, packet) => got.push({ topic, text: payload.toString(), retain: packet.retain }));
  await new Promise<void>((resolve, reject) => {
    c.once("connect", () => resolve());
    c.once("error", reject);
  });
  await c.subscribeAsync("stations/#", { qos: 1 });
  const data = () => got.filter((m) => !m.topic.endsWith("/state"));
  return { got, data, close: () => c.endAsync(true) };
}

/** The retained state of the station, as a consumer connecting now sees it. */
async function retainedState(url: string, opts: { username?: string; password?: string } = {}): Promise<string | null> {
  const c = connect(url, { ...opts, reconnectPeriod: 0 });
  try {
    await new Promise<void>((resolve, reject) => {
      c.once("connect", () => resolve());
      c.once("error", reject);
    });
    const seen = new Promise<string>((r) => c.on("message", (_t, p) => r(p.toString())));
    await c.subscribeAsync(`stations/${MN}/state`, { qos: 1 });
    return await Promise.race([seen, new Promise<null>((r) => setTimeout(() => r(null), 1000))]);
  } finally {
    await c.endAsync(true);
  }
}

function station(n: number) {
  const { dir, cleanup } = tempDir();
  const db = openDb(join(dir, "s.db"));
  const outbox = new Outbox(db, "Asia/Shanghai");
  const t0 = Date.UTC(2026, 0, 1, 0, 0);
  const queue = (count: number, from = 0) =>
    outbox.enqueue(Array.from({ length: count }, (_, k) => {
      const i = from + k;
      return { platform: "broker", cn: "2051", dataTime: t0 + i * 60_000, ackRequired: true, cp: `DataTime=20260101080000;a05024-Avg=${i}.5,a05024-Flag=N` };
    }));
  queue(n);
  const lines: string[] = [];
  const log = createLogger({ level: "debug", write: (l) => lines.push(l) });
  return { dir, db, outbox, queue, lines, log, close: () => { db.close(); cleanup(); } };
}

function uplink(s: ReturnType<typeof station>, url: string, extra: Record<string, unknown> = {}) {
  const cfg = mqttPlatformSchema.parse({ id: "broker", protocol: "mqtt", url, reconnect_max_s: 0.2, ack_timeout_s: 2, ...extra });
  return new MqttUplink(cfg, { outbox: s.outbox, events: new EventBus(), log: s.log, station: { mn: MN, name: "Test station" }, tz: "Asia/Shanghai", baseDir: s.dir });
}

const avgs = (msgs: Msg[]) => msgs.map((m) => (JSON.parse(m.text) as JsonPacket).values[0].avg);
/** QoS 1 is at least once: a broker restored from its persistence file may hand a consumer a message twice (same QN). First sightings only. */
const firstSeen = (msgs: Msg[]) => {
  const seen = new Set<string>();
  return msgs.filter((m) => {
    const qn = (JSON.parse(m.text) as JsonPacket).qn;
    return !seen.has(qn) && seen.add(qn);
  });
};
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i + 0.5);

const missing = mosquittoMissing();
if (missing && process.env.CI === "true") {
  test("MQTT suite needs mosquitto in CI", () => assert.fail(missing));
} else if (missing) {
  test("MQTT uplink against mosquitto", { skip: missing }, () => {});
} else {
  test("packets reach the broker at QoS 1 in outbox order, each acknowledged by its PUBACK; state online, then offline", async () => {
    const broker = await startBroker();
    const sub = await subscriber(broker.url);
    const s = station(200);
    const up = uplink(s, broker.url);
    try {
      up.start();
      await waitFor(() => s.outbox.backlog("broker").pending === 0 && sub.data().length >= 200, 15_000, "200 packets delivered");
      assert.deepEqual(avgs(sub.data()), range(0, 200), "each once, oldest first");
      assert.ok(sub.data().every((m) => m.topic === `stations/${MN}/minute`));
      const first = s.outbox.get("broker", (JSON.parse(sub.data()[0].text) as JsonPacket).qn)!;
      assert.deepEqual(JSON.parse(sub.data()[0].text), jsonPacket(first, { mn: MN, name: "Test station" }, "Asia/Shanghai"), "the same JSON as http-json");
      assert.equal(up.state().acked, 200);
      assert.match(broker.log(), new RegExp(`New client connected from 127\\.0\\.0\\.1:\\d+ as ${MN} `), "client id: the station MN");
      assert.equal(await retainedState(broker.url), "online");
      await up.stop();
      assert.equal(await retainedState(broker.url), "offline", "a clean stop leaves offline retained");
    } finally {
      await up.stop();
      await sub.close();
      await broker.close();
      s.close();
    }
  });

  test("payload hj212 publishes the HJ 212 frame itself, no ack asked (the PUBACK is the ack)", async () => {
    const broker = await startBroker();
    const sub = await subscriber(broker.url);
    const s = station(3);
    const up = uplink(s, broker.url, { payload: "hj212", st: 22, pw: "123456", prefix: "stations" });
    try {
      up.start();
      await waitFor(() => sub.data().length >= 3 && s.outbox.backlog("broker").pending === 0, 10_000, "3 frames");
      const frames = sub.data().map((m) => decodeFrame(m.text));
      assert.deepEqual(frames.map((f) => f.cp), [0, 1, 2].map((i) => `DataTime=20260101080000;a05024-Avg=${i}.5,a05024-Flag=N`));
      assert.equal(frames[0].header.flag, 4, "HJ 212-2017, A unset");
      assert.equal(frames[0].header.mn, MN);
      assert.equal(frames[0].header.st, "22");
      assert.equal(s.outbox.backlog("broker").pending, 0);
    } finally {
      await up.stop();
      await sub.close();
      await broker.close();
      s.close();
    }
    assert.ok(!configSchema.safeParse({ station: { name: "T", mn: MN }, storage: { path: "s.db" }, platforms: [{ id: "b", protocol: "mqtt", url: "mqtt://h", payload: "hj212" }] }).success, "st and pw required with hj212");
  });

  test("broker restarts: nothing lost, order kept, backlog queued meanwhile delivered after", async () => {
    const broker = await startBroker();
    const sub = await subscriber(broker.url);
    const s = station(50);
    const up = uplink(s, broker.url);
    try {
      up.start();
      await waitFor(() => sub.data().length >= 50, 10_000, "first 50");
      await broker.stop();
      await waitFor(() => !up.connected, 10_000, "the uplink sees the broker gone");
      s.queue(100, 50); // made during the outage
      assert.equal(s.outbox.backlog("broker").pending, 100, "kept while the broker is down");
      await broker.start();
      await waitFor(() => s.outbox.backlog("broker").pending === 0 && firstSeen(sub.data()).length >= 150, 20_000, "the backlog delivered after the restart");
      assert.deepEqual(avgs(firstSeen(sub.data())), range(0, 150), "every packet, oldest first");
      assert.equal(up.state().sent, 150, "the uplink published each packet once");
      assert.ok(up.state().reconnects >= 1);
      assert.equal(await retainedState(broker.url), "online");
    } finally {
      await up.stop();
      await sub.close();
      await broker.close();
      s.close();
    }
  });

  test("refused credentials: logged with the broker's reason code, retried less often, password never logged; a corrected password_file is read on the next try", async () => {
    const broker = await startBroker({ users: { station: PASSWORD, reader: "r" } });
    const sub = await subscriber(broker.url, { username: "reader", password: "r" });
    const s = station(5);
    const pwFile = join(s.dir, "broker.pw");
    writeFileSync(pwFile, "wrong-password\n");
    const up = uplink(s, broker.url, { username: "station", password_file: "broker.pw", reconnect_max_s: 0.1 });
    try {
      up.start();
      await waitFor(() => /reason code/.test(s.lines.join("\n")), 10_000, "the refusal logged");
      await new Promise((r) => setTimeout(r, 2500));
      const log = s.lines.join("\n");
      assert.match(log, /broker refused the connection: (Bad username or password|Not authorized) \(reason code [45]\); tried again less often/);
      // 0.1 s back-off ×10 for a refusal: about one try a second (at 0.1 s it would be ~25).
      assert.ok(up.state().reconnects <= 6, `${up.state().reconnects} tries in about 2.5 s`);
      assert.equal(s.outbox.backlog("broker").pending, 5, "nothing delivered, nothing lost");
      assert.equal(up.connected, false);

      writeFileSync(pwFile, `${PASSWORD}\n`);
      await waitFor(() => s.outbox.backlog("broker").pending === 0, 10_000, "delivered once the password is right");
      assert.deepEqual(avgs(sub.data()), range(0, 5));
      assert.ok(!s.lines.join("\n").includes(PASSWORD) && !log.includes("wrong-password"), "passwords never logged");
      const shown = JSON.stringify(redactConfig(configSchema.parse({ station: { name: "T", mn: MN }, storage: { path: "s.db" }, platforms: [{ id: "b", protocol: "mqtt", url: "mqtt://u:p@h", password: PASSWORD }] })));
      assert.ok(!shown.includes(PASSWORD) && !shown.includes("u:p@"), "config show hides the password and URL credentials");
    } finally {
      await up.stop();
      await sub.close();
      await broker.close();
      s.close();
    }
  });

  test("a broker whose PUBACKs never come: backlog kept, nothing marked delivered, connection made anew; delivered once acks flow", async () => {
    const broker: Broker = await startBroker();
    const proxy = await ackDroppingProxy(broker.port);
    const sub = await subscriber(broker.url);
    const s = station(10);
    const up = uplink(s, proxy.url, { ack_timeout_s: 0.5 });
    try {
      up.start();
      await waitFor(() => up.state().reconnects >= 2, 15_000, "reconnects after missing PUBACKs");
      assert.ok(proxy.dropped >= 10, `${proxy.dropped} PUBACKs swallowed`);
      assert.ok(sub.data().length >= 10, "the broker did get the messages");
      assert.equal(s.outbox.backlog("broker").pending, 10, "but none counts as delivered without its PUBACK");
      assert.equal(up.state().acked, 0);
      assert.match(s.lines.join("\n"), /no PUBACK within 0.5 s/);

      proxy.dropAcks = false;
      await waitFor(() => s.outbox.backlog("broker").pending === 0, 15_000, "delivered once PUBACKs arrive");
      // QoS 1 is at least once: the consumer saw duplicates, each under the packet's one QN.
      const qns = sub.data().map((m) => (JSON.parse(m.text) as JsonPacket).qn);
      assert.equal(new Set(qns).size, 10);
    } finally {
      await up.stop();
      await sub.close();
      await proxy.close();
      await broker.close();
      s.close();
    }
  });
}
