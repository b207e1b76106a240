// Split packets as HJ 212-2017 C.49/C.50 show them, against a platform written here on a real TCP
// socket: each part its own QN and its own 9014, one part at a time, a part whose ack is lost sent
// again alone (same QN), the packet delivered when every part is; the parts survive a restart.
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { join } from "node:path";
import { EventBus } from "../../../agent/events.js";
import { silentLogger } from "../../../agent/log.js";
import { openDb } from "../../../agent/store/db.js";
import { buildSegment, decodeFrame, encodeFrame, parseFlag, type DecodedFrame } from "../../../agent/uplink/hj212/codec.js";
import { FrameReader } from "../../../agent/uplink/hj212/frames.js";
import { Outbox } from "../../../agent/uplink/outbox.js";
import { PlatformSession } from "../../../agent/uplink/session.js";
import { MN, tempDir, waitFor } from "../../helpers/station.js";
import { platformConfig, T0 } from "./harness.js";

test("each part its own QN and 9014, sent one at a time; a lost ack resends that part alone; delivered when all are", async () => {
  const frames: DecodedFrame[] = [];
  let dropped = false;
  const server = net.createServer((s) => {
    const reader = new FrameReader();
    s.on("data", (chunk) => {
      for (const raw of reader.push(chunk)) {
        const f = decodeFrame(raw);
        frames.push(f);
        if (f.header.pno === 2 && !dropped) {
          dropped = true; // the first 9014 of part 2 is lost
          continue;
        }
        s.write(encodeFrame(buildSegment({ qn: f.header.qn, st: "91", cn: "9014", pw: f.header.pw!, mn: f.header.mn!, flag: 4 }, "")));
      }
    });
    s.on("error", () => {});
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as net.AddressInfo).port;
  const { dir, cleanup } = tempDir();
  const db = openDb(join(dir, "s.db"));
  const outbox = new Outbox(db, "Asia/Shanghai");
  const session = new PlatformSession(platformConfig(port), { outbox, events: new EventBus(), log: silentLogger, stationMn: MN });
  try {
    const items = Array.from({ length: 60 }, (_, i) => `a${String(i).padStart(5, "0")}-Avg=${i}.123,a${String(i).padStart(5, "0")}-Flag=N`);
    const [p] = outbox.enqueue([{ platform: "city", cn: "2051", dataTime: T0, cp: ["DataTime=20260101080000", ...items].join(";"), ackRequired: true }]);
    session.start();
    await waitFor(() => outbox.backlog("city").pending === 0, 8000, "split packet delivered");
    const parts = frames.filter((f) => f.header.cn === "2051");
    const pnum = parts[0].header.pnum!;
    assert.ok(pnum >= 2);
    const qns = [...new Set(parts.map((f) => f.header.qn))];
    assert.equal(qns.length, pnum, "one QN per part");
    assert.ok(!qns.includes(p.qn), "parts carry their own QNs, not the packet's");
    assert.deepEqual(parts.map((f) => f.header.pno), [1, 2, 2, ...Array.from({ length: pnum - 2 }, (_, i) => i + 3)], "part 2 again alone before part 3");
    for (const f of parts) {
      assert.deepEqual(parseFlag(f.header.flag!), { version: 1, split: true, ack: true });
      assert.ok(Buffer.byteLength(f.segment) <= 1024);
      assert.match(f.cp, /^DataTime=20260101080000;/, "DataTime in every part");
    }
    assert.equal(parts[1].header.qn, parts[2].header.qn, "the resent part keeps its QN");
    assert.ok(outbox.get("city", p.qn)?.ackedAt, "the packet is delivered");
    // Delivered by its last part's 9014, not by waiting out an ack timeout for the packet's own QN
    // (which never goes on the wire): only the part whose ack was lost went twice.
    assert.equal(session.state().retransmits, 1);
    assert.equal(session.state().unknownAcks, 0);
    assert.equal(session.state().acked, 1);

    // The parts are durable: a restarted outbox gives them back with the same QNs.
    const again = new Outbox(db, "Asia/Shanghai").parts.of(p.id, "city", () => assert.fail("not made again"));
    assert.deepEqual(again.map((x) => x.qn), qns);
    assert.ok(new Outbox(db, "Asia/Shanghai").nextQn() > qns.at(-1)!, "the QN clock resumes after the parts' QNs");
  } finally {
    await session.stop();
    await new Promise<void>((r) => server.close(() => r()));
    db.close();
    cleanup();
  }
});
