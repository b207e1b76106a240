// The uplink against the project's platform receiver over real loopback sockets.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { platformSchema } from "../../../config/schema.js";
import { EventBus } from "../../../agent/events.js";
import { silentLogger } from "../../../agent/log.js";
import { openDb } from "../../../agent/store/db.js";
import { Outbox } from "../../../agent/uplink/outbox.js";
import { PlatformReceiver } from "../../../agent/uplink/receiver.js";
import { PlatformSession } from "../../../agent/uplink/session.js";
import { freePort, MN, tempDir, waitFor } from "../../helpers/station.js";

function platform(port: number, extra: Record<string, unknown> = {}) {
  return platformSchema.parse({ id: "city", host: "127.0.0.1", port, st: 22, pw: "pw-secret", ack_timeout_s: 0.3, reconnect_max_s: 1, ...extra });
}

async function setup(n: number, receiverOpts: ConstructorParameters<typeof PlatformReceiver>[0], extra: Record<string, unknown> = {}) {
  const { dir, cleanup } = tempDir();
  const db = openDb(join(dir, "s.db"));
  const outbox = new Outbox(db, "Asia/Shanghai");
  outbox.enqueue(Array.from({ length: n }, (_, i) => ({ platform: "city", cn: "2051", dataTime: i, cp: `DataTime=20260101${String(i).padStart(6, "0")};a05024-Avg=${i},a05024-Flag=N`, ackRequired: true })));
  const port = receiverOpts?.port ?? (await freePort());
  const receiver = new PlatformReceiver({ keep: true, pw: "pw-secret", ...receiverOpts, port });
  const session = new PlatformSession(platform(port, extra), { outbox, events: new EventBus(), log: silentLogger, stationMn: MN });
  return {
    outbox, receiver, session, port,
    async close() {
      await session.stop();
      await receiver.stop();
      db.close();
      cleanup();
    },
  };
}

const firstSeenOrder = (r: PlatformReceiver) => {
  const seen = new Set<string>();
  const out: number[] = [];
  for (const p of r.received) {
    if (seen.has(p.frame.header.qn!)) continue;
    seen.add(p.frame.header.qn!);
    out.push(Number(p.fields["a05024-Avg"]));
  }
  return out;
};

test("a backlog drains oldest first, each packet acknowledged exactly once", async () => {
  const t = await setup(300, {});
  try {
    await t.receiver.start();
    t.session.start();
    await waitFor(() => t.outbox.backlog("city").pending === 0, 10_000, "backlog drained");
    assert.equal(t.receiver.distinctQns(), 300);
    assert.equal(t.receiver.received.length, 300, "no retransmission was needed");
    assert.deepEqual(firstSeenOrder(t.receiver), Array.from({ length: 300 }, (_, i) => i));
    const h = t.receiver.received[0].frame.header;
    assert.equal(h.cn, "2051");
    assert.equal(h.mn, MN);
    assert.equal(h.flag, 5, "HJ 212-2017 with the A bit");
    assert.equal(t.session.state().acked, 300);
  } finally {
    await t.close();
  }
});

test("dropped acks are retransmitted with the same QN until acknowledged", async () => {
  const t = await setup(100, { dropAckEvery: 10 });
  try {
    await t.receiver.start();
    t.session.start();
    await waitFor(() => t.outbox.backlog("city").pending === 0, 15_000, "backlog drained");
    assert.equal(t.receiver.distinctQns(), 100);
    assert.ok(t.receiver.stats.droppedAcks >= 10, `dropped ${t.receiver.stats.droppedAcks}`);
    assert.ok(t.receiver.received.length > 100, "some packets were sent twice");
    assert.ok(t.session.state().retransmits >= 10);
    assert.equal(t.outbox.backlog("city").acked, 100);
  } finally {
    await t.close();
  }
});

test("a platform that is down at first is reached when it comes up, and the backlog follows", async () => {
  const t = await setup(20, {});
  try {
    t.session.start();
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal(t.session.state().connected, false);
    assert.ok(t.session.state().reconnects >= 1);
    assert.equal(t.outbox.backlog("city").pending, 20);
    await t.receiver.start();
    await waitFor(() => t.outbox.backlog("city").pending === 0, 10_000, "backlog drained after the platform came up");
    assert.equal(t.receiver.distinctQns(), 20);
  } finally {
    await t.close();
  }
});

test("a wrong password is never acknowledged, so nothing is marked delivered", async () => {
  const t = await setup(3, { pw: "other" });
  try {
    await t.receiver.start();
    t.session.start();
    await waitFor(() => t.receiver.stats.wrongPw >= 3, 5000, "packets received");
    assert.equal(t.outbox.backlog("city").pending, 3);
  } finally {
    await t.close();
  }
});
