// 10,000 garbage and mutated frames into the station's downlink: the session and request handler
// never crash, keep answering real requests, and memory stays roughly flat.
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildSegment, encodeFrame } from "../../../agent/uplink/hj212/codec.js";
import { MN } from "../../helpers/station.js";
import { harness, PW } from "./harness.js";

/** A small deterministic PRNG, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const SEEDS = [
  buildSegment({ qn: "20260101080000000", st: "22", cn: "2061", pw: PW, mn: MN, flag: 5 }, "BeginTime=20260101080000,EndTime=20260101081000"),
  buildSegment({ qn: "20260101080000001", st: "22", cn: "1062", pw: PW, mn: MN, flag: 5 }, "RtdInterval=30"),
  buildSegment({ qn: "20260101080000002", st: "22", cn: "1000", pw: PW, mn: MN, flag: 5 }, "OverTime=5;ReCount=3"),
  buildSegment({ qn: "20260101080000003", st: "22", cn: "3020", pw: PW, mn: MN, flag: 5 }, "PolId=a05024;InfoId=i12001"),
  buildSegment({ qn: "20260101080000004", st: "91", cn: "9014", pw: PW, mn: MN, flag: 4 }, ""),
];

function mutate(r: () => number): string {
  const kind = Math.floor(r() * 5);
  if (kind === 0) return Buffer.from(Array.from({ length: Math.floor(r() * 200) }, () => Math.floor(r() * 256))).toString("latin1");
  const frame = encodeFrame(SEEDS[Math.floor(r() * SEEDS.length)]);
  const chars = [...frame];
  if (kind === 1) for (let i = 0; i < 1 + r() * 4; i++) chars[Math.floor(r() * chars.length)] = String.fromCharCode(Math.floor(r() * 128));
  if (kind === 2) return frame.slice(0, Math.floor(r() * frame.length));
  if (kind === 3) return frame.replace(/CP=&&.*&&/, `CP=&&${"x=;,&".repeat(Math.floor(r() * 50))}&&`);
  return chars.join("");
}

test("10,000 garbage and mutated frames: no crash, still answering, memory roughly flat", { timeout: 50_000 }, async () => {
  // Big ack timeouts: the fuzz's 1000s and 1062s must not make the session reconnect underneath us.
  const h = await harness({ platform: { ack_timeout_s: 30 } });
  try {
    const r = rng(212);
    const warm = () => Array.from({ length: 1000 }, () => mutate(r)).join("");
    h.receiver.sendRaw(warm());
    await new Promise((res) => setTimeout(res, 300));
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    for (let batch = 0; batch < 9; batch++) {
      h.receiver.sendRaw(warm());
      await new Promise((res) => setTimeout(res, 100));
    }
    await new Promise((res) => setTimeout(res, 500));
    global.gc?.();
    const after = process.memoryUsage().heapUsed;
    assert.ok(h.session.connected, "still connected");
    // Still answering real requests after the storm.
    const ans = await h.ask("1011", "", { timeoutMs: 10_000 });
    assert.deepEqual(ans.cns, ["9011", "1011", "9012"]);
    assert.ok(h.session.state().badFrames > 100, `bad frames counted: ${h.session.state().badFrames}`);
    assert.ok(after - before < 64 * 1024 * 1024, `heap grew by ${((after - before) / 1e6).toFixed(1)} MB`);
  } finally {
    await h.close();
  }
});
