import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { openDb } from "../../../agent/store/db.js";
import { ReadingStore } from "../../../agent/store/readings.js";
import { AuditLog, verifyAudit } from "../../../agent/audit/log.js";
import { ReadingChain, verifyReadings } from "../../../agent/audit/readings-chain.js";
import { canonicalJson } from "../../../agent/audit/hash.js";
import type { Reading } from "../../../agent/types.js";
import { tempDir } from "../../helpers/station.js";

function withDb(fn: (db: ReturnType<typeof openDb>) => void): void {
  const { dir, cleanup } = tempDir();
  const db = openDb(join(dir, "s.db"));
  try {
    fn(db);
  } finally {
    db.close();
    cleanup();
  }
}

const entries = (log: AuditLog) => {
  log.append({ actor: "alice", action: "software.start", details: { configSha256: "ab" } }, 1000);
  log.append({ actor: "bob", action: "maintenance.on", reason: "filter change", details: { analyzer: "pm" } }, 2000);
  log.append({ actor: "platform:city", action: "time.set", details: { to: 3 } }, 3000);
  log.append({ actor: "bob", action: "maintenance.off", reason: "done" }, 4000);
};

test("canonical JSON sorts keys at every level", () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } }), '{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}');
});

test("an intact audit chain verifies; entries link to their predecessor", () => {
  withDb((db) => {
    const log = new AuditLog(db);
    entries(log);
    assert.deepEqual(verifyAudit(db), { ok: true, entries: 4 });
    const all = log.list();
    assert.deepEqual(all.map((e) => e.action), ["software.start", "maintenance.on", "time.set", "maintenance.off"]);
    for (let i = 1; i < all.length; i++) assert.equal(all[i].prevHash, all[i - 1].hash);
    assert.equal(all[1].reason, "filter change");
    assert.deepEqual(all[1].details, { analyzer: "pm" });
  });
});

test("the triggers refuse UPDATE and DELETE on the audit log", () => {
  withDb((db) => {
    entries(new AuditLog(db));
    assert.throws(() => db.prepare("UPDATE audit_log SET reason = 'x' WHERE id = 2").run(), /append-only/);
    assert.throws(() => db.prepare("DELETE FROM audit_log WHERE id = 2").run(), /append-only/);
  });
});

const tamperings: { name: string; sql: string; brokenAt: number }[] = [
  { name: "a changed reason", sql: "UPDATE audit_log SET reason = 'routine' WHERE id = 2", brokenAt: 2 },
  { name: "a changed actor", sql: "UPDATE audit_log SET actor = 'carol' WHERE id = 3", brokenAt: 3 },
  { name: "changed details", sql: `UPDATE audit_log SET details = '{"analyzer":"o3"}' WHERE id = 2`, brokenAt: 2 },
  { name: "a removed entry", sql: "DELETE FROM audit_log WHERE id = 2", brokenAt: 3 },
  { name: "a recomputed hash without its successor", sql: "UPDATE audit_log SET reason = 'x', hash = 'f' || substr(hash, 2) WHERE id = 3", brokenAt: 3 },
];

for (const t of tamperings) {
  test(`audit verify detects ${t.name} at the right entry`, () => {
    withDb((db) => {
      entries(new AuditLog(db));
      // As an attacker with sqlite3 would: drop the guards first.
      db.exec("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;");
      db.exec(t.sql);
      const v = verifyAudit(db);
      assert.equal(v.ok, false);
      assert.equal(!v.ok && v.brokenAt, t.brokenAt, JSON.stringify(v));
    });
  });
}

const reading = (i: number): Reading => ({
  ts: 1_700_000_000_000 + i * 1000, analyzer: "o3", channel: "o3", code: "a05024", value: i % 3 === 0 ? 0 : i / 7,
  unit: "ppb", flag: "N", state: "ok", raw: Buffer.from([0x42, i & 0xff, 0, 0]), source: "teledyne-t400@1",
});

function storeBatches(db: ReturnType<typeof openDb>, batches: number, size: number): void {
  const store = new ReadingStore(db);
  const chain = new ReadingChain(db);
  for (let b = 0; b < batches; b++) {
    const rows = Array.from({ length: size }, (_, i) => reading(b * size + i));
    db.transaction(() => {
      const first = store.maxId() + 1;
      store.insert(rows);
      chain.append(rows.map((r, i) => ({ ...r, id: first + i })));
    })();
  }
}

test("the readings chain verifies what was stored, NaN and null included", () => {
  withDb((db) => {
    storeBatches(db, 3, 4);
    const store = new ReadingStore(db);
    const chain = new ReadingChain(db);
    const rows = [{ ...reading(99), value: Number.NaN }, { ...reading(100), value: null, raw: null, flag: "B" as const }];
    db.transaction(() => {
      const first = store.maxId() + 1;
      store.insert(rows);
      chain.append(rows.map((r, i) => ({ ...r, id: first + i })));
    })();
    assert.deepEqual(verifyReadings(db), { ok: true, links: 4, readings: 14 });
  });
});

const readingTamperings: { name: string; sql: string; link: number }[] = [
  { name: "a changed value", sql: "UPDATE readings SET value = 12.5 WHERE id = 6", link: 2 },
  { name: "a changed flag", sql: "UPDATE readings SET flag = 'C', state = 'zero' WHERE id = 9", link: 3 },
  { name: "changed raw words", sql: "UPDATE readings SET raw = x'00000000' WHERE id = 1", link: 1 },
  { name: "a deleted reading", sql: "DELETE FROM readings WHERE id = 7", link: 2 },
  { name: "a reading inserted afterwards", sql: "INSERT INTO readings (ts, analyzer, channel, code, value, unit, flag, state, raw, source) VALUES (1, 'o3', 'o3', 'a05024', 1, 'ppb', 'N', 'ok', NULL, 'x@1')", link: 4 },
];

for (const t of readingTamperings) {
  test(`audit verify detects ${t.name} in the stored readings`, () => {
    withDb((db) => {
      storeBatches(db, 3, 4);
      db.exec(t.sql);
      const v = verifyReadings(db);
      assert.equal(v.ok, false);
      assert.equal(!v.ok && v.brokenAtLink, t.link, JSON.stringify(v));
    });
  });
}

test("readings cut by retention are not tampering; links without readings are pruned", () => {
  withDb((db) => {
    storeBatches(db, 3, 4);
    db.exec("DELETE FROM readings WHERE id <= 6"); // retention: the oldest, in ts order
    assert.equal(verifyReadings(db).ok, true);
    assert.equal(new ReadingChain(db).prune(), 1);
    assert.equal(verifyReadings(db).ok, true);
  });
});
