// drivers/codec.ts: every type × word order × scale, both directions, as a table.
import { test } from "node:test";
import assert from "node:assert/strict";
import { decode, encode, wordsToBuffer } from "../../drivers/codec.js";
import { REGISTER_TYPES, WORD_ORDERS, type RegisterType, type WordOrder } from "../../drivers/types.js";

// [name, words on the wire, type, order, scale, value]
const cases: Array<[string, number[], RegisterType, WordOrder, number, number]> = [
  ["uint16 plain", [0x1234], "uint16", "ABCD", 1, 0x1234],
  ["uint16 byte swapped (BADC)", [0x3412], "uint16", "BADC", 1, 0x1234],
  ["uint16 byte swapped (DCBA)", [0x3412], "uint16", "DCBA", 1, 0x1234],
  ["uint16 CDAB is plain for one word", [0x1234], "uint16", "CDAB", 1, 0x1234],
  ["uint16 max", [0xffff], "uint16", "ABCD", 1, 65535],
  ["int16 -1", [0xffff], "int16", "ABCD", 1, -1],
  ["int16 min", [0x8000], "int16", "ABCD", 1, -32768],
  ["int16 ×0.1 negative temperature (XY-MD02, instruments.md §6)", [0xff9c], "int16", "ABCD", 0.1, -10],
  ["int16 ×0.1 -12.3", [0xff85], "int16", "ABCD", 0.1, -12.3],
  ["uint16 ×0.1 noise dB (instruments.md §5)", [652], "uint16", "ABCD", 0.1, 65.2],
  ["uint16 ×0.01", [2345], "uint16", "ABCD", 0.01, 23.45],
  ["uint16 ×10", [123], "uint16", "ABCD", 10, 1230],
  ["int32 ABCD", [0x0001, 0x0002], "int32", "ABCD", 1, 65538],
  ["int32 CDAB", [0x0002, 0x0001], "int32", "CDAB", 1, 65538],
  ["int32 BADC", [0x0100, 0x0200], "int32", "BADC", 1, 65538],
  ["int32 DCBA", [0x0200, 0x0100], "int32", "DCBA", 1, 65538],
  ["int32 -2 ABCD", [0xffff, 0xfffe], "int32", "ABCD", 1, -2],
  ["int32 -2 CDAB", [0xfffe, 0xffff], "int32", "CDAB", 1, -2],
  ["int32 min", [0x8000, 0x0000], "int32", "ABCD", 1, -2147483648],
  ["int32 ×0.001", [0xffff, 0xd8f0], "int32", "ABCD", 0.001, -10],
  ["uint32 max", [0xffff, 0xffff], "uint32", "ABCD", 1, 4294967295],
  ["uint32 CDAB", [0x5678, 0x1234], "uint32", "CDAB", 1, 0x12345678],
  ["uint32 DCBA", [0x7856, 0x3412], "uint32", "DCBA", 1, 0x12345678],
  ["uint32 BADC", [0x3412, 0x7856], "uint32", "BADC", 1, 0x12345678],
  ["float32 ABCD 1.0", [0x3f80, 0x0000], "float32", "ABCD", 1, 1],
  ["float32 ABCD 40.5 ppb", [0x4222, 0x0000], "float32", "ABCD", 1, 40.5],
  ["float32 CDAB 40.5 (Thermo, DBS)", [0x0000, 0x4222], "float32", "CDAB", 1, 40.5],
  ["float32 BADC -2.5", [0x20c0, 0x0000], "float32", "BADC", 1, -2.5],
  ["float32 DCBA -2.5", [0x0000, 0x20c0], "float32", "DCBA", 1, -2.5],
  ["float32 ×1000 (kPa → Pa)", [0x42ca, 0x0000], "float32", "ABCD", 1000, 101000],
  ["float32 Infinity", [0x7f80, 0x0000], "float32", "ABCD", 1, Infinity],
  ["float32 -Infinity", [0xff80, 0x0000], "float32", "ABCD", 1, -Infinity],
];

for (const [name, words, type, order, scale, value] of cases) {
  test(`decode ${name}`, () => {
    assert.equal(decode(words, type, order, scale), value);
    assert.equal(decode(Uint16Array.from(words), type, order, scale), value);
  });
  test(`encode ${name}`, () => {
    assert.deepEqual(encode(value, type, order, scale), words);
  });
}

test("float32 NaN decodes to NaN and encodes to a quiet NaN, in every order", () => {
  for (const order of WORD_ORDERS) {
    const words = encode(NaN, "float32", order);
    assert.ok(Number.isNaN(decode(words, "float32", order)), order);
  }
  assert.deepEqual(encode(NaN, "float32", "ABCD"), [0x7fc0, 0x0000]);
  assert.ok(Number.isNaN(decode([0x7fc0, 0x0000], "float32", "ABCD")));
  assert.ok(Number.isNaN(decode([0xffff, 0xffff], "float32", "ABCD")));
});

test("integers cannot be NaN", () => {
  for (const type of ["int16", "uint16", "int32", "uint32"] as const) assert.throws(() => encode(NaN, type), RangeError);
});

test("integers saturate at their range and round to nearest", () => {
  assert.deepEqual(encode(70000, "uint16"), [0xffff]);
  assert.deepEqual(encode(-5, "uint16"), [0]);
  assert.deepEqual(encode(40000, "int16"), [0x7fff]);
  assert.deepEqual(encode(-40000, "int16"), [0x8000]);
  assert.deepEqual(encode(2 ** 40, "int32"), [0x7fff, 0xffff]);
  assert.deepEqual(encode(-1, "uint32"), [0, 0]);
  assert.deepEqual(encode(23.46, "uint16", "ABCD", 0.1), [235]);
});

test("decode wants enough words", () => {
  assert.throws(() => decode([1], "float32"), RangeError);
  assert.throws(() => decode([], "uint16"), RangeError);
});

test("round trip: every type × order × scale", () => {
  const samples: Record<RegisterType, number[]> = {
    int16: [-32768, -1234, -1, 0, 1, 32767],
    uint16: [0, 1, 4660, 65535],
    int32: [-2147483648, -70000, -1, 0, 70000, 2147483647],
    uint32: [0, 1, 70000, 4294967295],
    float32: [0, -0.5, 1.5, 40.25, -1234.5, 1e30],
  };
  for (const type of REGISTER_TYPES)
    for (const order of WORD_ORDERS)
      for (const scale of [1, 0.1, 0.01, 10])
        for (const raw of samples[type]) {
          const value = type === "float32" ? raw : decode(encode(raw, type, order, 1), type, order, scale);
          const back = decode(encode(value, type, order, scale), type, order, scale);
          if (type === "float32") assert.ok(Math.abs(back - value) <= Math.abs(value) * 1e-6 + 1e-6, `${type} ${order} ×${scale} ${value} → ${back}`);
          else assert.equal(back, value, `${type} ${order} ×${scale}`);
        }
});

test("wordsToBuffer is big-endian, as on the wire", () => {
  assert.deepEqual([...wordsToBuffer([0x4222, 0x0001])], [0x42, 0x22, 0x00, 0x01]);
});
