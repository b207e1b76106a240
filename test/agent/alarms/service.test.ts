// Each alarm kind raised and cleared from what a real store holds, de-duplicated (one open alarm,
// counted), audited; sent on to the platforms' outbox as 3020 logs and POSTed to an HTTP endpoint
// that fails once.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { join } from "node:path";
import { AggregateStore } from "../../../agent/aggregate/store.js";
import { AlarmNotifier, alarmCp } from "../../../agent/alarms/notify.js";
import { AlarmService } from "../../../agent/alarms/service.js";
import { AlarmLog } from "../../../agent/alarms/store.js";
import { AuditLog } from "../../../agent/audit/log.js";
import { silentLogger } from "../../../agent/log.js";
import { channelLookup } from "../../../agent/main.js";
import { QcStore } from "../../../agent/qc/store.js";
import { openDb } from "../../../agent/store/db.js";
import { ReadingStore } from "../../../agent/store/readings.js";
import type { Hj212Flag, Reading } from "../../../agent/types.js";
import { Outbox } from "../../../agent/uplink/outbox.js";
import { configSchema } from "../../../config/schema.js";
import { MN, tempDir, waitFor } from "../../helpers/station.js";

const T0 = Date.UTC(2024, 0, 1, 0, 0, 0);
const MIN = 60_000;

function setup(dir: string, free: { pct: number }) {
  const cfg = configSchema.parse({
    station: { name: "Alarm test", mn: MN },
    storage: { path: join(dir, "station.db") },
    buses: [{ id: "sim", type: "tcp", host: "127.0.0.1", port: 1502 }],
    analyzers: [
      { id: "o3", driver: "teledyne-t400", bus: "sim", slave: 1, interval_s: 10, channels: { o3: { scale: 2 } } },
      { id: "o3b", driver: "teledyne-t400", bus: "sim", slave: 2, interval_s: 10, channels: { o3: { convert: "none" } } },
    ],
    aggregation: { preset: "none" },
    alarms: {
      exceedance: [
        { code: "a05024", above: 200, basis: "hour" },
        { code: "a05024", above: 100, basis: "rolling", window_min: 5 },
      ],
      fault_after_min: 10,
      comms_after_min: 5,
    },
  });
  const db = openDb(cfg.storage.path);
  const audit = new AuditLog(db);
  const readings = new ReadingStore(db);
  const qc = new QcStore(db);
  const aggregates = new AggregateStore(db, readings, cfg.station.timezone);
  const alarms = new AlarmLog(db, audit);
  let changes = 0;
  const service = new AlarmService({
    cfg, alarms, readings, aggregates, lookup: channelLookup(cfg), log: silentLogger,
    effective: (rows) => qc.withEffectiveFlags(rows), freePct: () => free.pct, onChange: () => changes++,
  });
  return { cfg, db, audit, readings, aggregates, alarms, service, changes: () => changes };
}

const reading = (analyzer: string, ts: number, value: number | null, flag: Hj212Flag = "N", state = "ok"): Reading => ({
  ts, analyzer, channel: "o3", code: "a05024", value, unit: "ppb", flag, state, raw: null, source: "teledyne-t400@1",
});

