// `status` / `backlog` show how each platform's link is protected (tls+sm4, tls, sm4, plain),
// read from the configuration and the key store when no service runs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadConfig } from "../../../config/load.js";
import { openDb } from "../../../agent/store/db.js";
import { readStatus } from "../../../agent/status.js";
import { KEY_FILE, Sm4KeyStore } from "../../../agent/uplink/keys.js";
import { Outbox } from "../../../agent/uplink/outbox.js";
import { MN, tempDir } from "../../helpers/station.js";

const ROOT = resolve(import.meta.dirname, "..", "..", "..");

test("link per platform: tls+sm4, tls, sm4 from a 1014 key in the store, plain; in backlog's table and JSON", () => {
  const { dir, cleanup } = tempDir();
  try {
    mkdirSync(join(dir, "tls"));
    writeFileSync(join(dir, "tls", "ca.pem"), "-----BEGIN TEST-----\n");
    const file = join(dir, "station.yaml");
    writeFileSync(
      file,
      `station: { name: t, mn: "${MN}" }
storage: { path: s.db }
platforms:
  - { id: nat, host: 127.0.0.1, port: 9001, st: 22, pw: "p", protocol: hj212-2025, sm4_key: "0000000000000000", tls: { ca: tls/ca.pem } }
  - { id: vpn, host: 127.0.0.1, port: 9002, st: 22, pw: "p", tls: { ca: tls/ca.pem } }
  - { id: prov, host: 127.0.0.1, port: 9003, st: 22, pw: "p", protocol: hj212-2025 }
  - { id: city, host: 127.0.0.1, port: 9004, st: 22, pw: "p" }
  - { id: off, host: 127.0.0.1, port: 9005, st: 22, pw: "p", protocol: hj212-2025, sm4_key: "0000000000000000", encrypt: false }
`,
    );
    const { config } = loadConfig(file);
    const db = openDb(config.storage.path);
    new Outbox(db, "Asia/Shanghai");
    assert.deepEqual(readStatus(db, config).platforms.map((p) => p.link), ["tls+sm4", "tls", "plain", "plain", "plain"]);
    // prov got a key from its platform (1014): now it is encrypted.
    new Sm4KeyStore(join(dir, KEY_FILE)).load().rotate("prov", Buffer.alloc(16, 0x31), { createdAt: null, actor: "platform:prov", configured: null });
    assert.deepEqual(readStatus(db, config).platforms.map((p) => p.link), ["tls+sm4", "tls", "sm4", "plain", "plain"]);
    db.close();
    const run = (...args: string[]) => spawnSync(process.execPath, ["bin/station-agent.js", ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, STATION_AGENT_FROM_SOURCE: "1" } });
    const json = run("backlog", "--config", file, "--json");
    assert.equal(json.status, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout).platforms.map((p: { link: string }) => p.link), ["tls+sm4", "tls", "sm4", "plain", "plain"]);
    const human = run("backlog", "--config", file);
    assert.match(human.stdout, /nat\s+127\.0\.0\.1:9001\s+tls\+sm4/);
    assert.match(human.stdout, /city\s+127\.0\.0\.1:9004\s+plain/);
    assert.doesNotMatch(human.stdout + json.stdout, /0000000000000000/);
  } finally {
    cleanup();
  }
});
