// The notifier's 2 s tick does no database work while nothing can be pending, yet an event recorded
// on its own connection, or by another connection (the CLI's `alarms check` or `calibrate`), goes
// out at the very next tick, to the platforms and to the HTTP endpoint.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { join } from "node:path";
import { AlarmNotifier } from "../../../agent/alarms/notify.js";
import { AlarmLog, type Sink } from "../../../agent/alarms/store.js";
import { AuditLog } from "../../../agent/audit/log.js";
import { silentLogger } from "../../../agent/log.js";
import { openDb } from "../../../agent/store/db.js";
import { Outbox } from "../../../agent/uplink/outbox.js";
import { alarmsSchema } from "../../../config/schema-alarms.js";
import { MN, tempDir, waitFor } from "../../helpers/station.js";

test("idle ticks look at nothing; events from this and another connection go out at the next tick", { timeout: 20_000 }, async () => {
  const { dir, cleanup } = tempDir();
  const path = join(dir, "station.db");
  const db = openDb(path);
  const alarms = new AlarmLog(db, new AuditLog(db));
  const outbox = new Outbox(db, "Asia/Shanghai");
  const posted: string[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      posted.push((JSON.parse(body) as { alarm: { subject: string } }).alarm.subject);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as { port: number }).port;
  // Counts the queries for pending events (the real method runs).
  const asked: Record<Sink, number> = { uplink: 0, http: 0 };
  const pending = alarms.pending.bind(alarms);
  alarms.pending = (sink, since, limit) => (asked[sink]++, pending(sink, since, limit));
  const notifier = new AlarmNotifier({
    db, alarms, station: { name: "Idle test", mn: MN }, tz: "Asia/Shanghai",
    cfg: alarmsSchema.parse({ http: { url: `http://127.0.0.1:${port}/a`, retry_max_s: 1 } }),
    platforms: () => ["city"], outbox, polIdOf: () => undefined, log: silentLogger,
  });
  const other = openDb(path);
  try {
    notifier.kick();
    await notifier.idle();
    assert.deepEqual(asked, { uplink: 1, http: 1 }, "the first tick looks");
    for (let i = 0; i < 5; i++) notifier.kick();
    await notifier.idle();
    assert.deepEqual(asked, { uplink: 1, http: 1 }, "idle ticks do not query");

    alarms.raise({ kind: "disk-low", subject: "here", message: "only 4 % free" });
    notifier.kick();
    assert.equal(outbox.pending("city", 10).length, 1, "an event recorded on this connection goes out at the next tick");
    await waitFor(() => posted.includes("here"), 5000, "POSTed");
    await notifier.idle();

    new AlarmLog(other, new AuditLog(other)).raise({ kind: "calibration-failed", subject: "cli", message: "zero check failed" });
    notifier.kick();
    assert.equal(outbox.pending("city", 10).length, 2, "an event another connection recorded goes out at the next tick");
    await waitFor(() => posted.includes("cli"), 5000, "POSTed");
    await notifier.idle();

    const before = { ...asked };
    notifier.kick(); // finds nothing after the sends
    await notifier.idle();
    for (let i = 0; i < 5; i++) notifier.kick();
    await notifier.idle();
    assert.deepEqual(asked, { uplink: before.uplink + 1, http: before.http + 1 }, "idle again once it found nothing");
    assert.deepEqual(posted, ["here", "cli"]);
    assert.equal(outbox.pending("city", 10).length, 2, "each event goes out once");
  } finally {
    notifier.stop();
    await notifier.idle();
    server.close();
    other.close();
    db.close();
    cleanup();
  }
});