test("comms lost, equipment fault, disk low, door: raised once, counted, cleared, audited", () => {
  const { dir, cleanup } = tempDir();
  const free = { pct: 50 };
  const s = setup(dir, free);
  try {
    // o3 silent (B) for 6 minutes; o3b in a fault state for 4, then 11 minutes.
    const rows: Reading[] = [];
    for (let t = T0; t <= T0 + 12 * MIN; t += 10_000) {
      rows.push(reading("o3", t, t < T0 + 6 * MIN ? 40 : null, t < T0 + 6 * MIN ? "N" : "B", t < T0 + 6 * MIN ? "ok" : "no-answer"));
      rows.push(reading("o3b", t, 40, t < T0 + 1 * MIN ? "N" : "D", t < T0 + 1 * MIN ? "ok" : "fault"));
    }
    s.readings.insert(rows.filter((r) => r.ts <= T0 + 10 * MIN));
    s.service.check(T0 + 10 * MIN);
    assert.deepEqual(s.alarms.list().map((a) => [a.kind, a.subject]), [], "4 min of B, 9 min of D: not yet");
    s.readings.insert(rows.filter((r) => r.ts > T0 + 10 * MIN));
    s.service.check(T0 + 12 * MIN);
    s.service.check(T0 + 12 * MIN + 1000);
    const open = s.alarms.list();
    assert.deepEqual(open.map((a) => [a.kind, a.subject, a.count]).sort(), [["comms-lost", "o3", 2], ["equipment-fault", "o3b", 2]]);
    assert.match(open.find((a) => a.kind === "equipment-fault")!.message, /o3b has reported a fault \(fault\) for at least 10\.9 min/);

    free.pct = 4.2;
    s.service.door(true, T0 + 12 * MIN + 2000);
    s.service.check(T0 + 12 * MIN + 2000);
    assert.deepEqual(s.alarms.list().map((a) => a.kind).sort(), ["comms-lost", "disk-low", "door-open", "equipment-fault"]);
    assert.equal(s.alarms.list().find((a) => a.kind === "disk-low")!.lastValue, 4.2);

    // Back to normal: every one clears, and a later condition opens a new alarm.
    s.readings.insert([reading("o3", T0 + 13 * MIN, 40), reading("o3b", T0 + 13 * MIN, 40)]);
    free.pct = 30;
    s.service.door(false, T0 + 13 * MIN);
    s.service.check(T0 + 13 * MIN + 1000);
    assert.deepEqual(s.alarms.list(), []);
    assert.equal(s.alarms.list({ all: true }).length, 4);
    assert.ok(s.alarms.list({ all: true }).every((a) => a.clearedAt !== null));
    s.service.door(true, T0 + 14 * MIN);
    assert.equal(s.alarms.list({ all: true }).filter((a) => a.kind === "door-open").length, 2);

    const actions = s.audit.list().map((e) => e.action);
    assert.equal(actions.filter((a) => a === "alarm.raise").length, 5, "a repeat is not audited again");
    assert.equal(actions.filter((a) => a === "alarm.clear").length, 4);
    assert.equal(s.changes(), 9);
  } finally {
    s.db.close();
    cleanup();
  }
});

test("exceedance on the hour value and on a rolling mean, in the uploaded unit", () => {
  const { dir, cleanup } = tempDir();
  const s = setup(dir, { pct: 50 });
  try {
    // o3 (scale 2 on upload) reads 120 ppb for an hour: 240 uploaded, above the hourly 200. o3b reads 90.
    const rows: Reading[] = [];
    for (let t = T0; t < T0 + 60 * MIN; t += MIN) rows.push(reading("o3", t, 120), reading("o3b", t, 90));
    s.readings.insert(rows);
    s.aggregates.closePeriods(60, T0 + 61 * MIN, 0);
    s.aggregates.closePeriods(3600, T0 + 61 * MIN, 0);
    s.service.check(T0 + 61 * MIN);
    const subjects = () => s.alarms.list().filter((a) => a.kind === "exceedance").sort((a, b) => a.subject.localeCompare(b.subject));
    assert.deepEqual(subjects().map((a) => [a.subject, a.lastValue]), [["a05024@o3/5min", 240], ["a05024@o3/hour", 240]]);
    assert.match(subjects()[1].message, /a05024 of o3 is 240, above 200 \(hour value\)/);
    assert.match(subjects()[0].message, /a05024 of o3 is 240, above 100 \(5 min mean\)/);

    // Rolling over [59, 64] min: o3 (120, 60) → 180 uploaded; o3b (90, 150; the D reading is no valid value) → 120.
    s.readings.insert([reading("o3", T0 + 62 * MIN, 60), reading("o3b", T0 + 62 * MIN, 150), reading("o3b", T0 + 63 * MIN, 30, "D")]);
    s.service.check(T0 + 64 * MIN);
    assert.deepEqual(subjects().map((a) => [a.subject, a.lastValue, a.count]), [["a05024@o3/5min", 180, 2], ["a05024@o3/hour", 240, 2], ["a05024@o3b/5min", 120, 1]]);

    // o3 back to 10 ppb: its rolling alarm clears; o3b has no reading in the window: its alarm stays; the hour value stands.
    s.readings.insert([65, 66, 67, 68, 69].map((m) => reading("o3", T0 + m * MIN, 10)));
    s.service.check(T0 + 70 * MIN);
    assert.deepEqual(subjects().map((a) => a.subject), ["a05024@o3/hour", "a05024@o3b/5min"]);
  } finally {
    s.db.close();
    cleanup();
  }
});

