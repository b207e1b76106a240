// SM4 on the CP content (HJ 212-2025 §6.4.2) against the Appendix A.2 vectors, and what a bad key
// or a damaged ciphertext gives: a named error, never a wrong plaintext.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { decodeFrame, encodeFrame } from "../../../../agent/uplink/hj212/codec.js";
import { decryptCpContent, encryptCpContent, parseCipherContent, parseSm4Key, sm4Available, sm4EncryptBlocks, Sm4Error } from "../../../../agent/uplink/hj212/sm4.js";
import { decryptFrame, encodeEncryptedFrame, isEncryptedCn, Sm4FrameError } from "../../../../agent/uplink/hj212/sm4-frame.js";

const A2 = JSON.parse(readFileSync(new URL("../../../fixtures/hj212-2025-a2.json", import.meta.url), "utf8")) as {
  sm4: { name: string; keyHex: string; plainHex: string; cipherHex: string }[];
  frames: { name: string; key: string; plainFrame?: string; content?: string; cipherHex: string; tail: string }[];
};
const skip = sm4Available() ? false : "this Node's OpenSSL has no sm4-ecb";
const HEADER = "QN=20240520210700000;ST=31;CN=2051;PW=123456;MN=010000A8900016F000169DC0;Flag=9;CP=&&";
const contentOf = (f: (typeof A2.frames)[number]) => f.content ?? f.plainFrame!.slice(6, -4).slice(HEADER.length, -2);
const braces = (hex: string) => `{${hex.match(/../g)!.map((b) => `0x${b}`).join(",")}}`;

test("SM4 block cipher: the GB/T 32907 example", { skip }, () => {
  for (const v of A2.sm4) assert.equal(sm4EncryptBlocks(Buffer.from(v.keyHex, "hex"), Buffer.from(v.plainHex, "hex")).toString("hex"), v.cipherHex, v.name);
});

test("A.2: CP content encrypts to the printed blocks, the tail shorter than 16 bytes stays plain", { skip }, () => {
  for (const f of A2.frames) {
    const key = parseSm4Key(f.key);
    const sent = encryptCpContent(key, contentOf(f)).toString("latin1");
    assert.equal(sent, braces(f.cipherHex) + f.tail, f.name);
    assert.equal(decryptCpContent(key, Buffer.from(sent, "latin1")).toString("utf8"), contentOf(f), `${f.name}: decrypts back`);
  }
});

test("A.2: frame CRC over the plaintext, length as sent by default or as printed with length_basis plaintext", { skip }, () => {
  const f = A2.frames[0];
  const seg = f.plainFrame!.slice(6, -4);
  const key = parseSm4Key(f.key);
  const sent = encodeEncryptedFrame(seg, key).toString("latin1");
  const body = HEADER + braces(f.cipherHex) + "&&";
  assert.equal(sent, `##${String(body.length).padStart(4, "0")}${body}2200\r\n`);
  assert.equal(body.length, 1128, "the transmitted segment of A.2");
  assert.equal(encodeEncryptedFrame(seg, key, { lengthBasis: "plaintext" }).toString("latin1"), `##0295${body}2200\r\n`, "as A.2 prints it");
  for (const frame of [sent, `##0295${body}2200\r\n`]) {
    const d = decryptFrame(Buffer.from(frame, "latin1"), [key])!;
    assert.equal(d.frame.toString("utf8"), f.plainFrame + "\r\n");
    assert.equal(decodeFrame(d.frame).cp, contentOf(f));
  }
});

test("keys: 16 ASCII characters or hex: + 32 digits; anything else is refused with the reason", () => {
  assert.deepEqual(parseSm4Key("0000000000000000"), Buffer.alloc(16, 0x30));
  assert.deepEqual(parseSm4Key("hex:0123456789abcdeffedcba9876543210").toString("hex"), "0123456789abcdeffedcba9876543210");
  for (const bad of ["", "000000000000000", "00000000000000000", "00000000 0000000", "hex:0123", "hex:0123456789abcdeffedcba987654321g", "密钥密钥密钥密钥密钥密钥密钥密钥"]) {
    assert.throws(() => parseSm4Key(bad), (e: Sm4Error) => e.sm4Error && e.reason.length > 10, JSON.stringify(bad));
  }
});

test("which CNs are encrypted: 2000–2999, 1014 and 3020", () => {
  const yes = ["2011", "2051", "2999", "2000", "1014", "3020"];
  const no = ["1011", "9011", "9014", "9015", "3019", "3021", "1999", "3000", "1001", undefined];
  for (const cn of yes) assert.equal(isEncryptedCn(cn), true, cn);
  for (const cn of no) assert.equal(isEncryptedCn(cn), false, String(cn));
});

