import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  buildSegment,
  decodeFrame,
  encodeFrame,
  flagBits,
  Hj212FrameError,
  Hj212SegmentError,
  parseFlag,
  type Quirk,
} from "../../../../agent/uplink/hj212/codec.js";
import { crcHex, hj212Crc, modbusCrc, swapBytes } from "../../../../agent/uplink/hj212/crc.js";

const fixture = readFileSync(new URL("../../../fixtures/hj212.md", import.meta.url), "utf8");
const EXAMPLE = "QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&";
const MN = "010000A8900016F000169DC0";
// Chinese text makes bytes ≠ chars: 8 characters here are 24 UTF-8 bytes.
const CHINESE = `QN=20240101120000000;ST=32;CN=3020;PW=123456;MN=${MN};Flag=5;CP=&&DataTime=20240101120000;PolId=w01018,i11001-Info=仪器校准完成正常&&`;
const HISTORY_SEMI = `QN=20240101120000000;ST=32;CN=2061;PW=123456;MN=${MN};Flag=5;CP=&&BeginTime=20240101000000;EndTime=20240101235959&&`;
const OVERSIZE = `ST=32;CN=2011;PW=123456;MN=${MN};Flag=4;CP=&&DataTime=20240101120000;${Array.from({ length: 80 }, (_, i) => `a${String(i).padStart(5, "0")}-Rtd=1.5`).join(";")}&&`;

const bytes = (s: string): number => Buffer.byteLength(s, "utf8");
const len4 = (n: number): string => String(n).padStart(4, "0");
const crcOf = (s: string): string => crcHex(hj212Crc(Buffer.from(s, "utf8")));
/** A frame assembled by hand so each part can be made wrong on purpose. */
function frame(seg: string, o: { len?: string; crc?: string; end?: string } = {}): string {
  return `##${o.len ?? len4(bytes(seg))}${seg}${o.crc ?? crcOf(seg)}${o.end ?? "\r\n"}`;
}

test("the fixture still holds the 1062 example", () => {
  assert.ok(fixture.includes(EXAMPLE) && fixture.includes("length 0101, CRC 1C80"));
});

test("encodeFrame: length in UTF-8 bytes, uppercase HJ 212 CRC, CRLF", () => {
  const cases: Array<[string, string, string]> = [
    ["1062 example from the fixture", EXAMPLE, `##0101${EXAMPLE}1C80\r\n`],
    ["empty segment", "", "##0000FFFF\r\n"],
    ["Chinese text counts bytes", CHINESE, `##${len4(bytes(CHINESE))}${CHINESE}${crcOf(CHINESE)}\r\n`],
  ];
  for (const [name, seg, want] of cases) assert.equal(encodeFrame(seg), want, name);
  assert.notEqual(bytes(CHINESE), CHINESE.length);
});

test("encodeFrame refuses what a 4-digit length cannot carry, and CR/LF", () => {
  for (const seg of ["x".repeat(10_000), "ST=32\r\n"]) {
    assert.throws(() => encodeFrame(seg), (e: unknown) => e instanceof Hj212SegmentError && e.hj212Segment && e.field === "segment");
  }
  assert.doesNotThrow(() => encodeFrame("x".repeat(9999)));
});

test("buildSegment: standard field order, optional fields left out", () => {
  const base = { st: "32", cn: "1062", pw: "100000", mn: MN };
  const cases: Array<[string, Parameters<typeof buildSegment>[0], string, string]> = [
    ["1062 example", { ...base, qn: "20160801085857223", flag: 5 }, "RtdInterval=30", EXAMPLE],
    ["no QN, no Flag", base, "", `ST=32;CN=1062;PW=100000;MN=${MN};CP=&&&&`],
    ["split packet", { ...base, flag: 7, pnum: 3, pno: 2 }, "a=1", `ST=32;CN=1062;PW=100000;MN=${MN};Flag=7;PNUM=3;PNO=2;CP=&&a=1&&`],
  ];
  for (const [name, h, cp, want] of cases) assert.equal(buildSegment(h, cp), want, name);
});

test("buildSegment validates every field", () => {
  const ok = { st: "32", cn: "2011", pw: "123456", mn: MN };
  const cases: Array<[string, Parameters<typeof buildSegment>[0], string, string]> = [
    ["QN not 17 digits", { ...ok, qn: "2024" }, "", "QN"],
    ["ST with letters", { ...ok, st: "3a" }, "", "ST"],
    ["CN too long", { ...ok, cn: "20111" }, "", "CN"],
    ["PW with ;", { ...ok, pw: "12;456" }, "", "PW"],
    ["MN with &&", { ...ok, mn: "AB&&CD" }, "", "MN"],
    ["MN empty", { ...ok, mn: "" }, "", "MN"],
    ["Flag out of range", { ...ok, flag: 256 }, "", "Flag"],
    ["PNUM without PNO", { ...ok, pnum: 2 }, "", "PNUM"],
    ["PNO beyond PNUM", { ...ok, pnum: 2, pno: 3 }, "", "PNO"],
    ["CP with &&", ok, "a=1&&b=2", "CP"],
    ["CP with CRLF", ok, "a=1\r\n", "CP"],
  ];
  for (const [name, h, cp, field] of cases) {
    assert.throws(() => buildSegment(h, cp), (e: unknown) => e instanceof Hj212SegmentError && e.field === field, name);
  }
});

