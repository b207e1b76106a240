// hj212-serial (driver kind "hj212"): an instrument that sends HJ 212 frames itself, on a real serial
// line (socat pty pair; the kind is serial only, so there is no TCP half). Each -Rtd becomes a reading
// with its own -Flag, codes are kept or remapped, the known CRC quirks are accepted and named, a garbled
// frame is counted and dropped, silence is B.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { getDriver } from "../../drivers/index.js";
import type { Hj212SerialDefinition } from "../../drivers/types.js";
import { probeOnce } from "../../agent/bus/poller.js";
import { frameReadings, planHj212 } from "../../agent/bus/hj212-serial.js";
import { buildSegment, encodeFrame } from "../../agent/uplink/hj212/codec.js";
import { configSchema } from "../../config/schema.js";
import type { Hj212SimDevice } from "../../drivers/sim/hj212-serial.js";
import { canRunRtu, driverRig, reading } from "./harness.js";

const driver = getDriver("hj212-serial") as Hj212SerialDefinition;
const analyzer = (extra: Record<string, unknown> = {}) =>
  configSchema.parse({ station: { name: "t", mn: "STATIONAGENTTEST01" }, storage: { path: ":memory:" }, buses: [{ id: "l", type: "rtu", path: "/dev/null" }],
    analyzers: [{ id: "cems", driver: "hj212-serial", bus: "l", ...extra }] }).analyzers[0];
const frame = (cp: string, crc: "standard" | "modbus" = "standard") =>
  encodeFrame(buildSegment({ qn: "20260102030405000", st: "31", cn: "2011", pw: "123456", mn: "HJ212SIMULATED0001", flag: 4 }, cp), crc);

test("hj212-serial: each -Rtd with its own -Flag, at DataTime; codes remapped or dropped by config", () => {
  const plan = planHj212(analyzer({ channels: { a19001: { code: "a19001z" }, a01014: { enabled: false } } }), driver);
  const rs = frameReadings(plan, frame("DataTime=20260102030400;a21026-Rtd=35.2,a21026-Flag=N;a21002-Rtd=88.5,a21002-Flag=C;a19001-Rtd=9.6;a01014-Rtd=7,a01014-Flag=N;a34013-Rtd=,a34013-Flag=D"));
  assert.deepEqual(rs.map((r) => [r.channel, r.code, r.value, r.flag]), [
    ["a21026", "a21026", 35.2, "N"],
    ["a21002", "a21002", 88.5, "C"],
    ["a19001", "a19001z", 9.6, "N"],
    ["a34013", "a34013", null, "D"],
  ]);
  assert.equal(rs[0].ts, Date.UTC(2026, 0, 1, 19, 4, 0), "DataTime in Asia/Shanghai");
  assert.equal(rs[1].raw!.toString(), "a21002-Rtd=88.5,a21002-Flag=C");
});

test("hj212-serial: the Modbus-CRC and lowercase quirks are accepted and counted by name; a wrong CRC throws", () => {
  const plan = planHj212(analyzer(), driver);
  assert.equal(frameReadings(plan, frame("DataTime=20260102030400;a21026-Rtd=1", "modbus"))[0].value, 1);
  // A value whose CRC has a hex letter, sent in lowercase.
  let v = 2;
  while (!/[A-F][0-9A-F]*\r\n$/.test(frame(`DataTime=20260102030400;a21026-Rtd=${v}`).slice(-6))) v++;
  const lower = frame(`DataTime=20260102030400;a21026-Rtd=${v}`).replace(/([0-9A-F]{4})\r\n$/, (m) => m.toLowerCase());
  assert.equal(frameReadings(plan, lower)[0].value, v);
  assert.deepEqual(plan.stats.quirks, { "modbus-crc": 1, "lowercase-crc": 1 });
  const bad = frame("DataTime=20260102030400;a21026-Rtd=3").replace(/[0-9A-F](\r\n)$/, (m, e) => (m[0] === "0" ? "1" : "0") + e);
  assert.throws(() => frameReadings(plan, bad), /CRC/);
});

test("hj212-serial over a serial line (socat pty): values and flags, a garbled frame dropped, silence B", { timeout: 60_000 }, async (t: TestContext) => {
  if (!canRunRtu(t)) return;
  const rig = await driverRig("rtu", [{ id: "cems", driver: "hj212-serial", interval_s: 0.2, timeout_ms: 300, channels: { a21026: {}, a19001: {} } }]);
  try {
    const sim = rig.sim.analyzer("cems") as Hj212SimDevice;
    sim.set("a21026", 41.5);
    sim.set("a19001", 8.25);
    sim.force("C");
    const r = await probeOnce(rig.analyzer("cems"), rig.bus);
    assert.ok(r.ok, !r.ok ? r.error.message : "");
    assert.deepEqual([reading(r, "a21026").value, reading(r, "a21026").flag, reading(r, "a21026").code], [41.5, "C", "a21026"]);
    assert.deepEqual([reading(r, "a19001").value, reading(r, "a19001").flag], [8.25, "C"]);
    // The known Modbus-CRC quirk on the wire is accepted.
    sim.force(null);
    sim.crc = "modbus";
    const q = await probeOnce(rig.analyzer("cems"), rig.bus);
    assert.ok(q.ok);
    assert.equal(reading(q, "a21026").flag, "N");
    sim.crc = "standard";
    // Garbled frames (a wrong CRC digit): dropped and said so; the readings are B, nothing crashes.
    sim.exception(1);
    const g = await probeOnce(rig.analyzer("cems"), rig.bus);
    assert.equal(g.ok, false);
    assert.match(!g.ok ? g.error.message : "", /dropped: .*CRC/);
    for (const x of g.readings) assert.deepEqual([x.flag, x.value], ["B", null]);
    sim.exception(null);
    // Silence: B for every channel known.
    sim.dead();
    const s = await probeOnce(rig.analyzer("cems"), rig.bus);
    assert.equal(s.ok, false);
    assert.deepEqual(s.readings.map((x) => [x.channel, x.flag]).sort(), [["a19001", "B"], ["a21026", "B"]]);
  } finally {
    await rig.stop();
  }
});
