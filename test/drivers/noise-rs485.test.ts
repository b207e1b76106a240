// noise-rs485 (instruments.md §5) against its simulator, over Modbus RTU on a socat pty pair and over
// Modbus TCP: FC03 register 0 in tenths of dB(A), channel la, code LA; the GEMHO address as an option.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { canRunRtu, driverRig, reading, type Line } from "./harness.js";

async function valuesAndDeadSlave(line: Line): Promise<void> {
  const rig = await driverRig(line, [
    { id: "noise", driver: "noise-rs485", slave: 1 },
    { id: "gemho", driver: "noise-rs485", slave: 2, options: { "la.address": 14 } },
  ]);
  try {
    rig.sim.analyzer("noise").set("la", 56.3);
    rig.sim.analyzer("gemho").set("la", 48.7);
    let r = await rig.probe("noise");
    assert.ok(r.ok, !r.ok ? r.error.message : "");
    assert.deepEqual([reading(r, "la").value, reading(r, "la").unit, reading(r, "la").code, reading(r, "la").flag], [56.3, "dB(A)", "LA", "N"]);
    assert.equal(reading(r, "la").raw!.toString("hex"), (563).toString(16).padStart(4, "0"), "563 tenths");
    const t = await rig.transport();
    assert.deepEqual([...(await t.read(2, 3, 14, 1, 500))], [487], "the GEMHO variant at 0x000E");
    assert.equal(reading(await rig.probe("gemho"), "la").value, 48.7);
    // The sensor has no status: a fault shows as an exception answer or as silence, both B.
    rig.sim.analyzer("noise").exception(4);
    r = await rig.probe("noise");
    assert.deepEqual([r.ok, reading(r, "la").flag, reading(r, "la").value], [false, "B", null]);
    rig.sim.analyzer("noise").exception(null);
    rig.sim.analyzer("noise").dead();
    r = await rig.probe("noise");
    assert.deepEqual([r.ok, reading(r, "la").flag, reading(r, "la").state], [false, "B", "no-answer"]);
    assert.equal(reading(await rig.probe("gemho"), "la").flag, "N", "its neighbour still answers");
  } finally {
    await rig.stop();
  }
}

test("noise-rs485 over RTU (socat pty): values, an exception and a dead slave", { timeout: 30_000 }, async (t: TestContext) => {
  if (canRunRtu(t)) await valuesAndDeadSlave("rtu");
});

test("noise-rs485 over TCP: values, an exception and a dead slave", async () => {
  await valuesAndDeadSlave("tcp");
});
