import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import Database from "better-sqlite3";
import { join } from "node:path";
import { CACHE_KIB, migrate, openDb, StoreError } from "../../../agent/store/db.js";
import { ReadingStore } from "../../../agent/store/readings.js";
import { tempDir } from "../../helpers/station.js";

test("database: WAL, full sync, incremental vacuum, migrations applied once per module and version", () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, "s.db");
    let db = openDb(path);
    assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
    assert.equal(db.pragma("auto_vacuum", { simple: true }), 2);
    assert.equal(db.pragma("synchronous", { simple: true }), 2);
    migrate(db, "m", ["CREATE TABLE t (a)"]);
    migrate(db, "m", ["CREATE TABLE t (a)"]); // already applied: not run again
    migrate(db, "m", ["CREATE TABLE t (a)", "ALTER TABLE t ADD COLUMN b"]);
    db.prepare("INSERT INTO t (a, b) VALUES (1, 2)").run();
    const versions = db.prepare("SELECT version FROM schema_migrations WHERE module = 'm' ORDER BY version").all();
    assert.deepEqual(versions, [{ version: 1 }, { version: 2 }]);
    db.close();
    db = openDb(path, { readonly: true });
    assert.equal(db.readonly, true);
    db.close();
  } finally {
    cleanup();
  }
});

test("every connection, writer or read-only, keeps a 1 MB page cache (not better-sqlite3's 16 MB)", () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, "s.db");
    const writer = openDb(path);
    const reader = openDb(path, { readonly: true });
    try {
      // Negative: KiB. A station's RSS is held to 64 MB; a cache that grows to 16 MB over hours, or
      // at once for a platform's year of history, would not fit.
      assert.equal(writer.pragma("cache_size", { simple: true }), -CACHE_KIB);
      assert.equal(reader.pragma("cache_size", { simple: true }), -CACHE_KIB);
      assert.equal(CACHE_KIB, 1024);
    } finally {
      reader.close();
      writer.close();
    }
  } finally {
    cleanup();
  }
});

test("a missing database opened read-only is a clear StoreError", () => {
  const { dir, cleanup } = tempDir();
  try {
    assert.throws(() => openDb(join(dir, "nope.db"), { readonly: true }), (e: unknown) => e instanceof StoreError && /does not exist yet/.test(e.message));
  } finally {
    cleanup();
  }
});

test("readings keep value, flag and raw words; latest() gives each channel's newest", () => {
  const { dir, cleanup } = tempDir();
  try {
    const db = openDb(join(dir, "s.db"));
    const store = new ReadingStore(db);
    const base = { analyzer: "o3", code: "a05024", unit: "ppb", state: "ok", source: "teledyne-t400@1" };
    store.insert([
      { ...base, ts: 1000, channel: "o3", value: 1.5, flag: "N", raw: Buffer.from([0x3f, 0xc0, 0, 0]) },
      { ...base, ts: 2000, channel: "o3", value: null, flag: "B", state: "no-answer", raw: null },
      { ...base, ts: 1500, channel: "flow", value: 800, flag: "N", raw: null },
    ]);
    const latest = store.latest();
    assert.deepEqual(latest.map((r) => [r.channel, r.value, r.flag]), [["flow", 800, "N"], ["o3", null, "B"]]);
    assert.deepEqual(store.between(0, 1600).map((r) => r.raw), [Buffer.from([0x3f, 0xc0, 0, 0]), null]);
    assert.equal(store.count(), 3);
    assert.equal(store.oldestTs(), 1000);
    db.close();
  } finally {
    cleanup();
  }
});

test("batches of any size (whole multi-row groups and a remainder) store every row, field for field, in order", () => {
  const { dir, cleanup } = tempDir();
  try {
    const db = openDb(join(dir, "s.db"));
    const store = new ReadingStore(db);
    const expected: unknown[][] = [];
    let ts = 0;
    for (const size of [1, 15, 16, 17, 33, 50, 0, 66]) {
      const batch = Array.from({ length: size }, (_, i) => {
        ts += 1;
        const dead = (ts + i) % 7 === 0;
        return {
          ts, analyzer: `a${i % 3}`, channel: `c${i % 4}`, code: `a0502${i % 10}`, value: dead ? null : ts / 8, unit: i % 2 ? "ppb" : "mg/m3",
          flag: (dead ? "B" : "N") as "B" | "N", state: dead ? "no-answer" : "ok", raw: dead ? null : Buffer.from([ts & 0xff, i & 0xff]), source: `drv@${i % 5}`,
        };
      });
      store.insert(batch);
      for (const r of batch) expected.push([r.ts, r.analyzer, r.channel, r.code, r.value, r.unit, r.flag, r.state, r.raw, r.source]);
    }
    const got = store.after(0, 10_000);
    assert.deepEqual(got.map((r) => r.id), expected.map((_, i) => i + 1), "ids follow the batch order");
    assert.deepEqual(got.map((r) => [r.ts, r.analyzer, r.channel, r.code, r.value, r.unit, r.flag, r.state, r.raw, r.source]), expected);
    db.close();
  } finally {
    cleanup();
  }
});

test("a file that is not a database: a clear error, or moved aside and a new one started", () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, "station.db");
    writeFileSync(path, "this is not a database, it was overwritten by a careless copy".repeat(100));
    assert.throws(() => openDb(path), (e: unknown) => e instanceof StoreError && e.problem === "corrupt" && /not a readable SQLite database/.test(e.message));
    let moved = "";
    const db = openDb(path, { onCorrupt: "move-aside", onMovedAside: (to) => (moved = to) });
    assert.equal(db.pragma("integrity_check", { simple: true }), "ok");
    db.close();
    assert.match(moved, /station\.db\.corrupt-\d{4}-/);
    assert.ok(existsSync(moved), "the corrupt file is kept for recovery");
    assert.equal(readdirSync(dir).filter((f) => f.includes("corrupt")).length, 1);
  } finally {
    cleanup();
  }
});

test("a database locked by another process: a clear error naming the lock", () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, "station.db");
    openDb(path).close();
    const other = new Database(path);
    other.pragma("locking_mode = EXCLUSIVE");
    other.exec("BEGIN EXCLUSIVE");
    try {
      assert.throws(() => openDb(path, { busyTimeoutMs: 100 }), (e: unknown) => e instanceof StoreError && e.problem === "locked" && /locked by another process/.test(e.message));
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
    openDb(path).close();
  } finally {
    cleanup();
  }
});