test("bad ciphertexts: truncated, not 16-byte blocks, a byte not 0xHH, a wrong key: each named, never a plaintext", { skip }, () => {
  const f = A2.frames[0];
  const key = parseSm4Key(f.key);
  const seg = f.plainFrame!.slice(6, -4);
  const good = encodeEncryptedFrame(seg, key).toString("latin1");
  const cases: [string, string, RegExp][] = [
    ["truncated {0x…", good.slice(0, 400), /truncated|closed/],
    ["15 bytes short of a block", good.replace(",0x41}", "}"), /not a whole number of 16-byte blocks|does not match|neither/],
    ["a byte written badly", good.replace(",0xE4,", ",0xZ4,").replace("{0xE4,", "{0xZ4,"), /0xHH/],
  ];
  for (const [name, frame, reason] of cases) {
    assert.throws(() => decryptFrame(Buffer.from(frame, "latin1"), [key]), (e: Sm4FrameError) => e.sm4Frame && reason.test(e.reason) && e.header.qn === "20240520210700000", name);
  }
  const wrong = parseSm4Key("1111111111111111");
  assert.throws(() => decryptFrame(Buffer.from(good, "latin1"), [wrong]), (e: Sm4FrameError) => /wrong key/.test(e.reason) && e.header.cn === "2051");
  assert.throws(() => decryptFrame(Buffer.from(good, "latin1"), []), /no SM4 key/);
  // The previous key still decrypts during a rotation: the one that fits is named.
  assert.equal(decryptFrame(Buffer.from(good, "latin1"), [wrong, key])!.keyIndex, 1);
  assert.throws(() => parseCipherContent(Buffer.from("{0x41,0x42")), /truncated/);
  assert.equal(decryptFrame(Buffer.from(encodeFrame(seg), "latin1"), [key]), null, "a plaintext frame is left to decodeFrame");
});

test("multi-byte text across a block boundary (a Chinese log in 3020) round-trips byte for byte", { skip }, () => {
  const key = parseSm4Key("hex:0123456789abcdeffedcba9876543210");
  const seg = "QN=20260101080000000;ST=22;CN=3020;PW=123456;MN=010000A8900016F000169DC0;Flag=8;CP=&&DataTime=20260101080000;i11001-Info=//维护开始，更换滤膜//&&";
  const sent = encodeEncryptedFrame(seg, key);
  const d = decryptFrame(sent, [key])!;
  assert.equal(decodeFrame(d.frame).segment, seg);
});

test("mangled encrypted frames: every one is decrypted correctly or refused with Sm4FrameError, never anything else", { skip }, () => {
  const key = parseSm4Key("0000000000000000");
  const seg = A2.frames[0].plainFrame!.slice(6, -4);
  const good = encodeEncryptedFrame(seg, key);
  let seed = 12345;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
  let refused = 0;
  for (let i = 0; i < 3000; i++) {
    const b = Buffer.from(good);
    const kind = rnd(3);
    if (kind === 0) b[6 + rnd(b.length - 8)] = rnd(256);
    const frame = kind === 1 ? b.subarray(0, 6 + rnd(b.length - 6)) : kind === 2 ? Buffer.concat([b.subarray(0, 100 + rnd(900)), b.subarray(1100)]) : b;
    try {
      const d = decryptFrame(frame, [key]);
      // Either not seen as encrypted (left to decodeFrame), or the exact plaintext: the CRC guards it.
      if (d) assert.equal(decodeFrame(d.frame, { tolerant: true }).segment.length > 0, true);
    } catch (err) {
      assert.ok(err instanceof Sm4FrameError, String(err));
      refused++;
    }
  }
  assert.ok(refused > 1000, `refused ${refused}`);
});

test("hj212 decode --sm4-key: an A.2 frame decrypted to its fields; a wrong key named", { skip }, async () => {
  const { decodeForCli } = await import("../../../../agent/cli/hj212.js");
  const f = A2.frames[0];
  const sent = encodeEncryptedFrame(f.plainFrame!.slice(6, -4), parseSm4Key(f.key)).toString("utf8");
  const ok = decodeForCli(sent, false, parseSm4Key(f.key));
  assert.ok(ok.ok);
  assert.equal(ok.ok && ok.cp["a01014-Avg"], "3.211");
  const bad = decodeForCli(sent, false, parseSm4Key("1111111111111111"));
  assert.ok(!bad.ok && /wrong key/.test(bad.reason));
});
