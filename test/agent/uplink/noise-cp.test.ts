// Noise data as HJ 212-2017 Table 4 / C.26–C.28 define it, from a real store: a day of sound levels
// (day time 60 dB, night 45 dB) closed into minutes, hours and the day, then written as CP.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { openDb } from "../../../agent/store/db.js";
import { ReadingStore } from "../../../agent/store/readings.js";
import { AggregateStore } from "../../../agent/aggregate/store.js";
import { parseCp } from "../../../agent/uplink/hj212/cp.js";
import { aggregateCp, realtimeCp } from "../../../agent/uplink/packets.js";
import { dB } from "../../../agent/uplink/noise-cp.js";
import { parseHj212Time } from "../../../agent/time.js";
import type { Reading } from "../../../agent/types.js";
import { tempDir } from "../../helpers/station.js";

const TZ = "Asia/Shanghai";
const D0 = parseHj212Time("20260101000000", TZ);
const lookup = () => ({ code: "LA", scale: 1, offset: 0, noise: true });
const level = (ts: number) => {
  const h = new Date(ts + 8 * 3600_000).getUTCHours();
  return h >= 6 && h < 22 ? 60 : 45;
};

test("N3.1 levels", () => {
  assert.deepEqual([dB(53), dB(49.25), dB(-0.04), dB(42.96)], ["53.0", "49.3", "0.0", "43.0"]);
});

test("2051/2061 carry L5…LMn-Data and the channel's flag, 2031 adds Ldn and the day/night sets; 2011 keeps LA-Rtd", () => {
  const { dir, cleanup } = tempDir();
  const db = openDb(join(dir, "s.db"));
  try {
    const readings = new ReadingStore(db);
    const aggs = new AggregateStore(db, readings, TZ);
    const rows: Reading[] = [];
    for (let i = 0, t = D0 + 5000; t < D0 + 86_400_000; i++, t += 20_000)
      rows.push({ ts: t, analyzer: "n", channel: "la", code: "LA", value: level(t) + (i % 3) - 1, unit: "dB(A)", flag: "N", state: "ok", raw: null, source: "t@1" });
    readings.insert(rows);
    const out = db.transaction(() => [60, 3600, 86400].flatMap((p) => aggs.closePeriods(p, D0 + 86_400_000 + 1, 0)))();
    const minute = out.find((a) => a.periodS === 60 && a.periodStart === D0 + 12 * 3600_000)!;
    const hour = out.find((a) => a.periodS === 3600 && a.periodStart === D0 + 3 * 3600_000)!;
    const day = out.find((a) => a.periodS === 86400)!;

    const m = parseCp(aggregateCp([minute], TZ, lookup)!).fields;
    assert.deepEqual([...m.keys()], ["DataTime", "L5-Data", "L10-Data", "L50-Data", "L90-Data", "L95-Data", "Leq-Data", "LMx-Data", "LMn-Data", "LA-Flag"]);
    assert.equal(m.get("DataTime"), "20260101120000");
    assert.equal(m.get("LMx-Data"), "61.0");
    assert.equal(m.get("LMn-Data"), "59.0");
    assert.equal(m.get("LA-Flag"), "N");
    assert.ok(!aggregateCp([minute], TZ, lookup)!.includes("LA-Avg"), "no LA-Min/Avg/Max for noise");

    const h = parseCp(aggregateCp([hour], TZ, lookup)!).fields;
    assert.equal(h.get("L50-Data"), "45.0");
    assert.equal(h.get("L10-Data"), "46.0");
    assert.equal(h.get("L90-Data"), "44.0");

    const d = parseCp(aggregateCp([day], TZ, lookup)!).fields;
    for (const k of ["Ldn-Data", "Ld-DayData", "Ln-NightData", "L50-DayData", "L50-NightData", "LMx-DayData", "LMn-NightData", "L95-Data", "Leq-Data"]) assert.ok(d.has(k), k);
    assert.equal(d.get("L50-DayData"), "60.0");
    assert.equal(d.get("L50-NightData"), "45.0");
    assert.equal(d.get("LMx-NightData"), "46.0");
    assert.equal(d.get("LMn-DayData"), "59.0");
    assert.ok(Math.abs(Number(d.get("Ld-DayData")) - 60.2) < 0.2, d.get("Ld-DayData"));
    assert.ok(Math.abs(Number(d.get("Ln-NightData")) - 45.2) < 0.2, d.get("Ln-NightData"));
    // Ldn = 10·log10((16·10^(Ld/10) + 8·10^((Ln+10)/10)) / 24)
    const Ld = day.stats!.Ld, Ln = day.stats!.Ln;
    assert.equal(d.get("Ldn-Data"), dB(10 * Math.log10((16 * 10 ** (Ld / 10) + 8 * 10 ** ((Ln + 10) / 10)) / 24)));

    const rt = realtimeCp([rows[0]], rows[0].ts, TZ, lookup)!;
    assert.match(rt, /;LA-Rtd=\d+(\.\d+)?,LA-Flag=N$/);
  } finally {
    db.close();
    cleanup();
  }
});

test("day hours are configurable: with 07–23 the 06:00 hour is night", () => {
  const { dir, cleanup } = tempDir();
  const db = openDb(join(dir, "s.db"));
  try {
    const readings = new ReadingStore(db);
    const aggs = new AggregateStore(db, readings, TZ, { dayHours: { start: 7, end: 23 } });
    const rows: Reading[] = [];
    for (let t = D0 + 5000; t < D0 + 86_400_000; t += 60_000)
      rows.push({ ts: t, analyzer: "n", channel: "la", code: "LA", value: level(t), unit: "dB(A)", flag: "N", state: "ok", raw: null, source: "t@1" });
    readings.insert(rows);
    const day = db.transaction(() => [60, 3600, 86400].flatMap((p) => aggs.closePeriods(p, D0 + 86_400_000 + 1, 0)))().find((a) => a.periodS === 86400)!;
    assert.equal(day.stats!["night.LMx"], 60, "06:00–07:00 (60 dB) now counts as night");
    assert.equal(day.stats!["day.LMn"], 45, "22:00–23:00 (45 dB) now counts as day");
  } finally {
    db.close();
    cleanup();
  }
});
