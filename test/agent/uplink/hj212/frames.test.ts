import { test } from "node:test";
import assert from "node:assert/strict";
import { FrameReader } from "../../../../agent/uplink/hj212/frames.js";
import { decodeFrame, encodeFrame } from "../../../../agent/uplink/hj212/codec.js";
import { crcHex, hj212Crc } from "../../../../agent/uplink/hj212/crc.js";

const MN = "010000A8900016F000169DC0";
const seg = (cn: string, cp = ""): string => `QN=20240101120000000;ST=32;CN=${cn};PW=123456;MN=${MN};Flag=5;CP=&&${cp}&&`;
const A = encodeFrame(seg("2011", "DataTime=20240101120000;a34004-Rtd=35.2,a34004-Flag=N"));
const B = encodeFrame(seg("9014"));
const CHINESE = encodeFrame(seg("3020", "i11001-Info=仪器校准完成"));

/** Feeds chunks and returns the frames as strings, with the reader for its stats. */
function feed(chunks: Array<string | Buffer>, reader = new FrameReader()): { frames: string[]; reader: FrameReader } {
  const frames: string[] = [];
  for (const c of chunks) for (const f of reader.push(typeof c === "string" ? Buffer.from(c, "utf8") : c)) frames.push(f.toString("utf8"));
  return { frames, reader };
}

/** Splits a string's bytes at the given byte offsets. */
function cut(s: string, ...at: number[]): Buffer[] {
  const b = Buffer.from(s, "utf8");
  return [0, ...at].map((from, i) => b.subarray(from, i < at.length ? at[i] : b.length));
}

test("framing cases", () => {
  const lenInChars = (() => {
    const s = seg("3020", "i11001-Info=仪器校准完成");
    return `##${String(s.length).padStart(4, "0")}${s}${crcHex(hj212Crc(Buffer.from(s)))}\r\n`;
  })();
  const cases: Array<{ name: string; chunks: Array<string | Buffer>; frames: string[]; garbage?: number; dropped?: number; pending?: number }> = [
    { name: "one frame in one read", chunks: [A], frames: [A] },
    { name: "two frames in one read", chunks: [A + B], frames: [A, B] },
    { name: "one frame across three reads", chunks: cut(A, 1, 40), frames: [A] },
    { name: "split inside a UTF-8 character", chunks: cut(CHINESE, 100, 101), frames: [CHINESE] },
    { name: "split between CR and LF", chunks: cut(A, Buffer.byteLength(A) - 1), frames: [A] },
    { name: "split between the two #", chunks: ["noise#", A.slice(1)], frames: [A], garbage: 5 },
    { name: "garbage between frames", chunks: [A + "HEARTBEAT\r\n" + B], frames: [A, B], garbage: 11 },
    { name: "garbage before, across reads", chunks: ["\x00\xff junk", "more", A], frames: [A], garbage: Buffer.byteLength("\x00\xff junkmore") },
    { name: "## not followed by digits is garbage", chunks: ["##ab" + A], frames: [A], garbage: 4 },
    { name: "### before a frame", chunks: ["#" + A], frames: [A], garbage: 1 },
    { name: "declared length counts chars: resync on CRLF", chunks: [lenInChars + B], frames: [lenInChars, B] },
    { name: "declared length too large: resync on CRLF", chunks: ["##0999ST=32;CP=&&&&ABCD\r\n" + B], frames: ["##0999ST=32;CP=&&&&ABCD\r\n", B] },
    { name: "truncated frame cut by the next ##", chunks: [A.slice(0, 50) + B], frames: [B], dropped: 1 },
    { name: "frames without CRLF, back to back", chunks: [A.slice(0, -2) + B.slice(0, -2) + A], frames: [A.slice(0, -2), B.slice(0, -2), A] },
    { name: "incomplete frame is kept", chunks: [A + B.slice(0, 30)], frames: [A], pending: 30 },
    { name: "trailing # is kept", chunks: [A + "#"], frames: [A], pending: 1 },
  ];
  for (const c of cases) {
    const { frames, reader } = feed(c.chunks);
    assert.deepEqual(frames, c.frames, c.name);
    assert.equal(reader.stats.frames, c.frames.length, `${c.name}: frames`);
    assert.equal(reader.stats.garbageBytes, c.garbage ?? 0, `${c.name}: garbage`);
    assert.equal(reader.stats.dropped, c.dropped ?? 0, `${c.name}: dropped`);
    assert.equal(reader.pending, c.pending ?? 0, `${c.name}: pending`);
  }
});

