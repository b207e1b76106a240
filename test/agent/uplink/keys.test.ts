// The SM4 key store (state directory, 0600, atomic) and what depends on its dates: the previous
// key's 60 s and the 90-day alarm; a corrupt store leaves the configured keys in use.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { platformSchema } from "../../../config/schema.js";
import { EventBus } from "../../../agent/events.js";
import { createLogger, silentLogger } from "../../../agent/log.js";
import { openDb } from "../../../agent/store/db.js";
import { Hj2025Station } from "../../../agent/uplink/hj2025.js";
import { KEY_FILE, Sm4KeyStore } from "../../../agent/uplink/keys.js";
import { Outbox } from "../../../agent/uplink/outbox.js";
import { PlatformSession } from "../../../agent/uplink/session.js";
import { hj2025Parts } from "../../../agent/uplink/wire-2025.js";
import { MN, tempDir } from "../../helpers/station.js";

const A = Buffer.alloc(16, 0x41);
const B = Buffer.alloc(16, 0x42);
const C = Buffer.alloc(16, 0x30);

test("rotate: stored 0600 and read back; the previous key decrypts until its 60 s are up; nothing in the file but hex", () => {
  const { dir, cleanup } = tempDir();
  try {
    let now = 1_000_000;
    const path = join(dir, KEY_FILE);
    const s = new Sm4KeyStore(path, () => now).load();
    assert.deepEqual(s.decryptKeys("city", C), [C], "the configured key until a platform sends one");
    s.rotate("city", A, { createdAt: 500, actor: "platform:city", configured: C });
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(s.decryptKeys("city", C), [A, C]);
    s.rotate("city", B, { createdAt: null, actor: "platform:city", configured: C });
    assert.deepEqual(s.decryptKeys("city", C), [B, A], "the key before the last is gone at once");
    now += 60_001;
    assert.deepEqual(s.decryptKeys("city", C), [B]);
    const again = new Sm4KeyStore(path, () => now).load();
    assert.deepEqual(again.current("city", C), B);
    assert.deepEqual(again.current("other", C), C, "other platforms keep their own");
    assert.deepEqual(again.info("city", C), { source: "platform", since: now - 60_001 }, "no SKCreateTime: its age counts from when it was stored");
    assert.doesNotMatch(readFileSync(path, "utf8"), /AAAAAAAAAAAAAAAA|BBBBBBBBBBBBBBBB/);
  } finally {
    cleanup();
  }
});

test("a corrupt key store is logged and the configured keys are used; a 1014 afterwards writes a new one", () => {
  const { dir, cleanup } = tempDir();
  const db = openDb(join(dir, "s.db"));
  try {
    writeFileSync(join(dir, KEY_FILE), "{ half a file", { mode: 0o600 });
    const logs: string[] = [];
    const parts = hj2025Parts({
      stateDir: dir, log: createLogger({ write: (l) => void logs.push(l) }), tz: "Asia/Shanghai", outbox: new Outbox(db, "Asia/Shanghai"), events: new EventBus(),
      sessions: () => [], readingsBetween: () => [], calibrations: () => [], standardCheck: () => 1, codesOf: () => [], alarms: () => null,
    });
    assert.ok(logs.some((l) => /SM4 key store .* could not be read .*using the configured keys/.test(l)));
    assert.deepEqual(parts.keyStore.current("city", C), C);
    parts.keyStore.rotate("city", A, { createdAt: null, actor: "t", configured: C });
    assert.deepEqual(new Sm4KeyStore(join(dir, KEY_FILE)).load().current("city", null), A);
  } finally {
    db.close();
    cleanup();
  }
});

test("a key older than 90 days raises sm4-key-old; a new key clears it", () => {
  const { dir, cleanup } = tempDir();
  const db = openDb(join(dir, "s.db"));
  try {
    let now = Date.UTC(2026, 0, 1);
    const store = new Sm4KeyStore(join(dir, KEY_FILE), () => now).load();
    const cfg = platformSchema.parse({ id: "city", host: "127.0.0.1", port: 1, st: 22, pw: "x", protocol: "hj212-2025", sm4_key: "0000000000000000" });
    const outbox = new Outbox(db, "Asia/Shanghai");
    const session = new PlatformSession(cfg, { outbox, events: new EventBus(), log: silentLogger, stationMn: MN, keyStore: store });
    const raised: string[] = [];
    const cleared: string[] = [];
    const station = new Hj2025Station({
      sessions: () => [session], events: new EventBus(), outbox, log: silentLogger, tz: "Asia/Shanghai", hardwareIds: () => ({ loggerId: "x", cpuId: "x", mac1: "", mac2: "" }),
      alarms: () => ({ raise: (o) => void raised.push(o.message), clear: (_k, s) => void cleared.push(s) }), now: () => now,
    });
    station.checkKeyAges();
    assert.deepEqual(raised, [], "the configured key is first seen now");
    now += 91 * 86_400_000;
    station.checkKeyAges();
    assert.equal(raised.length, 1);
    assert.match(raised[0], /SM4 key of platform city is 91 days old \(from the configuration\)/);
    session.codec.crypto.rotate(A, now - 86_400_000, "platform:city");
    station.checkKeyAges();
    assert.equal(raised.length, 1);
    assert.ok(cleared.includes("platform city"));
  } finally {
    db.close();
    cleanup();
  }
});

test("2062: a completed check is queued for the HJ 212-2025 platforms only, a check that did not complete for none", () => {
  const { dir, cleanup } = tempDir();
  const db = openDb(join(dir, "s.db"));
  try {
    const outbox = new Outbox(db, "Asia/Shanghai");
    const session = (id: string, protocol: string) =>
      new PlatformSession(platformSchema.parse({ id, host: "127.0.0.1", port: 1, st: 22, pw: "x", protocol }), { outbox, events: new EventBus(), log: silentLogger, stationMn: MN });
    const sessions = [session("prov", "hj212-2025"), session("city", "hj212-2017")];
    const parts = hj2025Parts({
      stateDir: dir, log: silentLogger, tz: "Asia/Shanghai", outbox, events: new EventBus(), sessions: () => sessions,
      readingsBetween: () => [], calibrations: () => [], standardCheck: () => 1, codesOf: () => ["a05024"], alarms: () => null,
    });
    const result = { id: 1, analyzer: "o3", kind: "span", channel: "o3", reading: 399.5, reference: 400, drift: -0.1, limit: 5, unit: "ppb", pass: true, error: null, started: Date.UTC(2026, 0, 1), ended: Date.UTC(2026, 0, 1, 0, 10), flaggedUntil: 0, maintenance: false };
    parts.onCheckResult(result);
    parts.onCheckResult({ ...result, error: "bus error", pass: false });
    assert.deepEqual(outbox.pending("city", 10), []);
    const [p, ...more] = outbox.pending("prov", 10);
    assert.equal(more.length, 0);
    assert.equal(p.cn, "2062");
    assert.equal(p.cp, "DataTime=20260101080000;a05024-SampleRd=399.5;a05024-StandardValue=400;a05024-ResultType=1");
  } finally {
    db.close();
    cleanup();
  }
});
