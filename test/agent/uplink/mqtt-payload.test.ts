// Topics and payloads of the MQTT uplink (pure): kinds by CN, the HJ 212 frame whole up to what
// its length field can declare, split into PNUM frames (in one message) beyond.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mqttKind, mqttPayload, mqttTopic } from "../../../agent/uplink/mqtt-payload.js";
import { decodeFrame } from "../../../agent/uplink/hj212/codec.js";
import type { Packet } from "../../../agent/types.js";
import { sealCp } from "../../../agent/audit/seal-packet.js";

const MN = "010000A8900016F000169DC0";
const packet = (cn: string, cp: string): Packet => ({ id: 1, platform: "b", qn: "20260101080000123", cn, dataTime: Date.UTC(2026, 0, 1), cp, ackRequired: true, createdAt: 0, attempts: 0, ackedAt: null });
const opts = { payload: "hj212" as const, st: "22", pw: "123456", hj212_version: "hj212-2025" as const, mn: MN, station: { mn: MN, name: "T" }, tz: "Asia/Shanghai" };

test("topic kinds follow the CN; a 3020 is an audit seal or an alarm; a trailing slash in the prefix is not doubled", () => {
  assert.deepEqual(["2011", "2051", "2061", "2031", "2021", "2041", "3020", "9999"].map((cn) => mqttKind(cn, "DataTime=20260101080000;i12001-Info=x")), ["realtime", "minute", "hour", "day", "status", "runtime", "alarm", "cn9999"]);
  const seal = sealCp({ keyId: "k1", epoch: 3, ts: Date.UTC(2026, 0, 1), kind: "interval", audit: { id: 5, hash: "ab" }, readings: null, tables: "cd", prev: "", mac: "ef" }, "Asia/Shanghai");
  assert.equal(mqttKind("3020", seal), "audit-seal");
  assert.equal(mqttTopic("stations/", MN, "minute"), `stations/${MN}/minute`);
  assert.equal(mqttTopic("env/air", MN, "state"), `env/air/${MN}/state`);
});

test("hj212 payload: one frame over 1024 bytes stays whole; over 9999 bytes it becomes PNUM frames in one message", () => {
  const items = (n: number) => Array.from({ length: n }, (_, i) => `a${String(i).padStart(5, "0")}-Avg=${i}.5,a${String(i).padStart(5, "0")}-Flag=N`).join(";");
  const mid = mqttPayload(packet("2051", `DataTime=20260101080000;${items(60)}`), opts);
  assert.equal(mid.match(/##\d{4}/g)!.length, 1);
  const f = decodeFrame(mid);
  assert.ok(f.segment.length > 1024);
  assert.equal(f.header.flag, 8, "HJ 212-2025, no ack asked: the PUBACK is the ack");
  assert.equal(f.header.pw, "123456");

  const big = mqttPayload(packet("2051", `DataTime=20260101080000;${items(600)}`), opts);
  const frames = big.split("\r\n").filter(Boolean).map((x) => decodeFrame(`${x}\r\n`));
  assert.ok(frames.length >= 2);
  assert.ok(frames.every((x) => x.cp.startsWith("DataTime=20260101080000;") && x.header.pnum === frames.length && x.header.flag === 10));
  assert.deepEqual(frames.map((x) => x.header.pno), frames.map((_, i) => i + 1));
  const all = frames.flatMap((x) => x.cp.split(";").slice(1));
  assert.equal(all.length, 600, "every item once");
});

test("json payload is the http-json body", () => {
  const body = JSON.parse(mqttPayload(packet("2011", "DataTime=20260101080000;a05024-Rtd=3.5,a05024-Flag=N"), { ...opts, payload: "json" }));
  assert.deepEqual(body, { station: { mn: MN, name: "T" }, qn: "20260101080000123", cn: "2011", dataTime: "2026-01-01T08:00:00+08:00", kind: "realtime", values: [{ code: "a05024", rtd: 3.5, flag: "N" }] });
});