test("alarms go to the platforms as 3020 logs and to an HTTP endpoint that fails once", { timeout: 20_000 }, async () => {
  const { dir, cleanup } = tempDir();
  const s = setup(dir, { pct: 50 });
  const got: Array<{ status: number; body: Record<string, unknown>; auth?: string }> = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const status = got.length === 0 ? 500 : 200;
      got.push({ status, body: JSON.parse(body), auth: req.headers.authorization });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as { port: number }).port;
  const outbox = new Outbox(s.db, s.cfg.station.timezone);
  const notifier = new AlarmNotifier({
    db: s.db, alarms: s.alarms, station: { name: "Alarm test", mn: MN }, tz: s.cfg.station.timezone,
    cfg: { ...s.cfg.alarms, http: { url: `http://127.0.0.1:${port}/alarms`, headers: { authorization: "Bearer t" }, timeout_ms: 2000, retry_max_s: 1 } },
    platforms: () => ["city"], outbox, polIdOf: (a) => (a === "o3" ? "a05024" : undefined), log: silentLogger,
  });
  try {
    const now = Date.now();
    s.alarms.raise({ kind: "calibration-failed", subject: "o3/zero", analyzer: "o3", message: "zero check of o3 failed: drift 9 ppb, limit 5", value: 9 }, now);
    s.alarms.raise({ kind: "disk-low", subject: "/data", message: "only 4 % free", value: 4 }, now);
    notifier.start();
    await waitFor(() => got.filter((g) => g.status === 200).length === 2, 10_000, "both events POSTed after a failure");
    notifier.stop();
    await notifier.idle();
    assert.equal(got[0].status, 500);
    assert.deepEqual(got.slice(1).map((g) => [g.body.event, (g.body.alarm as { kind: string }).kind]), [["raise", "calibration-failed"], ["raise", "disk-low"]]);
    assert.equal(got[1].auth, "Bearer t");
    assert.deepEqual(got[1].body.station, { name: "Alarm test", mn: MN });

    const packets = outbox.pending("city", 10);
    assert.equal(packets.length, 2);
    assert.ok(packets.every((p) => p.cn === "3020"));
    assert.match(packets[0].cp, /^DataTime=\d{14};PolId=a05024;i11001-Info=\/\/ALARM calibration-failed o3\/zero: zero check of o3 failed: drift 9 ppb  limit 5\/\/$/);
    assert.match(packets[1].cp, /^DataTime=\d{14};i21001-Info=\/\/ALARM disk-low \/data: only 4 % free\/\/$/, "a station-level alarm goes to the data logger's log, without PolId");
    notifier.kick();
    assert.equal(outbox.pending("city", 10).length, 2, "each event goes out once");

    s.alarms.clear("disk-low", "/data", now + 1000);
    const [clear] = s.alarms.pending("uplink", 0);
    assert.equal(alarmCp(clear, "Asia/Shanghai", undefined).replace(/^DataTime=\d{14};/, ""), "i21001-Info=//alarm cleared disk-low /data (seen 1 times)//");
  } finally {
    notifier.stop();
    await notifier.idle();
    server.close();
    s.db.close();
    cleanup();
  }
});