test("flagBits and parseFlag", () => {
  const cases: Array<["hj212-2017" | "hj212-2025", boolean, boolean, number]> = [
    ["hj212-2017", false, false, 4],
    ["hj212-2017", true, false, 5],
    ["hj212-2017", true, true, 7],
    ["hj212-2017", false, true, 6],
    ["hj212-2025", false, false, 8],
    ["hj212-2025", true, false, 9],
    ["hj212-2025", true, true, 11],
  ];
  for (const [protocol, ack, split, want] of cases) {
    assert.equal(flagBits(protocol, { ack, split }), want, `${protocol} ack=${ack} split=${split}`);
    assert.deepEqual(parseFlag(want), { version: protocol === "hj212-2017" ? 1 : 2, split, ack });
  }
  assert.deepEqual(parseFlag(1), { version: 0, split: false, ack: true }, "HJ 212-2005");
});

test("decodeFrame: valid frames", () => {
  const d = decodeFrame(`##0101${EXAMPLE}1C80\r\n`);
  assert.deepEqual(d, {
    segment: EXAMPLE,
    header: { qn: "20160801085857223", st: "32", cn: "1062", pw: "100000", mn: MN, flag: 5 },
    cp: "RtdInterval=30",
    quirks: [],
  });
  assert.deepEqual(decodeFrame(Buffer.from(encodeFrame(CHINESE))).cp, "DataTime=20240101120000;PolId=w01018,i11001-Info=仪器校准完成正常");
  const ack = decodeFrame(encodeFrame(`QN=20240101120000000;ST=91;CN=9014;PW=123456;MN=${MN};Flag=4;CP=&&&&`));
  assert.equal(ack.cp, "");
  const split = decodeFrame(encodeFrame(buildSegment({ st: "32", cn: "2061", pw: "1", mn: MN, flag: 7, pnum: 2, pno: 1 }, "a=1")));
  assert.deepEqual([split.header.pnum, split.header.pno], [2, 1]);
  // BeginTime/EndTime separated by ',' (C.22) or ';' (C.19–C.21): both standard, no quirk, even strict.
  assert.deepEqual(decodeFrame(encodeFrame(HISTORY_SEMI.replace(";EndTime", ",EndTime"))).quirks, []);
  assert.deepEqual(decodeFrame(encodeFrame(HISTORY_SEMI)).quirks, []);
});

const modbus = (s: string): string => crcHex(modbusCrc(Buffer.from(s, "utf8")));
const modbusSwapped = (s: string): string => crcHex(swapBytes(modbusCrc(Buffer.from(s, "utf8"))));
const lower = (s: string): string => {
  // The 1062 example's CRC 1C80 has a letter; find a segment whose CRC has one so lowercase differs.
  assert.match(crcOf(s), /[A-F]/);
  return crcOf(s).toLowerCase();
};

// Each known quirk: the frame, the reason strict mode must give, and what tolerant mode returns.
const QUIRK_CASES: Array<{ quirk: Quirk; frame: string; reason: RegExp; cp?: string }> = [
  { quirk: "modbus-crc", frame: frame(EXAMPLE, { crc: modbus(EXAMPLE) }), reason: new RegExp(`^CRC is a Modbus CRC \\(${modbus(EXAMPLE)}\\), HJ 212 CRC would be 1C80$`) },
  { quirk: "modbus-crc-swapped", frame: frame(EXAMPLE, { crc: modbusSwapped(EXAMPLE) }), reason: /byte-swapped Modbus CRC .* would be 1C80/ },
  { quirk: "lowercase-crc", frame: frame(EXAMPLE, { crc: lower(EXAMPLE) }), reason: /^CRC in lowercase hex \(1c80\)/ },
  {
    quirk: "length-in-chars",
    frame: frame(CHINESE, { len: len4(CHINESE.length) }),
    reason: new RegExp(`^length ${len4(CHINESE.length)} counts characters, the segment has ${bytes(CHINESE)} UTF-8 bytes$`),
    cp: "DataTime=20240101120000;PolId=w01018,i11001-Info=仪器校准完成正常",
  },
  { quirk: "missing-flag", frame: frame(EXAMPLE.replace("Flag=5;", "")), reason: /Flag is missing/ },
  { quirk: "missing-crlf", frame: frame(EXAMPLE, { end: "" }), reason: /does not end with CR LF/ },
  { quirk: "missing-crlf", frame: frame(EXAMPLE, { end: "\n" }), reason: /does not end with CR LF/ },
  { quirk: "empty-mn", frame: frame(EXAMPLE.replace(/MN=[^;]*;/, "MN=;")), reason: /field MN is empty/ },
];

