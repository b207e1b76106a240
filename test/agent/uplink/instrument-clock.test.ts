// 1011/1012 with PolId (C.2, C.3): the instrument's own clock, read and set through its driver
// over real Modbus TCP to the water-dbs simulator; an instrument without a clock gets ExeRtn=2.
import { test } from "node:test";
import assert from "node:assert/strict";
import { getDriver } from "../../../drivers/index.js";
import { instrumentClock } from "../../../agent/uplink/instrument-clock.js";
import { parseHj212Time } from "../../../agent/time.js";
import { driverRig } from "../../drivers/harness.js";
import { harness } from "./harness.js";

const exe = (cps: string[]) => cps.flatMap((c) => /ExeRtn=(\d+)/.exec(c)?.[1] ?? []).map(Number);

test("water-dbs clock: 1012 sets it (opcode 13 + BCD), 1011 reads it back at 0x1080 with PolId; T400 has none → ExeRtn=2", async () => {
  const rig = await driverRig("tcp", [{ id: "cod", driver: "water-dbs", slave: 2, options: { factor: "cod" } }]);
  const t = await rig.transport();
  const clock = instrumentClock([rig.analyzer("cod"), { ...rig.analyzer("cod"), id: "o3", driver: "teledyne-t400" }], getDriver, () => ({
    readRegisters: (_id, fc, address, count) => t.read(2, fc, address, count, 1000),
    writeCommand: (_id, w) => t.write(2, w.fc, w.address, w.values, 1000),
  }));
  const h = await harness({
    deps: {
      instrumentClock: clock,
      instruments: [{ analyzer: "cod", driver: "water-dbs", codes: ["w01018"] }, { analyzer: "o3", driver: "teledyne-t400", codes: ["a05024"] }],
    },
  });
  try {
    const set = await h.ask("1012", "PolId=w01018;SystemTime=20250601123000");
    assert.deepEqual([set.cns, exe(set.cps)], [["9011", "9012"], [1]], "set without allow_time_set: it is the instrument's clock");
    assert.ok(h.audit.some((e) => e.action === "instrument.clock_set"));
    const read = await h.ask("1011", "PolId=w01018");
    assert.deepEqual(read.cns, ["9011", "1011", "9012"]);
    const m = /^PolId=w01018;SystemTime=(\d{14})$/.exec(read.cps[1]);
    assert.ok(m, read.cps[1]);
    const got = parseHj212Time(m![1], "Asia/Shanghai");
    assert.ok(got >= parseHj212Time("20250601123000", "Asia/Shanghai") && got < parseHj212Time("20250601123100", "Asia/Shanghai"), m![1]);
    assert.deepEqual(exe((await h.ask("1011", "PolId=a05024")).cps), [2], "no clock in the T400's driver");
    assert.deepEqual(exe((await h.ask("1011", "PolId=a99999")).cps), [100], "no such instrument");
    const station = await h.ask("1011", "");
    assert.match(station.cps[1], /^SystemTime=\d{14}$/, "without PolId: the station's clock");
  } finally {
    await h.close();
    await rig.stop();
  }
});
