import { test } from "node:test";
import assert from "node:assert/strict";
import { findTimeRange, formatCp, formatValue, Hj212CpError, parseCp, readTimeRange, type CpPair } from "../../../../agent/uplink/hj212/cp.js";
import { TimeFormatError } from "../../../../agent/time.js";

test("parseCp: groups by ';', items by ',', key/value by '='", () => {
  const cases: Array<[string, string, CpPair[][]]> = [
    ["empty", "", []],
    ["one item", "RtdInterval=30", [[["RtdInterval", "30"]]]],
    [
      "fixture example",
      "DataTime=20240101120000;a34004-Rtd=35.2,a34004-Flag=N;a05024-Rtd=88.1,a05024-Flag=N",
      [[["DataTime", "20240101120000"]], [["a34004-Rtd", "35.2"], ["a34004-Flag", "N"]], [["a05024-Rtd", "88.1"], ["a05024-Flag", "N"]]],
    ],
    ["value containing '='", "i13001-Info=a=b", [[["i13001-Info", "a=b"]]]],
    ["empty value", "a=", [[["a", ""]]]],
    ["doubled and trailing separators", "a=1;;b=2,,c=3;", [[["a", "1"]], [["b", "2"], ["c", "3"]]]],
    ["Chinese text", "i11001-Info=仪器校准完成", [[["i11001-Info", "仪器校准完成"]]]],
  ];
  for (const [name, cp, groups] of cases) assert.deepEqual(parseCp(cp).groups, groups, name);
  const { fields } = parseCp("DataTime=1;a-Rtd=2,a-Flag=N;DataTime=9");
  assert.deepEqual([...fields], [["DataTime", "1"], ["a-Rtd", "2"], ["a-Flag", "N"]], "first occurrence wins");
});

test("parseCp rejects items without a key", () => {
  for (const cp of ["a=1;junk", "=5", "a=1,b"]) {
    assert.throws(() => parseCp(cp), (e: unknown) => e instanceof Hj212CpError && e.hj212Cp, cp);
  }
});

test("formatCp is the inverse of parseCp and refuses separators in keys/values", () => {
  const cp = "DataTime=20240101120000;a34004-Rtd=35.2,a34004-Flag=N";
  assert.equal(formatCp(parseCp(cp).groups), cp);
  assert.equal(formatCp([]), "");
  const bad: CpPair[][][] = [[[["a;b", "1"]]], [[["", "1"]]], [[["a", "1;2"]]], [[["a", "1,2"]]], [[["a", "x&&y"]]], [[["a", "1\r\n"]]]];
  for (const groups of bad) assert.throws(() => formatCp(groups), Hj212CpError, JSON.stringify(groups));
  assert.equal(formatCp([[["i11001-Info", "A&B"]]]), "i11001-Info=A&B", "a single & is text");
});

test("readTimeRange: ',' (C.22) and ';' (C.19–C.21) are both standard", () => {
  const begin = Date.UTC(2023, 11, 31, 16); // 2024-01-01 00:00 Beijing
  const end = Date.UTC(2024, 0, 1, 15, 59, 59);
  const cases: Array<[string, string, ReturnType<typeof readTimeRange>]> = [
    ["standard comma", "BeginTime=20240101000000,EndTime=20240101235959", { begin, end }],
    ["semicolon", "BeginTime=20240101000000;EndTime=20240101235959", { begin, end }],
    ["reversed order", "EndTime=20240101235959,BeginTime=20240101000000", { begin, end }],
    ["with other items", "PolId=a34004;BeginTime=20240101000000,EndTime=20240101235959", { begin, end }],
    ["no seconds", "BeginTime=202401010000,EndTime=202401012359", { begin, end: end - 59_000 }],
  ];
  for (const [name, cp, want] of cases) assert.deepEqual(readTimeRange(cp, "Asia/Shanghai"), want, name);
  assert.equal(findTimeRange("RtdInterval=30"), undefined);
  assert.throws(() => readTimeRange("BeginTime=20240101000000"), Hj212CpError);
  assert.throws(() => readTimeRange("BeginTime=2024,EndTime=20240101000000"), TimeFormatError);
});

test("formatValue: plain decimals, trimmed, rounded half away from zero", () => {
  const cases: Array<[number, number | undefined, string]> = [
    [35.2, undefined, "35.2"],
    [35.2, 2, "35.2"],
    [3, undefined, "3"],
    [0, undefined, "0"],
    [-0, undefined, "0"],
    [-0.0001, undefined, "0"],
    [1e-7, undefined, "0"],
    [1e-7, 8, "0.0000001"],
    [1.23456, undefined, "1.235"],
    [1.005, 2, "1.01"],
    [-1.005, 2, "-1.01"],
    [2.5, 0, "3"],
    [123456789.123, undefined, "123456789.123"],
    [1e20, undefined, "100000000000000000000"],
    [88.10000000000001, undefined, "88.1"],
    [-12.3456, 1, "-12.3"],
  ];
  for (const [v, d, want] of cases) assert.equal(formatValue(v, d), want, `${v} with ${d ?? "default"} decimals`);
  for (const v of [NaN, Infinity, -Infinity, 1e21]) assert.throws(() => formatValue(v), Hj212CpError, String(v));
  assert.throws(() => formatValue(1, -1), RangeError);
});