test("every frame delivered decodes (tolerantly where the sender was sloppy)", () => {
  const { frames } = feed([A + "junk" + CHINESE + B]);
  assert.deepEqual(frames.map((f) => decodeFrame(f).header.cn), ["2011", "3020", "9014"]);
});

test("byte-by-byte feeding gives the same frames as one read", () => {
  const stream = "xx" + A + CHINESE + "\r\n" + B.slice(0, -2) + A + "##0999ST=32;CP=&&&&ABCD\r\n" + B;
  const whole = feed([stream]);
  const bytes = Buffer.from(stream, "utf8");
  const single = feed(Array.from(bytes, (b) => Buffer.from([b])));
  assert.deepEqual(single.frames, whole.frames);
  assert.deepEqual(single.reader.stats, whole.reader.stats);
  assert.equal(whole.frames.length, 6);
});

test("the buffer is capped: an endless frame is dropped, not hoarded", () => {
  const reader = new FrameReader({ maxBuffer: 4096 });
  const { frames } = feed(["##0100", "x".repeat(3000), "x".repeat(3000)], reader);
  assert.deepEqual(frames, []);
  assert.ok(reader.pending <= 4096);
  assert.equal(reader.stats.dropped, 1);
  // And it recovers for the next frame.
  assert.deepEqual(feed([B], reader).frames, [B]);
});

test("a ## with no terminator within the longest possible frame is given up", () => {
  const reader = new FrameReader();
  feed(["##0100" + "x".repeat(20_000)], reader);
  assert.equal(reader.pending, 0);
  assert.equal(reader.stats.dropped, 1);
  assert.equal(reader.stats.garbageBytes + reader.stats.droppedBytes, 20_006);
});

test("flush hands over a CRLF-less last frame, or counts garbage", () => {
  const reader = new FrameReader();
  assert.deepEqual(reader.push(Buffer.from(A.slice(0, -2))), []);
  assert.deepEqual(reader.flush().map(String), [A.slice(0, -2)]);
  assert.deepEqual(reader.flush(), []);
  reader.push(Buffer.from("#"));
  assert.deepEqual(reader.flush(), []);
  assert.equal(reader.stats.garbageBytes, 1);
});

test("never throws on random bytes, and stays bounded", () => {
  let seed = 7;
  const rand = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  const alphabet = Buffer.from("##0123456789\r\nABC;=&", "latin1");
  const reader = new FrameReader({ maxBuffer: 16 * 1024 });
  for (let i = 0; i < 2000; i++) {
    const chunk = Buffer.alloc(rand(200), 0).map(() => (rand(4) === 0 ? rand(256) : alphabet[rand(alphabet.length)]));
    assert.doesNotThrow(() => reader.push(chunk));
    assert.ok(reader.pending <= 16 * 1024);
  }
});

test("a stream of ##0001… without CRLF, in small reads, costs what arrives: bounded, counted, frames after it still found", () => {
  const reader = new FrameReader();
  // A frame start, then 200 kB without CRLF or another `##`, a few bytes per read: each read
  // used to copy and search the whole held buffer again (quadratic); now each byte is seen once.
  const junk = Buffer.concat([Buffer.from("##0001"), Buffer.alloc(200_000, "a"), Buffer.from("##0001".repeat(20_000))]);
  for (let i = 0; i < junk.length; i += 3) reader.push(junk.subarray(i, i + 3));
  assert.ok(reader.pending <= 64 * 1024, `held ${reader.pending} bytes`);
  assert.ok(reader.stats.dropped > 0);
  const { frames } = feed([A], reader);
  assert.deepEqual(frames, [A], "a good frame after the junk");
  // A long frame trickling in one byte at a time is still one frame.
  const long = encodeFrame(seg("2011", "DataTime=20240101120000;" + Array.from({ length: 300 }, (_, i) => `a${String(i).padStart(5, "0")}-Rtd=1`).join(";")));
  const slow = new FrameReader();
  const got: Buffer[] = [];
  for (const byte of Buffer.from(long)) got.push(...slow.push(Buffer.from([byte])));
  assert.deepEqual(got.map((f) => f.toString()), [long]);
});
