import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { decodeForCli, frameArgument } from "../../../agent/cli/hj212.js";
import { encodeFrame } from "../../../agent/uplink/hj212/codec.js";
import { crcHex, modbusCrc } from "../../../agent/uplink/hj212/crc.js";

const BIN = fileURLToPath(new URL("../../../bin/station-agent.js", import.meta.url));
const EXAMPLE = "QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&";
const GOOD = `##0101${EXAMPLE}1C80\r\n`;
const MODBUS = `##0101${EXAMPLE}${crcHex(modbusCrc(Buffer.from(EXAMPLE)))}\r\n`;
const CHINESE = encodeFrame("ST=32;CN=3020;PW=123456;MN=010000A8900016F000169DC0;Flag=4;CP=&&DataTime=20240101120000;i11001-Info=仪器校准完成&&");

function run(args: string[], input?: string): { json: Record<string, unknown>; code: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, "hj212", "decode", ...args], {
    input,
    encoding: "utf8",
    env: { ...process.env, STATION_AGENT_FROM_SOURCE: "1" },
    timeout: 30_000,
  });
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(r.stdout);
  } catch {
    assert.fail(`stdout is not JSON: ${r.stdout}\nstderr: ${r.stderr}`);
  }
  return { json, code: r.status, stderr: r.stderr };
}

test("frameArgument: stdin, trailing LF stripped, CRLF kept, typed \\r\\n escape", () => {
  const cases: Array<[string, string, string, string]> = [
    ["argument as is", "##0000FFFF", "", "##0000FFFF"],
    ["argument with CRLF", "##0000FFFF\r\n", "", "##0000FFFF\r\n"],
    ["typed escape", "##0000FFFF\\r\\n", "", "##0000FFFF\r\n"],
    ["stdin from echo", "-", "##0000FFFF\n", "##0000FFFF"],
    ["stdin from printf with CRLF", "-", "##0000FFFF\r\n", "##0000FFFF\r\n"],
  ];
  for (const [name, arg, stdin, want] of cases) assert.equal(frameArgument(arg, () => stdin), want, name);
});

test("decodeForCli: BeginTime/EndTime with ';' (C.19–C.21) or ',' (C.22) are standard; an empty MN only tolerant, named", () => {
  for (const sep of [";", ","]) {
    const f = encodeFrame(`QN=20240101120000000;ST=32;CN=2061;PW=123456;MN=010000A8900016F000169DC0;Flag=5;CP=&&BeginTime=20240101000000${sep}EndTime=20240101235959&&`);
    const d = decodeForCli(f, false);
    assert.ok(d.ok && d.quirks.length === 0, `'${sep}': strict, no quirk`);
  }
  const empty = encodeFrame("QN=20240101120000000;ST=91;CN=9011;PW=123456;MN=;Flag=8;CP=&&QnRtn=1&&");
  assert.deepEqual(decodeForCli(empty, false), { ok: false, reason: "field MN is empty (HJ 212-2025: no MN assigned by the platform yet)", quirk: "empty-mn" });
  const tolerant = decodeForCli(empty, true);
  assert.ok(tolerant.ok);
  assert.deepEqual([tolerant.quirks, tolerant.header.mn], [["empty-mn"], ""]);
});

test("decodeForCli: fields, CP as an object, quirks", () => {
  assert.deepEqual(decodeForCli(GOOD, false), {
    ok: true,
    header: { qn: "20160801085857223", st: "32", cn: "1062", pw: "100000", mn: "010000A8900016F000169DC0", flag: 5 },
    cp: { RtdInterval: "30" },
    quirks: [],
  });
  assert.deepEqual(decodeForCli(MODBUS, false), { ok: false, reason: "CRC is a Modbus CRC (" + MODBUS.slice(-6, -2) + "), HJ 212 CRC would be 1C80", quirk: "modbus-crc" });
  assert.deepEqual(decodeForCli("hello", true), { ok: false, reason: "not an HJ 212 frame: it does not start with ##", quirk: null });
});

test("CLI: hj212 decode prints JSON and exits 1 on a broken frame", () => {
  const cases: Array<{ name: string; args: string[]; input?: string; code: number; json: Record<string, unknown> }> = [
    { name: "good frame as argument", args: [GOOD], code: 0, json: { ok: true, cp: { RtdInterval: "30" }, quirks: [] } },
    { name: "good frame on stdin", args: ["-"], input: GOOD, code: 0, json: { ok: true, quirks: [] } },
    { name: "Chinese text", args: [CHINESE], code: 0, json: { ok: true, cp: { DataTime: "20240101120000", "i11001-Info": "仪器校准完成" } } },
    { name: "echo without CR: strict", args: ["-"], input: GOOD.slice(0, -2) + "\n", code: 1, json: { ok: false, quirk: "missing-crlf" } },
    { name: "echo without CR: tolerant", args: ["-", "--tolerant"], input: GOOD.slice(0, -2) + "\n", code: 0, json: { ok: true, quirks: ["missing-crlf"] } },
    { name: "Modbus CRC: strict", args: [MODBUS], code: 1, json: { ok: false, quirk: "modbus-crc" } },
    { name: "Modbus CRC: tolerant", args: ["--tolerant", MODBUS], code: 0, json: { ok: true, quirks: ["modbus-crc"] } },
    { name: "garbage: tolerant still fails", args: ["--tolerant", "HEARTBEAT"], code: 1, json: { ok: false, quirk: null } },
    { name: "bad CRC", args: [GOOD.replace("1C80", "1C81")], code: 1, json: { ok: false, reason: "CRC 1C81 does not match the segment: HJ 212 CRC is 1C80", quirk: null } },
  ];
  for (const c of cases) {
    const r = run(c.args, c.input);
    assert.equal(r.code, c.code, `${c.name}: exit code (stderr: ${r.stderr})`);
    for (const [k, v] of Object.entries(c.json)) assert.deepEqual(r.json[k], v, `${c.name}: ${k}`);
  }
});
