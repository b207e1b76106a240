// Runs over every registered driver definition (style.md §1: the registry is checked, not trusted).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { join } from "node:path";
import { getDriver, listDrivers } from "../../drivers/index.js";
import { decode, encode } from "../../drivers/codec.js";
import { checkDefinition } from "../../drivers/define.js";
import { checkAsciiDefinition } from "../../drivers/define-ascii.js";
import { AsciiSimDevice } from "../../drivers/sim/ascii.js";
import { parseRecord } from "../../agent/bus/ascii.js";
import { FLAG_PRECEDENCE, registerCount } from "../../drivers/types.js";

const driversDir = fileURLToPath(new URL("../../drivers/", import.meta.url));
const drivers = listDrivers();

test("there are drivers", () => assert.ok(drivers.length > 0));

test("ids are unique and kebab-case; getDriver finds each", () => {
  const ids = drivers.map((d) => d.id);
  assert.equal(new Set(ids).size, ids.length, `duplicate ids: ${ids}`);
  for (const d of drivers) {
    assert.match(d.id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    assert.equal(getDriver(d.id), d);
  }
  assert.equal(getDriver("no-such-driver"), undefined);
});

/** The files of drivers/ that are not drivers; every other .ts file there must be one. */
const INFRASTRUCTURE = new Set(["index.ts", "types.ts", "types-serial.ts", "registers.ts", "common.ts", "codec.ts", "define.ts", "define-ascii.ts", "configure.ts", "simulate.ts"]);

test("registry is complete: every driver file in drivers/ is in index.ts, under its file name", async () => {
  const files = readdirSync(driversDir).filter((f) => f.endsWith(".ts") && !INFRASTRUCTURE.has(f));
  for (const file of files)
    assert.match(readFileSync(join(driversDir, file), "utf8"), /export default define\w*Driver\(/, `${file} is not a driver definition`);
  assert.ok(files.length > 0);
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(driversDir, file)).href)) as { default?: { id: string } };
    assert.ok(mod.default, `${file} has no default export`);
    assert.equal(`${mod.default.id}.ts`, file, "a driver file is named by its driver id");
    assert.ok(drivers.includes(mod.default as never), `${file} (${mod.default.id}) is not listed in drivers/index.ts`);
  }
});

for (const d of drivers) {
  if (d.protocol !== "modbus") continue; // the ASCII kind has its own checks below
  test(`${d.id}: definition is sound`, () => {
    assert.deepEqual(checkDefinition(d), []);
    assert.ok(d.version >= 1 && d.models.length > 0 && d.description.length > 0);
    // Channels are the fields, then what a derive hook adds; a map picked by options lists every choice's.
    if (d.hooks?.fromOptions) for (const f of d.fields) assert.ok(d.channels.some((c) => c.name === f.channel), f.channel);
    else assert.deepEqual(d.channels.map((c) => c.name), [...d.fields.map((f) => f.channel), ...(d.hooks?.derived ?? []).map((c) => c.name)]);
  });

  test(`${d.id}: address + length ≤ 65536`, () => {
    for (const f of d.fields) assert.ok(f.address >= 0 && f.address + registerCount(f.type) <= 65536, f.channel);
    for (const s of d.states) assert.ok(s.address >= 0 && s.address + 1 <= 65536, s.state);
    for (const [name, c] of Object.entries(d.commands)) assert.ok(c.address >= 0 && c.address <= 65535, name);
  });

  test(`${d.id}: every state maps to a valid HJ 212 flag`, () => {
    for (const s of d.states) assert.ok([...FLAG_PRECEDENCE, "N"].includes(s.flag), `${s.state}: ${s.flag}`);
  });

  test(`${d.id}: encode → decode round-trips every field`, () => {
    for (const f of d.fields) {
      const v = f.sim?.base ?? 1;
      const back = decode(encode(v, f.type, f.order, f.scale), f.type, f.order, f.scale);
      const tolerance = f.type === "float32" ? Math.abs(v) * 1e-6 + 1e-9 : Math.abs(f.scale) / 2;
      assert.ok(Math.abs(back - v) <= tolerance, `${f.channel}: ${v} → ${back}`);
    }
  });

  test(`${d.id}: fields do not overlap`, () => {
    const used = new Map<string, string>();
    for (const f of d.fields)
      for (let i = 0; i < registerCount(f.type); i++) {
        const key = `${f.fc}:${f.address + i}`;
        assert.ok(!used.has(key), `${f.channel} overlaps ${used.get(key)} at FC${f.fc} ${f.address + i}`);
        used.set(key, f.channel);
      }
  });
}

// The ASCII kind: sound definition, every state a valid flag, and simulator record → parse round-trips
// every field and every state (the simulator and the poller read the same definition).
for (const d of drivers) {
  if (d.protocol !== "ascii") continue;
  test(`${d.id} (ascii): definition is sound`, () => {
    assert.deepEqual(checkAsciiDefinition(d), []);
    assert.ok(d.version >= 1 && d.models.length > 0 && d.description.length > 0 && d.request.length > 0);
    assert.deepEqual(d.channels.map((c) => c.name), d.fields.map((f) => f.channel));
    for (const s of d.states) assert.ok([...FLAG_PRECEDENCE, "N"].includes(s.flag), `${s.state}: ${s.flag}`);
    const columns = [...d.fields.map((f) => f.index), ...d.states.map((s) => s.index)];
    assert.equal(new Set(columns).size, columns.length, "column positions do not overlap");
  });

  test(`${d.id} (ascii): simulated record → parse round-trips every field and state`, () => {
    const sim = new AsciiSimDevice(d, { seed: 1 });
    for (const f of d.fields) sim.set(f.channel, f.sim?.base ?? 1);
    for (const withHeader of [true, false]) {
      const [header, line] = sim.record();
      const parsed = parseRecord(d, withHeader ? [header, line] : [line]);
      for (const f of d.fields) {
        const v = f.sim?.base ?? 1;
        assert.ok(Math.abs(parsed.values.get(f.channel)! - v) <= Math.abs(v) * 1e-3 + Math.abs(f.scale) * 1e-3, `${f.channel}: ${v} → ${parsed.values.get(f.channel)}`);
      }
      assert.deepEqual(parsed.active, []);
    }
    for (const s of d.states) {
      sim.force(s.state);
      assert.deepEqual(parseRecord(d, sim.record()).active.map((a) => a.state), [s.state]);
    }
  });
}