test("each quirk: rejected with a named reason in strict mode, accepted and listed in tolerant mode", () => {
  for (const c of QUIRK_CASES) {
    assert.throws(
      () => decodeFrame(c.frame),
      (e: unknown) => e instanceof Hj212FrameError && e.hj212Frame && e.quirk === c.quirk && c.reason.test(e.reason),
      `strict ${c.quirk}`,
    );
    const d = decodeFrame(c.frame, { tolerant: true });
    assert.deepEqual(d.quirks, [c.quirk], `tolerant ${c.quirk}`);
    if (c.cp) assert.equal(d.cp, c.cp);
  }
});

test("oversize segments are accepted even in strict mode, and reported", () => {
  assert.ok(bytes(OVERSIZE) > 1024);
  for (const tolerant of [false, true]) {
    const d = decodeFrame(encodeFrame(OVERSIZE), { tolerant });
    assert.deepEqual(d.quirks, ["oversize"]);
    assert.equal(d.header.cn, "2011");
  }
});

test("several quirks at once are all listed; strict mode names the first", () => {
  const f = frame(EXAMPLE.replace("Flag=5;", ""), { crc: modbus(EXAMPLE.replace("Flag=5;", "")), end: "" });
  assert.deepEqual(decodeFrame(f, { tolerant: true }).quirks, ["missing-crlf", "modbus-crc", "missing-flag"]);
  assert.throws(() => decodeFrame(f), (e: unknown) => e instanceof Hj212FrameError && e.quirk === "missing-crlf");
});

// Broken frames that no mode accepts: reason pattern, and no quirk attached.
const BROKEN: Array<[string, string | Buffer, RegExp]> = [
  ["empty", "", /does not start with ##/],
  ["not a frame", "hello world\r\n", /does not start with ##/],
  ["vendor heartbeat", "HEARTBEAT\r\n", /does not start with ##/],
  ["only ##", "##\r\n", /no 4-digit length/],
  ["length not digits", `##01a1${EXAMPLE}1C80\r\n`, /length field "01a1" is not 4 decimal digits/],
  ["bad CRC", frame(EXAMPLE, { crc: "1234" }), /^CRC 1234 does not match the segment: HJ 212 CRC is 1C80$/],
  ["CRC not hex", frame(EXAMPLE, { crc: "1C8G" }), /CRC field "1C8G" is not 4 hex digits/],
  ["truncated", `##0101${EXAMPLE.slice(0, 60)}\r\n`, /^truncated frame: length 0101 declared, the segment has only 56 bytes$/],
  ["length too small", frame(EXAMPLE, { len: "0090" }), /^length 0090 does not match the segment's 101 UTF-8 bytes$/],
  ["no CP", frame("ST=32;CN=2011;PW=1;MN=1;Flag=4"), /no CP=&&/],
  ["CP not closed", frame("ST=32;CN=2011;PW=1;MN=1;Flag=4;CP=&&a=1"), /not closed by &&/],
  ["unknown field", frame("ST=32;CN=2011;XX=1;PW=1;MN=1;Flag=4;CP=&&&&"), /unknown field "XX"/],
  ["field without =", frame("ST=32;CN2011;PW=1;MN=1;Flag=4;CP=&&&&"), /has no '='/],
  ["duplicate field", frame("ST=32;ST=32;CN=2011;PW=1;MN=1;Flag=4;CP=&&&&"), /ST appears twice/],
  ["missing CN", frame("ST=32;PW=1;MN=1;Flag=4;CP=&&&&"), /CN is missing/],
  ["Flag not a number", frame("ST=32;CN=2011;PW=1;MN=1;Flag=x;CP=&&&&"), /Flag="x" is malformed/],
  ["binary garbage", Buffer.from([0x23, 0x23, 0xff, 0x00, 0x13, 0x37, 0x0d, 0x0a]), /length field/],
];

test("broken frames are errors in both modes", () => {
  for (const [name, input, reason] of BROKEN) {
    for (const tolerant of [false, true]) {
      assert.throws(
        () => decodeFrame(input, { tolerant }),
        (e: unknown) => e instanceof Hj212FrameError && e.quirk === undefined && reason.test(e.reason),
        `${name} (tolerant=${tolerant})`,
      );
    }
  }
});

test("round trip: build → encode → decode", () => {
  const h = { qn: "20240101120000123", st: "22", cn: "2051", pw: "123456", mn: MN, flag: flagBits("hj212-2017", { ack: true }) };
  const cp = "DataTime=20240101115900;a34004-Avg=35.2,a34004-Flag=N";
  const d = decodeFrame(encodeFrame(buildSegment(h, cp)));
  assert.deepEqual(d.header, h);
  assert.equal(d.cp, cp);
});
