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

test("one modbus-read node per planned block: FC02 9..26 and FC04 0..45 (over the T400's mapped 24..37) per T400", () => {
  const reads = nodes.filter((n) => n.type === "modbus-read");
  assert.equal(reads.length, 12);
  const a1 = reads.filter((n) => n.unitid === "1").map((n) => `${n.dataType} ${n.adr}+${n.quantity}`);
  assert.deepEqual(a1, ["Input 9+18", "InputRegister 0+46"]);
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
  const offsets = [0, 2, 4, 14, 18, 20, 22, 38, 40, 42, 44];
  assert.deepEqual(floats["a1:4:0"], offsets);
  assert.equal(floats["a1:4:38"], undefined);
  assert.deepEqual(floats["a1:2:9"], []);
  const decode = nodes.find((n) => n.name === "decode and count")!;
  // 46 registers; the floats where the offsets say, something else in the unread 24..37.
  const buf = Buffer.alloc(92, 0x7f);
  const values = offsets.map((o, i) => (i % 2 ? -1 : 1) * (o + 0.5) * 8);
  offsets.forEach((o, i) => buf.writeFloatBE(values[i], o * 2));
  const words = Array.from({ length: 46 }, (_, i) => buf.readUInt16BE(i * 2));
  const context = new Map<string, unknown>();
  const flow = { get: (k: string) => context.get(k), set: (k: string, v: unknown) => context.set(k, v) };
  const run = new Function("msg", "flow", "Buffer", decode.func as string) as (m: object, f: object, b: typeof Buffer) => { payload: number[] };
  const out = run({ topic: "a1:4:0", payload: words }, flow, Buffer);
  assert.deepEqual(out.payload, values);
  run({ topic: "a1:4:0", payload: words }, flow, Buffer);
  assert.deepEqual(context.get("counts"), { "a1:4:0": { reads: 2, values: 22 } });
});

test("settings keep Node-RED on loopback with no editor", () => {
  const settings = nodeRedSettings(1880);
  assert.match(settings, /"uiHost": "127.0.0.1"/);
  assert.match(settings, /"httpAdminRoot": false/);
});
