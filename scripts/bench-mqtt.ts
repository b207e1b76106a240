// mqtt-drain-rate: a backlog of minute packets published to a local mosquitto at QoS 1 by the
// MQTT uplink (agent/uplink/mqtt.ts), counted as delivered when the PUBACKs are recorded in the
// outbox. Without mosquitto the row reads "not measured" with the reason.
import { join } from "node:path";
import { mqttPlatformSchema } from "../config/schema.js";
import { EventBus } from "../agent/events.js";
import { silentLogger } from "../agent/log.js";
import { openDb } from "../agent/store/db.js";
import { Outbox } from "../agent/uplink/outbox.js";
import { MqttUplink } from "../agent/uplink/mqtt.js";
import { mosquittoMissing, startBroker } from "../test/helpers/mosquitto.js";

export interface MqttBenchRow {
  name: string;
  value: number | null;
  unit: string;
  op: ">=" | "<=" | "info";
  target: number | null;
  note?: string;
}

const MN = "010000A8900016F000169DC0";

export async function benchMqtt(quick: boolean, dir: string): Promise<MqttBenchRow[]> {
  const missing = mosquittoMissing();
  if (missing) return [{ name: "mqtt-drain-rate", value: null, unit: "packets/s", op: ">=", target: 2000, note: `not measured: ${missing}` }];
  const n = quick ? 5000 : 50_000;
  const db = openDb(join(dir, "mqtt.db"));
  const outbox = new Outbox(db, "Asia/Shanghai");
  const t0 = Date.UTC(2026, 0, 1);
  db.transaction(() =>
    outbox.enqueue(Array.from({ length: n }, (_, i) => ({
      platform: "fleet", cn: "2051", dataTime: t0 + i * 60_000, ackRequired: true,
      cp: `DataTime=20260101000000;a05024-Min=1,a05024-Avg=${i},a05024-Max=3,a05024-Flag=N;a34004-Min=10,a34004-Avg=12,a34004-Max=15,a34004-Flag=N`,
    }))),
  )();
  const broker = await startBroker();
  const cfg = mqttPlatformSchema.parse({ id: "fleet", protocol: "mqtt", url: broker.url });
  const events = new EventBus();
  let acked = 0;
  events.on("packetAcked", () => acked++);
  // Timed from the connection, as the drain of a backlog once the broker is back (not MQTT.js's loading).
  let t = 0;
  events.on("platformConnected", () => (t = performance.now()));
  const up = new MqttUplink(cfg, { outbox, events, log: silentLogger, station: { mn: MN, name: "bench" }, tz: "Asia/Shanghai", baseDir: dir });
  try {
    up.start();
    // Counted by the ack events (a backlog query every few ms would cost the uplink CPU), then checked in the outbox.
    while (acked < n) await new Promise((r) => setTimeout(r, 5));
    const rate = n / ((performance.now() - t) / 1000);
    await up.stop();
    const left = outbox.backlog("fleet").pending;
    if (left) throw new Error(`mqtt-drain-rate: ${left} packets still pending after all PUBACKs`);
    return [{ name: "mqtt-drain-rate", value: rate, unit: `packets/s, window ${cfg.window}`, op: ">=", target: 2000 }];
  } finally {
    await up.stop();
    await broker.close();
    db.close();
  }
}
