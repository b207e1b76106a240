// RF=1 (HJ 212-2025 补传) over real sockets: on the backlog, on packets re-queued by resend and on
// retransmissions; never on live packets, and never on an HJ 212-2017 link.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ReceivedPacket } from "../../../agent/uplink/receiver.js";
import { waitFor } from "../../helpers/station.js";
import { linkHarness } from "./link-harness.js";

const minute = (i: number, lane?: "resend" | "request") => ({ platform: "city", cn: "2051", dataTime: i, cp: `DataTime=20260101080${i}00;a05024-Avg=${i},a05024-Flag=N`, ackRequired: true, lane });
const rfByQn = (received: ReceivedPacket[]) => {
  const out = new Map<string, (number | undefined)[]>();
  for (const p of received) if (p.frame.header.cn === "2051") out.set(p.frame.header.qn!, [...(out.get(p.frame.header.qn!) ?? []), p.frame.header.rf]);
  return out;
};

test("2025: live and requested packets without RF, resend lane and a retransmission with RF=1", async () => {
  const h = await linkHarness({ receiver: { dropAckEvery: 4 } });
  try {
    await h.connect();
    const [a, b, c, d] = h.outbox.enqueue([minute(1), minute(2, "resend"), minute(3, "request"), minute(4)]);
    h.session.kick();
    await waitFor(() => h.outbox.backlog("city").pending === 0, 5000, "all acknowledged");
    const rf = rfByQn(h.receiver.received);
    // First send as the lane says; any send after it (its ack was dropped) is a 补传.
    const check = (qn: string, first: number | undefined, what: string) => {
      const sends = rf.get(qn)!;
      assert.equal(sends[0], first, what);
      assert.ok(sends.slice(1).every((x) => x === 1), `${what}: sent again with RF=1`);
    };
    check(a.qn, undefined, "live");
    check(b.qn, 1, "re-queued by resend");
    check(c.qn, undefined, "answer to a history request");
    check(d.qn, undefined, "live");
    assert.ok([...rf.values()].some((v) => v.length > 1), "one packet's ack was dropped and it went out again");
  } finally {
    await h.close();
  }
});

test("2025: what was pending when the connection came up (an outage, a restart) goes out with RF=1", async () => {
  const h = await linkHarness();
  try {
    h.outbox.enqueue([minute(1), minute(2)]);
    await h.connect();
    await waitFor(() => h.outbox.backlog("city").pending === 0, 5000, "backlog acknowledged");
    assert.deepEqual([...rfByQn(h.receiver.received).values()], [[1], [1]]);
  } finally {
    await h.close();
  }
});

test("2017: no RF field at all, backlog or not", async () => {
  const h = await linkHarness({ platform: { protocol: "hj212-2017" } });
  try {
    h.outbox.enqueue([minute(1), minute(2, "resend")]);
    await h.connect();
    await waitFor(() => h.outbox.backlog("city").pending === 0, 5000, "backlog acknowledged");
    assert.ok(h.receiver.received.every((p) => !p.frame.segment.includes("RF=")));
    assert.ok(h.receiver.received.every((p) => p.frame.header.flag === 5));
  } finally {
    await h.close();
  }
});
