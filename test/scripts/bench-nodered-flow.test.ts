// The Node-RED benchmark's flow is generated from the same plan our poller uses; checked here
// without Node-RED installed (the benchmark itself installs and runs it on demand).
import { test } from "node:test";
import assert from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import { configSchema } from "../../config/schema.js";
import { nodeRedFlow, nodeRedSettings } from "../../scripts/bench-nodered-flow.js";
import { benchStationYaml } from "../../scripts/bench-station.js";

const config = configSchema.parse(parseYaml(benchStationYaml("/tmp/x", 5020, 5021)));
type Node = Record<string, unknown> & { id: string; type: string; wires?: string[][] };
const { flows, floats } = nodeRedFlow(config, "sim");
const nodes = flows as Node[];

test("one modbus-read node per planned block: FC02 9..26, FC04 0..23 and 38..45 per T400", () => {
  const reads = nodes.filter((n) => n.type === "modbus-read");
  assert.equal(reads.length, 18);
  const a1 = reads.filter((n) => n.unitid === "1").map((n) => `${n.dataType} ${n.adr}+${n.quantity}`);
  assert.deepEqual(a1, ["Input 9+18", "InputRegister 0+24", "InputRegister 38+8"]);
  assert.ok(reads.every((n) => n.rate === "1" && n.rateUnit === "s"));
});

test("all reads share one client with the bus's timeout, and feed the counting node", () => {
  const client = nodes.find((n) => n.type === "modbus-client")!;
  assert.equal(client.tcpPort, "5020");
  assert.equal(client.clientTimeout, "500");
  const decode = nodes.find((n) => n.name === "decode and count")!;
  for (const r of nodes.filter((n) => n.type === "modbus-read")) {
    assert.equal(r.server, client.id);
    assert.deepEqual(r.wires, [[decode.id], []]);
  }
  assert.equal(new Set(nodes.map((n) => n.id)).size, nodes.length);
});

test("the counting node decodes each block's floats and counts reads and values", () => {
  assert.deepEqual(floats["a1:4:0"], [0, 2, 4, 14, 18, 20, 22]);
  assert.deepEqual(floats["a1:4:38"], [0, 2, 4, 6]);
  assert.deepEqual(floats["a1:2:9"], []);
  const decode = nodes.find((n) => n.name === "decode and count")!;
  const buf = Buffer.alloc(16);
  [29.5, 800, 1.25, -3].forEach((v, i) => buf.writeFloatBE(v, i * 4));
  const words = Array.from({ length: 8 }, (_, i) => buf.readUInt16BE(i * 2));
  const context = new Map<string, unknown>();
  const flow = { get: (k: string) => context.get(k), set: (k: string, v: unknown) => context.set(k, v) };
  const run = new Function("msg", "flow", "Buffer", decode.func as string) as (m: object, f: object, b: typeof Buffer) => { payload: number[] };
  const out = run({ topic: "a1:4:38", payload: words }, flow, Buffer);
  assert.deepEqual(out.payload, [29.5, 800, 1.25, -3]);
  run({ topic: "a1:4:38", payload: words }, flow, Buffer);
  assert.deepEqual(context.get("counts"), { "a1:4:38": { reads: 2, values: 8 } });
});

test("settings keep Node-RED on loopback with no editor", () => {
  const settings = nodeRedSettings(1880);
  assert.match(settings, /"uiHost": "127.0.0.1"/);
  assert.match(settings, /"httpAdminRoot": false/);
});
