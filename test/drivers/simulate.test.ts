// drivers/simulate.ts and sim/*: the simulator's tables, controls and Modbus application layer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SimulatedDevice, crc16 } from "../../drivers/simulate.js";
import { handlePdu } from "../../drivers/sim/pdu.js";
import { rtuFrame } from "../../drivers/sim/rtu.js";
import { bit, coil, defineModbusDriver, int16, register, uint16 } from "../../drivers/define.js";
import { getModbusDriver } from "../../drivers/index.js";
import { decodePoll, planAnalyzer, resolveState } from "../../agent/bus/readings.js";
import { analyzerSchema } from "../../config/schema.js";

const t400 = getModbusDriver("teledyne-t400")!;

// A made-up instrument exercising register states (instruments.md §3 style status word and §4 bit mask).
const synthetic = defineModbusDriver({
  id: "test-synthetic",
  version: 2,
  models: ["X"],
  description: "test only",
  fields: [int16({ channel: "temp", fc: 3, address: 7, scale: 0.1, unit: "°C", sim: { base: -5.5 } }), uint16({ channel: "count", fc: 3, address: 8, unit: "" })],
  states: [
    register({ fc: 3, address: 0x10, equals: 3, state: "zero", flag: "C" }),
    register({ fc: 3, address: 0x10, equals: 10, state: "maintenance", flag: "M" }),
    register({ fc: 3, address: 6, mask: 0x04, state: "fault", flag: "D" }),
    register({ fc: 3, address: 6, mask: 0x20, state: "ready", flag: "F", inverted: true }),
    bit({ fc: 1, address: 3, state: "span", flag: "C" }),
  ],
  commands: { zero: coil(100) },
});

test("crc16 matches the Modbus reference frame 01 03 00 00 00 0A C5 CD", () => {
  assert.equal(crc16(Buffer.from([0x01, 0x03, 0x00, 0x00, 0x00, 0x0a])), 0xcdc5);
  assert.deepEqual([...rtuFrame(1, Buffer.from([0x03, 0x00, 0x00, 0x00, 0x0a]))].slice(-2), [0xc5, 0xcd]);
});

test("same seed, same values; pinned values are served exactly", () => {
  let now = 1_000_000;
  const a = new SimulatedDevice(t400, { seed: 42, now: () => now });
  const b = new SimulatedDevice(t400, { seed: 42, now: () => now });
  for (let i = 0; i < 5; i++, now += 10_000) assert.deepEqual(a.readRegisters(4, 0, 46), b.readRegisters(4, 0, 46));
  const o3 = t400.fields.find((f) => f.channel === "o3")!;
  const v = a.valueOf(o3);
  assert.ok(v > 10 && v < 70, `plausible ozone ${v}`);
  a.set("o3", 12.5);
  a.readRegisters(4, 18, 2);
  assert.equal(a.lastServed("o3"), 12.5);
  assert.throws(() => a.set("nope", 1), /no channel/);
  assert.throws(() => a.force("maintenance"), /defines no state "maintenance"/);
});

test("register states: equals, mask and inverted mask are served and read back", () => {
  const dev = new SimulatedDevice(synthetic, { seed: 1 });
  const analyzer = analyzerSchema.parse({ id: "x", driver: "test-synthetic", bus: "b" });
  const plan = planAnalyzer(analyzer, synthetic);
  const poll = () => {
    const responses = plan.requests.map((request) => ({
      request,
      data: request.fc <= 2 ? dev.readBits(request.fc as 1 | 2, request.address, request.count) : Uint16Array.from(dev.readRegisters(request.fc as 3 | 4, request.address, request.count)),
      ts: 1,
    }));
    return decodePoll(plan, responses);
  };
  assert.deepEqual(dev.readRegisters(3, 6, 1), [0x20], "ready bit set when not forced");
  let p = poll();
  assert.deepEqual([p.state.state, p.state.flag], ["ok", "N"]);
  assert.equal(p.readings.find((r) => r.channel === "temp")!.value, -5.5);
  for (const [state, flag, word] of [["zero", "C", null], ["maintenance", "M", 10], ["fault", "D", null], ["ready", "F", null], ["span", "C", null]] as const) {
    dev.force(state);
    p = poll();
    assert.deepEqual([p.state.state, p.state.flag], [state, flag]);
    if (word !== null) assert.deepEqual(dev.readRegisters(3, 0x10, 1), [word]);
  }
  dev.force(null);
  handlePdu(dev, Buffer.from([5, 0, 100, 0xff, 0])); // command "zero" ON
  assert.deepEqual([poll().state.state, poll().state.flag], ["zero", "C"]);
});

test("flag precedence F > D > M > C > T", () => {
  const s = (state: string, flag: "F" | "D" | "M" | "C" | "T") => ({ state, flag });
  assert.equal(resolveState([s("a", "T"), s("b", "C"), s("c", "M")]).flag, "M");
  assert.equal(resolveState([s("a", "C"), s("b", "D")]).state, "b");
  assert.equal(resolveState([s("a", "D"), s("b", "F")]).state, "b");
  assert.deepEqual(resolveState([]), { state: "ok", flag: "N", active: [] });
});

test("PDU layer: reads, writes and exceptions", () => {
  const dev = new SimulatedDevice(t400, { seed: 1 });
  // FC02 from 19, 6 bits: only DI 24 (SYSTEM_OK) set → bit 5 of the first byte.
  assert.deepEqual([...handlePdu(dev, Buffer.from([2, 0, 19, 0, 6]))], [2, 1, 0x20]);
  assert.deepEqual([...handlePdu(dev, Buffer.from([3, 0, 0, 0, 126]))], [0x83, 3], "over 125 registers");
  assert.deepEqual([...handlePdu(dev, Buffer.from([4, 0xff, 0xff, 0, 2]))], [0x84, 2], "past the address space");
  assert.deepEqual([...handlePdu(dev, Buffer.from([5, 0, 20, 0x12, 0x34]))], [0x85, 3], "coil value must be FF00/0000");
  assert.deepEqual([...handlePdu(dev, Buffer.from([43, 14, 1, 0, 0]))], [0xab, 1], "unsupported function");
  assert.deepEqual([...handlePdu(dev, Buffer.from([15, 0, 20, 0, 3, 1, 0b101]))], [15, 0, 20, 0, 3]);
  assert.deepEqual([...handlePdu(dev, Buffer.from([1, 0, 20, 0, 3]))], [1, 1, 0b101]);
  assert.deepEqual([...handlePdu(dev, Buffer.from([6, 0, 4, 0xab, 0xcd]))], [6, 0, 4, 0xab, 0xcd]);
  assert.deepEqual([...handlePdu(dev, Buffer.from([3, 0, 4, 0, 1]))], [3, 2, 0xab, 0xcd]);
  assert.deepEqual(dev.writes().map((w) => [w.fc, w.address, w.values]), [[15, 20, [true, false, true]], [6, 4, [0xabcd]]]);
  dev.exception(6);
  assert.deepEqual([...handlePdu(dev, Buffer.from([4, 0, 18, 0, 2]))], [0x84, 6]);
});
