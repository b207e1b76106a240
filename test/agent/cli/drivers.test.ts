// `station-agent drivers`: every registered driver, in the JSON contract and in the table.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { listDrivers } from "../../../drivers/index.js";

const BIN = join(import.meta.dirname, "../../../bin/station-agent.js");
const cli = (...args: string[]) =>
  new Promise<{ status: number; stdout: string; stderr: string }>((resolve) =>
    execFile(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, STATION_AGENT_FROM_SOURCE: "1" } }, (err, stdout, stderr) =>
      resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );

interface Info {
  id: string;
  version: number;
  models: string[];
  description: string;
  channels: Array<{ name: string; unit: string; code: string }>;
  states: Array<{ name: string; flag: string }>;
  commands: Array<{ name: string; kind: string; fc?: number; address?: number; value?: number; params?: string }>;
  fromConfig?: boolean;
}

test("drivers --json lists every driver with channels, states and commands", async () => {
  const r = await cli("drivers", "--json");
  assert.equal(r.status, 0, r.stderr);
  const infos = JSON.parse(r.stdout) as Info[];
  assert.deepEqual(infos.map((d) => d.id), listDrivers().map((d) => d.id));
  for (const id of ["teledyne-t400", "thermo-49i", "teledyne-t640", "water-dbs", "gamma-rs485", "noise-rs485", "th-rs485", "generic-modbus"])
    assert.ok(infos.some((d) => d.id === id), id);
  for (const d of infos) {
    assert.ok(d.version >= 1 && d.models.length > 0 && d.description.length > 0, d.id);
    for (const c of d.channels) assert.deepEqual(Object.keys(c).slice(0, 3), ["name", "unit", "code"]);
    for (const s of d.states) assert.match(s.flag, /^[NFDMCT]$/); // N: a working state (water analyzer idle/measuring) that flags nothing
  }
  const by = Object.fromEntries(infos.map((d) => [d.id, d]));
  assert.deepEqual(by["th-rs485"].channels.map((c) => [c.name, c.unit, c.code]), [["temperature", "°C", "a01001"], ["humidity", "%", "a01002"]]);
  assert.deepEqual(by["noise-rs485"].channels.map((c) => [c.name, c.unit, c.code]), [["la", "dB(A)", "LA"]]);
  assert.deepEqual(by["thermo-49i"].states.find((s) => s.name === "service"), { name: "service", flag: "M" });
  assert.deepEqual(by["thermo-49i"].commands.map((c) => [c.name, c.kind, c.fc, c.address]), [["zero", "coil", 5, 100], ["span", "coil", 5, 101]]);
  const water = by["water-dbs"];
  assert.deepEqual(water.commands.find((c) => c.name === "zero-check"), { name: "zero-check", kind: "register", fc: 6, address: 0x1200, value: 3, description: "Zero check" });
  assert.deepEqual(water.commands.find((c) => c.name === "set-clock")?.params, "clock");
  assert.deepEqual(water.states.filter((s) => s.flag === "C").map((s) => s.name), ["standard-check", "zero-check", "span-check", "curve-calibration", "calibrating"]);
  // T400 signals over-limit at two inputs: listed once.
  assert.equal(by["teledyne-t400"].states.filter((s) => s.name === "over-limit").length, 1);
  assert.deepEqual([by["generic-modbus"].channels, by["generic-modbus"].fromConfig], [[], true]);
});

test("drivers prints a table per driver", async () => {
  const r = await cli("drivers");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^water-dbs v1 \(modbus\)/m);
  assert.match(r.stdout, /zero-check \(0x1200 ← 3\)/);
  assert.match(r.stdout, /^\s+la\s+dB\(A\)\s+LA/m);
  assert.match(r.stdout, /generic-modbus .*\n.*\n\s+channels and states: from the analyzer's registers and states keys/);
});
