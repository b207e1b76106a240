import { test } from "node:test";
import assert from "node:assert/strict";
import { crcHex, hj212Crc, modbusCrc, swapBytes } from "../../../../agent/uplink/hj212/crc.js";

// Vectors from test/fixtures/hj212.md ("Frame").
test("CRC vectors", () => {
  const cases: Array<[string, string, string]> = [
    // input, HJ 212 CRC, Modbus CRC
    ["", "FFFF", "FFFF"],
    ["123456789", "2F80", "4B37"],
    [
      "QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&",
      "1C80",
      crcHex(modbusCrc(Buffer.from("QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&"))),
    ],
  ];
  for (const [input, hj, mb] of cases) {
    const bytes = Buffer.from(input, "utf8");
    assert.equal(crcHex(hj212Crc(bytes)), hj, `HJ 212 CRC of ${JSON.stringify(input)}`);
    assert.equal(crcHex(modbusCrc(bytes)), mb, `Modbus CRC of ${JSON.stringify(input)}`);
  }
});

test("HJ 212 CRC covers UTF-8 bytes, and accepts Uint8Array", () => {
  const text = "仪器校准";
  assert.equal(hj212Crc(new Uint8Array(Buffer.from(text, "utf8"))), hj212Crc(Buffer.from(text, "utf8")));
  assert.notEqual(hj212Crc(Buffer.from(text, "utf8")), hj212Crc(Buffer.from(text, "utf16le")));
});

test("crcHex is 4 uppercase digits; swapBytes", () => {
  const cases: Array<[number, string]> = [[0, "0000"], [0xabc, "0ABC"], [0x2f80, "2F80"], [0x1ffff, "FFFF"]];
  for (const [n, want] of cases) assert.equal(crcHex(n), want);
  assert.equal(crcHex(swapBytes(0x4b37)), "374B");
});
