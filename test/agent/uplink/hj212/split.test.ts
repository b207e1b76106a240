import { test } from "node:test";
import assert from "node:assert/strict";
import { splitIntoPackets } from "../../../../agent/uplink/hj212/split.js";
import { decodeFrame, encodeFrame, Hj212SegmentError, parseFlag } from "../../../../agent/uplink/hj212/codec.js";

const header = { qn: "20240101120000000", st: "22", cn: "2061", pw: "123456", mn: "010000A8900016F000169DC0", flag: 5 };
const items = (n: number, text = "x"): string[] =>
  Array.from({ length: n }, (_, i) => `a${String(i).padStart(5, "0")}-Avg=${i}.5,a${String(i).padStart(5, "0")}-Info=${text}`);
const bytes = (s: string): number => Buffer.byteLength(s, "utf8");

test("splitIntoPackets", () => {
  const cases: Array<{ name: string; items: string[]; max?: number; repeat?: string[]; packets: number }> = [
    { name: "fits: one unsplit segment", items: items(3), packets: 1 },
    { name: "default 1024 bytes", items: items(60), packets: 2 },
    { name: "small limit", items: items(20), max: 300, repeat: ["DataTime=20240101110000"], packets: 4 },
    { name: "Chinese text counted in bytes", items: items(40, "仪器校准完成正常运行"), max: 512, packets: 7 },
  ];
  for (const c of cases) {
    const max = c.max ?? 1024;
    const repeat = c.repeat ?? [];
    const segs = splitIntoPackets(header, c.items, max, repeat);
    assert.equal(segs.length, c.packets, c.name);
    const seen: string[] = [];
    segs.forEach((seg, i) => {
      assert.ok(bytes(seg) <= max, `${c.name}: packet ${i + 1} has ${bytes(seg)} bytes`);
      const d = decodeFrame(encodeFrame(seg));
      const groups = d.cp.split(";");
      assert.deepEqual(groups.slice(0, repeat.length), repeat, `${c.name}: repeated items`);
      seen.push(...groups.slice(repeat.length));
      if (segs.length === 1) {
        assert.equal(d.header.pnum, undefined);
        assert.equal(d.header.flag, 5);
      } else {
        assert.deepEqual([d.header.pnum, d.header.pno], [segs.length, i + 1], c.name);
        assert.deepEqual(parseFlag(d.header.flag ?? 0), { version: 1, split: true, ack: true }, c.name);
        assert.equal(d.header.qn, header.qn);
      }
    });
    assert.deepEqual(seen, c.items, `${c.name}: every item once, in order, none cut`);
  }
});

test("an item too large for any packet is a typed error", () => {
  assert.throws(() => splitIntoPackets(header, ["a=1", `b=${"x".repeat(2000)}`]), (e: unknown) => e instanceof Hj212SegmentError && e.field === "CP");
});
