// The per-driver check of the station drivers (issue 13), run over Modbus TCP and over RTU on a socat
// pty pair (style.md §3: one suite on both lines): pinned values read back with their unit and code,
// the words on the wire in the map's layout (read by hand, without the driver), every mapped state
// with its flag, and a dead slave flagged B.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { canRunRtu, checkStatesAndDeadSlave, driverRig, reading, wordsHex, type DriverRig, type Line } from "./harness.js";

export interface Expected {
  value: number | null;
  unit?: string;
  code?: string;
  flag?: string;
}

export interface SuiteCase {
  /** The analyzer entry (id "x" is filled in; bus/slave too). */
  analyzer: Record<string, unknown>;
  /** Values pinned in the simulator, by field channel. */
  pins: Record<string, number>;
  /** What the probe must report, by channel. */
  expect: Record<string, Expected>;
  /** Registers read by hand: [fc, address, count, expected hex]. */
  wire?: Array<[3 | 4, number, number, string]>;
  /** Check every state of the base definition and a dead slave (default true). */
  states?: boolean;
  /** More checks on the same rig. */
  more?: (rig: DriverRig) => Promise<void>;
}

async function run(line: Line, c: SuiteCase): Promise<void> {
  const rig = await driverRig(line, [{ id: "x", slave: 5, ...c.analyzer }]);
  try {
    const sim = rig.sim.analyzer("x");
    for (const [ch, v] of Object.entries(c.pins)) sim.set(ch, v);
    const r = await rig.probe("x");
    assert.ok(r.ok, !r.ok ? r.error.message : "");
    for (const [ch, e] of Object.entries(c.expect)) {
      const got = reading(r, ch);
      if (e.value === null) assert.equal(got.value, null, ch);
      else assert.ok(got.value !== null && Math.abs(got.value - e.value) <= Math.abs(e.value) * 1e-6 + 1e-9, `${ch}: ${got.value} ≠ ${e.value}`);
      if (e.unit !== undefined) assert.equal(got.unit, e.unit, `${ch} unit`);
      if (e.code !== undefined) assert.equal(got.code, e.code, `${ch} code`);
      assert.equal(got.flag, e.flag ?? "N", `${ch} flag`);
    }
    const t = await rig.transport();
    for (const [fc, address, count, hex] of c.wire ?? []) assert.equal(wordsHex(await t.read(5, fc, address, count, 500)), hex, `FC${fc} ${address}×${count}`);
    await c.more?.(rig);
    if (c.states !== false) {
      for (const ch of Object.keys(c.pins)) sim.set(ch, null);
      await checkStatesAndDeadSlave(rig, "x");
    }
  } finally {
    await rig.stop();
  }
}

/** Registers the case twice: over TCP and over RTU (skipped with the reason when socat is missing). */
export function stationDriverSuite(name: string, c: SuiteCase): void {
  test(`${name} over TCP: values, wire layout, states, dead slave`, { timeout: 30_000 }, async () => run("tcp", c));
  test(`${name} over RTU (socat pty): values, wire layout, states, dead slave`, { timeout: 60_000 }, async (t: TestContext) => {
    if (canRunRtu(t)) await run("rtu", c);
  });
}

/** Big-endian hex of one float32 in a word order (ABCD, CDAB, DCBA). */
export function f32(v: number, order: "ABCD" | "CDAB" | "DCBA"): string {
  const b = Buffer.alloc(4);
  b.writeFloatBE(v);
  if (order === "DCBA") b.reverse();
  const hex = b.toString("hex");
  return order === "CDAB" ? hex.slice(4) + hex.slice(0, 4) : hex;
}
