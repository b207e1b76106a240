// Secrets and untrusted HTTP answers: the alarm endpoint's URL credentials and headers masked in
// `config show` and logs; a 1072 password kept in a 0600 file, not the database; answers over
// 1 MB and redirects refused (real local HTTP servers, real axios).
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { statSync } from "node:fs";
import { join } from "node:path";
import { configSchema, httpPlatformSchema } from "../../../config/schema.js";
import { redactConfig } from "../../../config/redact.js";
import { openDb } from "../../../agent/store/db.js";
import { OverrideStore, PW_IN_SECRETS } from "../../../agent/uplink/overrides.js";
import { SecretStore } from "../../../agent/secrets/store.js";
import { AuditLog } from "../../../agent/audit/log.js";
import { HttpUplink } from "../../../agent/uplink/http.js";
import { Outbox } from "../../../agent/uplink/outbox.js";
import { EventBus } from "../../../agent/events.js";
import { createLogger } from "../../../agent/log.js";
import { AlarmLog } from "../../../agent/alarms/store.js";
import { AlarmNotifier } from "../../../agent/alarms/notify.js";
import { MN, tempDir, waitFor } from "../../helpers/station.js";

test("config show masks the alarm endpoint's user:password, query and header values", () => {
  const cfg = configSchema.parse({
    station: { name: "s", mn: MN }, storage: { path: "x.db" },
    alarms: { http: { url: "https://bot:hunter2@alerts.example.com/hook?token=abc123", headers: { authorization: "Bearer s3cr3t" } } },
  });
  const shown = JSON.stringify(redactConfig(cfg));
  for (const secret of ["hunter2", "abc123", "s3cr3t"]) assert.ok(!shown.includes(secret), secret);
  assert.match(shown, /alerts\.example\.com/);
});

test("a password set by 1072 lives in a 0600 file, not in the database; an older database's is moved there, audited", () => {
  const { dir, cleanup } = tempDir();
  try {
    const db = openDb(join(dir, "s.db"));
    new OverrideStore(db).set("city", { pw: "old-pw-1", retries: 2 }, "platform:city"); // as an older version stored it
    const secrets = new SecretStore(join(dir, "secrets.json"));
    const audit = new AuditLog(db);
    const store = new OverrideStore(db, { secrets, audit });
    const raw = () => (db.prepare("SELECT value FROM uplink_overrides WHERE key = 'pw'").get() as { value: string }).value;
    assert.equal(JSON.parse(raw()), PW_IN_SECRETS);
    assert.equal(store.values("city").pw, "old-pw-1");
    assert.equal(audit.list().at(-1)?.action, "platform.set_password");
    store.set("city", { pw: "new-pw-2" }, "platform:city");
    assert.equal(store.values("city").pw, "new-pw-2");
    const dump = JSON.stringify(db.prepare("SELECT * FROM uplink_overrides").all()) + JSON.stringify(db.prepare("SELECT * FROM audit_log").all());
    assert.ok(!dump.includes("old-pw-1") && !dump.includes("new-pw-2"), "no password in any table");
    assert.equal(statSync(secrets.path).mode & 0o777, 0o600);
    db.close();
  } finally {
    cleanup();
  }
});

async function answering(handler: http.RequestListener) {
  const srv = http.createServer(handler);
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/in`, close: () => new Promise<void>((r) => (srv.closeAllConnections(), srv.close(() => r()))) };
}

test("an HTTP platform's answer over 1 MB is not taken as an ack, and a redirect is not followed with the token", async () => {
  let elsewhere = 0;
  const other = await answering((_q, res) => (elsewhere++, res.end("ok")));
  const big = await answering((_q, res) => res.writeHead(200).end(Buffer.alloc(2 << 20, 0x61)));
  const redirect = await answering((_q, res) => res.writeHead(307, { location: other.url }).end());
  const { dir, cleanup } = tempDir();
  const db = openDb(join(dir, "s.db"));
  const lines: string[] = [];
  try {
    for (const url of [big.url, redirect.url]) {
      const outbox = new Outbox(db, "Asia/Shanghai");
      const id = url === big.url ? "big" : "redir";
      outbox.enqueue([{ platform: id, cn: "2051", dataTime: Date.now(), ackRequired: true, cp: "DataTime=20260101080000;a05024-Avg=1" }]);
      const up = new HttpUplink(httpPlatformSchema.parse({ id, protocol: "http-json", url, token: "TOKEN-xyz", retry_max_s: 0.05, timeout_s: 2 }), {
        outbox, events: new EventBus(), log: createLogger({ level: "debug", write: (l) => lines.push(l) }), station: { mn: MN, name: "t" }, tz: "Asia/Shanghai",
      });
      up.start();
      await waitFor(() => up.state().retransmits >= 2, 8000, `${id}: retried`);
      await up.stop();
      assert.equal(outbox.backlog(id).pending, 1, `${id}: still pending`);
    }
    assert.equal(elsewhere, 0, "the redirect target never got the request");
    assert.ok(!lines.join("\n").includes("TOKEN-xyz"));
  } finally {
    db.close();
    cleanup();
    await Promise.all([other.close(), big.close(), redirect.close()]);
  }
});

test("the alarm notifier follows no redirect and logs the endpoint without its credentials", async () => {
  let elsewhere = 0;
  const other = await answering((_q, res) => (elsewhere++, res.end("ok")));
  const redirect = await answering((_q, res) => res.writeHead(302, { location: other.url }).end());
  const { dir, cleanup } = tempDir();
  const db = openDb(join(dir, "s.db"));
  const lines: string[] = [];
  try {
    const alarms = new AlarmLog(db, new AuditLog(db));
    alarms.raise({ kind: "door-open", subject: "station", message: "door opened" });
    const url = redirect.url.replace("http://", "http://bot:hunter2@") + "?key=abc123";
    const cfg = configSchema.parse({ station: { name: "s", mn: MN }, storage: { path: "x.db" }, alarms: { upload: false, http: { url, headers: { "x-token": "s3cr3t" }, retry_max_s: 1 } } }).alarms;
    const n = new AlarmNotifier({ db, alarms, cfg, station: { name: "s", mn: MN }, tz: "Asia/Shanghai", platforms: () => [], outbox: { enqueue: () => [] }, polIdOf: () => undefined, log: createLogger({ write: (l) => lines.push(l) }) });
    n.kick();
    await waitFor(() => lines.some((l) => /failed/.test(l)), 5000, "the POST failed");
    await n.idle();
    assert.equal(elsewhere, 0);
    const text = lines.join("\n");
    for (const secret of ["hunter2", "abc123", "s3cr3t"]) assert.ok(!text.includes(secret), secret);
  } finally {
    db.close();
    cleanup();
    await Promise.all([other.close(), redirect.close()]);
  }
});
