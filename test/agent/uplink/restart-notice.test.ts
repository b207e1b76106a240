// 2081 (C.24): once to each platform after the agent starts and first connects, not on reconnects.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { EventBus } from "../../../agent/events.js";
import { silentLogger } from "../../../agent/log.js";
import { openDb } from "../../../agent/store/db.js";
import { parseHj212Time } from "../../../agent/time.js";
import { Outbox } from "../../../agent/uplink/outbox.js";
import { PlatformReceiver } from "../../../agent/uplink/receiver.js";
import { RestartNotice } from "../../../agent/uplink/restart-notice.js";
import { PlatformSession } from "../../../agent/uplink/session.js";
import { MN, tempDir, waitFor } from "../../helpers/station.js";
import { platformConfig } from "./harness.js";

test("2081 with RestartTime goes to a platform once, after its first connection", async () => {
  const { dir, cleanup } = tempDir();
  const db = openDb(join(dir, "s.db"));
  const outbox = new Outbox(db, "Asia/Shanghai");
  const events = new EventBus();
  const receiver = new PlatformReceiver({ keep: true });
  const port = await receiver.start();
  const startedAt = parseHj212Time("20260101080000", "Asia/Shanghai");
  const notice = new RestartNotice({ events, outbox, tz: "Asia/Shanghai", startedAt, platforms: ["city"], log: silentLogger });
  const session = new PlatformSession(platformConfig(port), { outbox, events, log: silentLogger, stationMn: MN });
  events.on("packetsQueued", () => session.kick());
  try {
    notice.start();
    session.start();
    await waitFor(() => receiver.received.some((p) => p.frame.header.cn === "2081" && p.acked), 5000, "2081 received");
    const [p] = receiver.received.filter((x) => x.frame.header.cn === "2081");
    assert.equal(p.fields.RestartTime, "20260101080000");
    assert.match(p.fields.DataTime, /^\d{14}$/);
    await waitFor(() => outbox.backlog("city").pending === 0, 5000, "acked");
    // The platform drops the connection; the session reconnects: no second notice.
    await receiver.stop();
    await waitFor(() => !session.connected, 5000, "disconnected");
    const again = new PlatformReceiver({ keep: true, port });
    await again.start();
    await waitFor(() => session.connected, 8000, "reconnected");
    // A notice would be queued on connecting, ahead of this marker (the live lane goes in id order).
    outbox.enqueue([{ platform: "city", cn: "2011", dataTime: Date.now(), cp: "DataTime=20260101090000;a05024-Rtd=1", ackRequired: true }]);
    session.kick();
    await waitFor(() => again.received.some((x) => x.frame.header.cn === "2011"), 5000, "marker after reconnect");
    assert.equal(again.received.filter((x) => x.frame.header.cn === "2081").length, 0);
    await again.stop();
  } finally {
    notice.stop();
    await session.stop();
    await receiver.stop();
    db.close();
    cleanup();
  }
});
