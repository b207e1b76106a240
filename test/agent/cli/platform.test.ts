// `station-agent platform` as the demo uses it for an HJ 212-2025 link: TLS and SM4 end to end,
// the real binary in a child process and a station session connecting to it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { platformSchema } from "../../../config/schema.js";
import { EventBus } from "../../../agent/events.js";
import { silentLogger } from "../../../agent/log.js";
import { openDb } from "../../../agent/store/db.js";
import { sm4Available } from "../../../agent/uplink/hj212/sm4.js";
import { Outbox } from "../../../agent/uplink/outbox.js";
import { PlatformSession } from "../../../agent/uplink/session.js";
import { makeTestCerts, type TestCerts } from "../../helpers/certs.js";
import { freePort, MN, tempDir, waitFor } from "../../helpers/station.js";

const ROOT = resolve(import.meta.dirname, "..", "..", "..");
const KEY = "0000000000000000";

test("platform --sm4-key --tls-cert --tls-key: a 2025 station's encrypted packets over TLS arrive decrypted and acknowledged", async (t) => {
  if (!sm4Available()) return t.skip("this Node's OpenSSL has no sm4-ecb");
  const { dir, cleanup } = tempDir();
  const made = makeTestCerts(dir);
  if ("skip" in made) {
    cleanup();
    return t.skip(made.skip);
  }
  const certs = made as TestCerts;
  const port = await freePort();
  const child = spawn(process.execPath, ["bin/station-agent.js", "platform", "--port", String(port), "--json", "--sm4-key", KEY, "--tls-cert", certs.serverCert, "--tls-key", certs.serverKey], {
    cwd: ROOT, env: { ...process.env, STATION_AGENT_FROM_SOURCE: "1" }, stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let stderr = "";
  createInterface({ input: child.stdout }).on("line", (l) => lines.push(l));
  child.stderr.on("data", (d) => (stderr += d));
  const db = openDb(join(dir, "s.db"));
  const outbox = new Outbox(db, "Asia/Shanghai");
  const session = new PlatformSession(
    platformSchema.parse({ id: "p", host: "127.0.0.1", port, st: 22, pw: "123456", protocol: "hj212-2025", sm4_key: KEY, heartbeat_s: 0, reconnect_max_s: 1, tls: { ca: certs.ca } }),
    { outbox, events: new EventBus(), log: silentLogger, stationMn: MN },
  );
  try {
    await waitFor(() => /listening on 127\.0\.0\.1:\d+ \(TLS, SM4\)/.test(stderr), 20_000, `the platform listening (${stderr})`);
    outbox.enqueue([{ platform: "p", cn: "2051", dataTime: 0, cp: "DataTime=20260101080000;a05024-Min=30.1,a05024-Avg=35.2,a05024-Max=40.3,a05024-Flag=N", ackRequired: true }]);
    session.start();
    await waitFor(() => outbox.backlog("p").pending === 0, 10_000, "packet acknowledged by the platform");
    await waitFor(() => lines.length > 0, 5000, "the platform printed the packet");
    const got = JSON.parse(lines[0]) as { header: { cn: string; pw: string; rf?: number }; fields: Record<string, string>; acked: boolean };
    assert.equal(got.header.cn, "2051");
    assert.equal(got.fields["a05024-Avg"], "35.2", "decrypted");
    assert.equal(got.header.rf, 1, "queued before the connection: a 补传");
    assert.equal(got.header.pw, "******");
    assert.equal(got.acked, true);
    assert.equal(session.state().link, "tls+sm4");
  } finally {
    await session.stop();
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    db.close();
    cleanup();
  }
});
