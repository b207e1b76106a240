// th-rs485 (instruments.md §6, XY-MD02) against its simulator, over Modbus RTU on a socat pty pair and
// over Modbus TCP: FC04 register 1 int16 × 0.1 °C (negative too), register 2 uint16 × 0.1 %, the × 100
// variant as a scale override.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { canRunRtu, driverRig, reading, type Line } from "./harness.js";

async function valuesAndDeadSlave(line: Line): Promise<void> {
  const rig = await driverRig(line, [
    { id: "th", driver: "th-rs485", slave: 1 },
    { id: "th100", driver: "th-rs485", slave: 2, options: { "temperature.scale": 0.01, "humidity.scale": 0.01 } },
  ]);
  try {
    rig.sim.analyzer("th").set("temperature", -12.3);
    rig.sim.analyzer("th").set("humidity", 67.8);
    rig.sim.analyzer("th100").set("temperature", 21.37);
    const r = await rig.probe("th");
    assert.ok(r.ok, !r.ok ? r.error.message : "");
    assert.deepEqual([reading(r, "temperature").value, reading(r, "temperature").unit, reading(r, "temperature").code], [-12.3, "°C", "a01001"]);
    assert.deepEqual([reading(r, "humidity").value, reading(r, "humidity").unit, reading(r, "humidity").code], [67.8, "%", "a01002"]);
    const t = await rig.transport();
    assert.deepEqual([...(await t.read(1, 4, 1, 2, 500))], [0x10000 - 123, 678], "two's complement tenths at IR 1, tenths at IR 2");
    assert.deepEqual([...(await t.read(2, 4, 1, 1, 500))], [2137], "hundredths on a × 100 unit");
    assert.equal(reading(await rig.probe("th100"), "temperature").value, 21.37);
    rig.sim.analyzer("th").dead();
    const dead = await rig.probe("th");
    assert.equal(dead.ok, false);
    for (const x of dead.readings) assert.deepEqual([x.flag, x.value], ["B", null]);
  } finally {
    await rig.stop();
  }
}

test("th-rs485 over RTU (socat pty): values, word layout, × 100 variant, dead slave", { timeout: 30_000 }, async (t: TestContext) => {
  if (canRunRtu(t)) await valuesAndDeadSlave("rtu");
});

test("th-rs485 over TCP: values, word layout, × 100 variant, dead slave", async () => {
  await valuesAndDeadSlave("tcp");
});
