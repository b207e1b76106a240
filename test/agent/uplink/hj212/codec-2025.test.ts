// HJ 212-2025 header fields (Table 3): RF between PNUM/PNO and CP, Flag version 0010.
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildSegment, decodeFrame, encodeFrame, flagBits, parseFlag } from "../../../../agent/uplink/hj212/codec.js";
import { splitIntoPackets } from "../../../../agent/uplink/hj212/split.js";

const H = { qn: "20260101080000000", st: "22", cn: "2051", pw: "123456", mn: "010000A8900016F000169DC0" };

test("field order QN;ST;CN;PW;MN;Flag;PNUM;PNO;RF;CP and Flag 8–11", () => {
  assert.equal(flagBits("hj212-2025", { ack: false }), 8);
  assert.equal(flagBits("hj212-2025", { ack: true }), 9);
  assert.equal(flagBits("hj212-2025", { ack: true, split: true }), 11);
  assert.deepEqual(parseFlag(9), { version: 2, split: false, ack: true });
  assert.equal(buildSegment({ ...H, flag: 9, rf: true }, "a=1"), "QN=20260101080000000;ST=22;CN=2051;PW=123456;MN=010000A8900016F000169DC0;Flag=9;RF=1;CP=&&a=1&&");
  assert.equal(buildSegment({ ...H, flag: 11, pnum: 2, pno: 1, rf: true }, "a=1"), "QN=20260101080000000;ST=22;CN=2051;PW=123456;MN=010000A8900016F000169DC0;Flag=11;PNUM=2;PNO=1;RF=1;CP=&&a=1&&");
  assert.equal(buildSegment({ ...H, flag: 9, rf: false }, "a=1").includes("RF"), false, "no RF=0: a live packet carries none");
});

test("the decoder accepts RF (1, and a lenient sender's 0) and refuses anything else", () => {
  const seg = (rf: string) => `QN=20260101080000000;ST=22;CN=2051;PW=123456;MN=010000A8900016F000169DC0;Flag=9;RF=${rf};CP=&&a=1&&`;
  assert.equal(decodeFrame(encodeFrame(seg("1"))).header.rf, 1);
  assert.equal(decodeFrame(encodeFrame(seg("0"))).header.rf, 0);
  assert.throws(() => decodeFrame(encodeFrame(seg("2"))), /RF="2" is malformed/);
  assert.throws(() => decodeFrame(encodeFrame(seg("1").replace("RF=1;", "RF=1;RF=1;"))), /RF appears twice/);
});

test("split packets keep RF on every part", () => {
  const items = Array.from({ length: 60 }, (_, i) => `a${String(i).padStart(5, "0")}-Avg=${i}.123456,a${String(i).padStart(5, "0")}-Flag=N`);
  const parts = splitIntoPackets({ ...H, flag: 9, rf: true }, items, 1024, ["DataTime=20260101080000"]);
  assert.ok(parts.length > 1);
  for (const p of parts) {
    assert.match(p, /;PNO=\d+;RF=1;CP=&&DataTime=/);
    assert.equal(decodeFrame(encodeFrame(p)).header.rf, 1);
  }
});
