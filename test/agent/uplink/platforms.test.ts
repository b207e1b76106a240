// Several platforms at once, each with its own quirks; HJ 212-2025 and CRC variants per platform.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { EventBus } from "../../../agent/events.js";
import { silentLogger } from "../../../agent/log.js";
import { openDb } from "../../../agent/store/db.js";
import { Outbox } from "../../../agent/uplink/outbox.js";
import { PlatformReceiver } from "../../../agent/uplink/receiver.js";
import { PlatformSession } from "../../../agent/uplink/session.js";
import { freePort, MN, tempDir, waitFor } from "../../helpers/station.js";
import { platformConfig, PW } from "./harness.js";

const N = 300;

test("3 platforms: one drops every 10th ack, one is down for the first half; each ends with every packet acked once", { timeout: 40_000 }, async () => {
  const { dir, cleanup } = tempDir();
  const db = openDb(join(dir, "s.db"));
  const outbox = new Outbox(db, "Asia/Shanghai");
  const ids = ["city", "province", "national"];
  const nationalPort = await freePort();
  const receivers = {
    city: new PlatformReceiver({ keep: true, pw: PW }),
    province: new PlatformReceiver({ keep: true, pw: PW, dropAckEvery: 10 }),
    national: new PlatformReceiver({ keep: true, pw: PW, port: nationalPort }),
  } as Record<string, PlatformReceiver>;
  await receivers.city.start();
  await receivers.province.start();
  db.transaction(() => {
    for (const id of ids) outbox.enqueue(Array.from({ length: N }, (_, i) => ({ platform: id, cn: "2051", dataTime: i, cp: `DataTime=20260101000000;a05024-Avg=${i}`, ackRequired: true })));
  })();
  const sessions = ids.map(
    (id) => new PlatformSession(platformConfig(id === "national" ? nationalPort : receivers[id].port, { id, window: 8 }), { outbox, events: new EventBus(), log: silentLogger, stationMn: MN }),
  );
  try {
    for (const s of sessions) s.start();
    await waitFor(() => outbox.backlog("city").pending === 0 && outbox.backlog("province").pending === 0, 20_000, "two platforms drained");
    assert.equal(outbox.backlog("national").pending, N, "the platform that is down has everything still pending");
    await receivers.national.start();
    await waitFor(() => outbox.backlog("national").pending === 0, 20_000, "third platform drained after coming up");
    for (const id of ids) {
      const r = receivers[id];
      assert.equal(r.distinctQns(), N, id);
      assert.equal(outbox.backlog(id).acked, N, id);
      const values = new Set(r.received.map((p) => p.fields["a05024-Avg"]));
      assert.equal(values.size, N, `${id}: every packet arrived`);
    }
    assert.ok(receivers.province.stats.droppedAcks >= N / 10);
    assert.ok(sessions[1].state().retransmits >= N / 10);
  } finally {
    for (const s of sessions) await s.stop();
    for (const r of Object.values(receivers)) await r.stop();
    db.close();
    cleanup();
  }
});

test("HJ 212-2025 platform with a Modbus-CRC habit: version 2 flags, heartbeats, both ways in its CRC", async () => {
  const { dir, cleanup } = tempDir();
  const db = openDb(join(dir, "s.db"));
  const outbox = new Outbox(db, "Asia/Shanghai");
  const receiver = new PlatformReceiver({ keep: true, pw: PW, crc: "modbus" });
  const port = await receiver.start();
  outbox.enqueue(Array.from({ length: 20 }, (_, i) => ({ platform: "city", cn: "2051", dataTime: i, cp: `DataTime=20260101000000;a05024-Avg=${i}`, ackRequired: true })));
  const s = new PlatformSession(platformConfig(port, { protocol: "hj212-2025", crc: "modbus", heartbeat_s: 1 }), { outbox, events: new EventBus(), log: silentLogger, stationMn: MN });
  try {
    s.start();
    await waitFor(() => outbox.backlog("city").pending === 0, 5000, "drained in Modbus CRC");
    assert.equal(receiver.stats.badFrames, 0);
    assert.equal(receiver.received[0].frame.header.flag, 9, "version 2 with the A bit");
    await waitFor(() => receiver.stats.heartbeats >= 1, 3000, "a 9015 heartbeat");
    const hb = receiver.received.find((p) => p.frame.header.cn === "9015")!;
    assert.equal(hb.frame.header.flag, 8, "heartbeats ask for no answer");
  } finally {
    await s.stop();
    await receiver.stop();
    db.close();
    cleanup();
  }
});
