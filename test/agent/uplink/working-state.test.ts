// i12001 on HJ 212-2017 Table B.10 from each driver's own table; i12002 from the last poll; i12003
// where the driver has an alarm. And log items (`//…//`, under 890 bytes, split on characters).
import { test } from "node:test";
import assert from "node:assert/strict";
import { getDriver } from "../../../drivers/index.js";
import { workingState, workStateOf } from "../../../agent/uplink/working-state.js";
import { logItems } from "../../../agent/uplink/info-log.js";

const r = (flag: string, state = "ok", ts = 0) => ({ ts, flag, state });
const w = (id: string) => getDriver(id)?.working;

test("B.10 by driver table and flag", () => {
  const cases: Array<[string, string, string, string | undefined, number]> = [
    ["continuous analyzer, normal", "N", "ok", "teledyne-t400", 0],
    ["zero check (instrument state)", "C", "zero", "teledyne-t400", 3],
    ["a calibration window of the agent", "C", "ok", "teledyne-t400", 3],
    ["maintenance mode (technician)", "M", "ok", "teledyne-t400", 1],
    ["SERVICE mode", "M", "service", "thermo-49i", 1],
    ["fault", "D", "fault", "teledyne-t400", 2],
    ["no answer", "B", "no-answer", "teledyne-t400", 2],
    ["over range still measures", "T", "over-limit", "teledyne-t400", 0],
    ["water analyzer between cycles", "N", "idle", "water-dbs", 9],
    ["water analyzer in a cycle", "N", "measuring", "water-dbs", 7],
    ["water analyzer, no state register value known", "N", "ok", "water-dbs", 9],
    ["water zero check", "C", "zero-check", "water-dbs", 3],
    ["water curve calibration is 标定", "C", "curve-calibration", "water-dbs", 8],
    ["maintenance over 'measuring' is still maintenance", "M", "measuring", "water-dbs", 1],
    ["a calibration window over 'measuring'", "C", "measuring", "water-dbs", 3],
    ["BAM power failure", "D", "power-failure", "metone-bam1020", 6],
    ["BAM other error", "D", "tape-error", "metone-bam1020", 2],
    ["no driver table", "F", "stopped", undefined, 9],
    ["43i SERVICE", "M", "service", "thermo-43i", 1],
    ["42i GEN ALARM", "D", "general-alarm", "thermo-42i", 2],
    ["T300 in span", "C", "span", "teledyne-t300", 3],
    ["SCS-900 working state 3", "C", "calibration-3", "sdl-scs900", 3],
    ["CEMS-2000 stopped (11)", "F", "stopped", "fpi-cems2000", 9],
    ["CEMS-2000 maintenance (5)", "M", "maintenance", "fpi-cems2000", 1],
    ["TUF-2000 weak signal", "D", "weak-signal", "tuf2000", 2],
    ["an HJ 212 instrument's own C", "C", "sent-C", "hj212-serial", 3],
  ];
  for (const [name, flag, state, driver, want] of cases) assert.equal(workStateOf(r(flag, state), driver ? w(driver) : undefined), want, name);
});

test("several channels: the flag first in the precedence decides; the newest reading says if the poll was answered", () => {
  assert.deepEqual(workingState([r("N"), r("C", "zero"), r("D", "fault")], w("teledyne-t400")), { i12001: 2, i12002: 0, i12003: 0 });
  assert.deepEqual(workingState([r("B", "no-answer", 2), r("N", "ok", 1)], w("teledyne-t640")), { i12001: 2, i12002: 1 });
  assert.deepEqual(workingState([r("T", "over-limit")], w("teledyne-t400")), { i12001: 0, i12002: 0, i12003: 1 });
  assert.deepEqual(workingState([], w("water-dbs")), { i12001: 2, i12002: 1, i12003: 0 });
});

test("every driver's working table names only its own states", () => {
  for (const id of ["teledyne-t400", "thermo-49i", "teledyne-t640", "water-dbs", "gamma-rs485", "noise-rs485", "th-rs485", "generic-modbus", "metone-bam1020",
    "thermo-42i", "thermo-43i", "thermo-48i", "teledyne-t100", "teledyne-t200", "teledyne-t300", "vaisala-wxt530", "yosemitech", "sdl-scs900", "fpi-cems2000", "adam-4017", "tuf2000", "hj212-serial"]) {
    const d = getDriver(id)!;
    assert.ok(d.working, `${id} documents its working states`);
    for (const s of [...Object.keys(d.working!.states ?? {}), ...(d.working!.alarms ?? [])]) assert.ok(d.states.some((x) => x.state === s), `${id}: ${s}`);
  }
});

test("log items: //…//, UTF-8, under 890 bytes, longer entries split on characters", () => {
  assert.deepEqual(logItems("alice maintenance.start: a;b,c=d"), ["//alice maintenance.start: a b c d//"]);
  assert.deepEqual(logItems("path //x// here"), ["//path /x/ here//"], "no // inside an item");
  const long = "仪器校准完成".repeat(100); // 1,800 bytes
  const items = logItems(long);
  assert.ok(items.length >= 3);
  for (const i of items) {
    assert.ok(Buffer.byteLength(i, "utf8") < 890, `${Buffer.byteLength(i)} bytes`);
    assert.match(i, /^\/\/.*\/\/$/);
  }
  assert.equal(items.map((i) => i.slice(2, -2)).join(""), long, "nothing lost, no character cut");
});
