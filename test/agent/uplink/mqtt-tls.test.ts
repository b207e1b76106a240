// mqtts:// to a real mosquitto with a TLS listener and a throwaway CA: the tls options (ca,
// reject_unauthorized) decide whether the broker is trusted; an untrusted one gets nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { mqttPlatformSchema } from "../../../config/schema.js";
import { EventBus } from "../../../agent/events.js";
import { createLogger } from "../../../agent/log.js";
import { openDb } from "../../../agent/store/db.js";
import { Outbox } from "../../../agent/uplink/outbox.js";
import { MqttUplink } from "../../../agent/uplink/mqtt.js";
import { MN, tempDir, waitFor } from "../../helpers/station.js";
import { mosquittoMissing, startBroker } from "../../helpers/mosquitto.js";
import { makeCerts, opensslMissing } from "../../helpers/certs.js";

const missing = mosquittoMissing() ?? opensslMissing();

test("mqtts: trusted through tls.ca (relative to the config file), refused without it, accepted unverified with reject_unauthorized false", { skip: missing && process.env.CI !== "true" ? missing : false, timeout: 60_000 }, async () => {
  assert.equal(missing, null, missing ?? "");
  const { dir, cleanup } = tempDir();
  const certs = makeCerts(dir);
  const broker = await startBroker({ tls: { cafile: certs.ca, certfile: certs.cert, keyfile: certs.key } });
  const db = openDb(join(dir, "s.db"));
  const outbox = new Outbox(db, "Asia/Shanghai");
  const lines: string[] = [];
  const log = createLogger({ level: "debug", write: (l) => lines.push(l) });
  const queue = (platform: string) => outbox.enqueue([{ platform, cn: "2051", dataTime: Date.UTC(2026, 0, 1), ackRequired: true, cp: "DataTime=20260101080000;a05024-Avg=1,a05024-Flag=N" }]);
  const make = (id: string, tls: Record<string, unknown> | undefined) =>
    new MqttUplink(mqttPlatformSchema.parse({ id, protocol: "mqtt", url: broker.url, reconnect_max_s: 0.2, ...(tls ? { tls } : {}) }), {
      outbox, events: new EventBus(), log, station: { mn: MN, name: "T" }, tz: "Asia/Shanghai", baseDir: dir,
    });
  const ups = [make("trusted", { ca: "ca.pem" }), make("untrusted", undefined), make("unverified", { reject_unauthorized: false })];
  try {
    for (const u of ups) {
      queue(u.cfg.id);
      u.start();
    }
    await waitFor(() => outbox.backlog("trusted").pending === 0 && outbox.backlog("unverified").pending === 0, 15_000, "delivered over TLS");
    await waitFor(() => ups[1].state().reconnects >= 2, 10_000, "the untrusted one retried");
    assert.equal(outbox.backlog("untrusted").pending, 1, "nothing sent to a broker that could not be verified");
    assert.match(ups[1].state().lastError ?? "", /SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
    assert.equal(ups[0].connected, true);
  } finally {
    for (const u of ups) await u.stop();
    await broker.close();
    db.close();
    cleanup();
  }
});
