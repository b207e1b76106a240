// Tamper evidence for stored readings: every committed batch gets one link in a hash chain
// (`reading_chain`), the hash of its readings' canonical rows and of the link before it. It is
// written in the transaction that stores the batch, so no reading is ever stored unchained.
// Cost: one sha256 over ~100 bytes per reading, a small fraction of the INSERT itself.
// Retention deletes old readings in ts order; links whose readings are all gone are pruned
// with them, and verification starts at the oldest link left.
import { createHash } from "node:crypto";
import type { Db } from "../store/db.js";
import { migrate } from "../store/db.js";
import type { StoredReading } from "../types.js";
import { GENESIS_HASH } from "./hash.js";

const MIGRATIONS = [
  `CREATE TABLE reading_chain (
     id INTEGER PRIMARY KEY,
     first_id INTEGER NOT NULL,       -- readings.id range of the batch, inclusive
     last_id INTEGER NOT NULL,
     count INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     prev_hash TEXT NOT NULL,
     hash TEXT NOT NULL
   );
   CREATE TRIGGER reading_chain_no_update BEFORE UPDATE ON reading_chain
     BEGIN SELECT RAISE(ABORT, 'reading_chain is append-only'); END;`,
];

/**
 * A batch's readings in a fixed binary form, field by field, into one growing buffer: what SQLite
 * gives back must give the same bytes. Binary, not text: building a string per reading cost more
 * than storing it (ingest must keep ≥ 200,000 readings/s). Strings are length-prefixed UTF-8,
 * numbers 8-byte doubles; NaN is stored by SQLite as NULL and -0 as 0, so both are normalised.
 */
const ENCODED = new Map<string, Buffer>();

class BatchEncoder {
  private buf = Buffer.allocUnsafe(1 << 16);
  /** Numbers go in through a DataView: Buffer#writeDoubleLE validates its arguments on every call. */
  private view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  private at = 0;

  /** Starts a new batch in the same buffer (one encoder serves every batch: no 64 KB per commit). */
  reset(): this {
    this.at = 0;
    return this;
  }
  get capacity(): number {
    return this.buf.length;
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
    this.view = new DataView(bigger.buffer, bigger.byteOffset, bigger.length);
  }
  private num(v: number): void {
    this.room(8);
    this.view.setFloat64(this.at, v, true);
    this.at += 8;
  }
  private str(v: string): void {
    // The same few strings (analyzer, channel, code, unit, flag, state, source) repeat on every
    // reading: their encoded form is kept, so each is copied, not encoded again.
    let enc = ENCODED.get(v);
    if (!enc) {
      const bytes = Buffer.from(v, "utf8");
      enc = Buffer.allocUnsafe(4 + bytes.length);
      enc.writeUInt32LE(bytes.length, 0);
      bytes.copy(enc, 4);
      if (ENCODED.size > 10_000) ENCODED.clear();
      ENCODED.set(v, enc);
    }
    this.room(enc.length);
    this.buf.set(enc, this.at);
    this.at += enc.length;
  }
  private bytes(v: Uint8Array | null): void {
    const n = v ? v.length : 0;
    this.room(4 + n);
    this.view.setInt32(this.at, v ? n : -1, true);
    if (v) this.buf.set(v, this.at + 4);
    this.at += 4 + n;
  }
  add(r: StoredReading): void {
    this.num(r.id);
    this.num(r.ts);
    this.num(r.value === null || Number.isNaN(r.value) ? Number.NaN : r.value === 0 ? 0 : r.value);
    this.str(r.analyzer);
    this.str(r.channel);
    this.str(r.code);
    this.str(r.unit);
    this.str(r.flag);
    this.str(r.state);
    this.bytes(r.raw);
    this.str(r.source);
  }
  digest(prevHash: string): string {
    return createHash("sha256").update(prevHash).update(this.buf.subarray(0, this.at)).digest("hex");
  }
}

let shared: BatchEncoder | null = null;

export function batchHash(prevHash: string, rows: readonly StoredReading[]): string {
  const enc = (shared ??= new BatchEncoder()).reset();
  for (let i = 0; i < rows.length; i++) enc.add(rows[i]);
  const hash = enc.digest(prevHash);
  if (enc.capacity > 1 << 20) shared = null; // a huge batch (a catch-up) does not keep its buffer
  return hash;
}

export type ChainVerdict =
  | { ok: true; links: number; readings: number }
  | { ok: false; links: number; readings: number; brokenAtLink: number; readingIds: [number, number]; reason: string };

interface Link {
  id: number;
  first_id: number;
  last_id: number;
  count: number;
  prev_hash: string;
  hash: string;
}

export class ReadingChain {
  private readonly insertStmt;
  private readonly headStmt;

  constructor(private readonly db: Db) {
    migrate(db, "reading_chain", MIGRATIONS);
    this.insertStmt = db.prepare("INSERT INTO reading_chain (first_id, last_id, count, created_at, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)");
    this.headStmt = db.prepare("SELECT hash FROM reading_chain ORDER BY id DESC LIMIT 1");
  }

  /** Links a batch just inserted (ids ascending and contiguous). Call inside the insert's transaction. */
  append(rows: readonly StoredReading[]): void {
    if (!rows.length) return;
    const prev = (this.headStmt.get() as { hash: string } | undefined)?.hash ?? GENESIS_HASH;
    this.insertStmt.run(rows[0].id, rows[rows.length - 1].id, rows.length, Date.now(), prev, batchHash(prev, rows));
  }

  head(): { id: number; hash: string } | null {
    return (this.db.prepare("SELECT id, hash FROM reading_chain ORDER BY id DESC LIMIT 1").get() as { id: number; hash: string } | undefined) ?? null;
  }

  /** Drops links whose readings retention has deleted entirely. Returns how many. */
  prune(): number {
    const min = (this.db.prepare("SELECT MIN(id) AS m FROM readings").get() as { m: number | null }).m;
    if (min === null) return 0;
    return this.db.prepare("DELETE FROM reading_chain WHERE last_id < ?").run(min).changes;
  }
}

/**
 * Recomputes every link over the readings it covers. A changed value, flag, time or raw word, a
 * deleted or inserted reading, or a changed link all break it. The oldest link left is trusted
 * as the anchor (its predecessors went with retention); a link whose readings are only partly
 * there is accepted only at the start of the kept range, where retention cut through it.
 */
export function verifyReadings(db: Db): ChainVerdict {
  const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'reading_chain'").get();
  if (!has) return { ok: true, links: 0, readings: 0 };
  const minId = (db.prepare("SELECT MIN(id) AS m FROM readings").get() as { m: number | null }).m ?? Infinity;
  const rowsOf = db.prepare("SELECT * FROM readings WHERE id BETWEEN ? AND ? ORDER BY id");
  let prev: string | null = null;
  let links = 0;
  let readings = 0;
  let lastId = 0;
  const broken = (l: Link, reason: string): ChainVerdict => ({ ok: false, links, readings, brokenAtLink: l.id, readingIds: [l.first_id, l.last_id], reason });
  for (const l of db.prepare("SELECT * FROM reading_chain ORDER BY id").iterate() as IterableIterator<Link>) {
    links++;
    if (prev !== null && l.prev_hash !== prev) return broken(l, "the link does not follow the one before it (a link was changed or removed)");
    prev = l.hash;
    if (l.first_id <= lastId) return broken(l, "the link overlaps the one before it");
    lastId = l.last_id;
    const rows = rowsOf.all(l.first_id, l.last_id) as StoredReading[];
    readings += rows.length;
    if (rows.length !== l.count) {
      if (l.last_id < minId || (l.first_id < minId && rows.length < l.count)) continue; // cut by retention
      return broken(l, `${l.count} readings were stored with ids ${l.first_id}–${l.last_id}, ${rows.length} are there now`);
    }
    if (batchHash(l.prev_hash, rows) !== l.hash) return broken(l, `a reading with id ${l.first_id}–${l.last_id} was changed`);
  }
  // Readings stored outside any link (inserted by hand after the fact) are tampering too.
  const unlinked = db.prepare("SELECT MIN(id) AS id FROM readings WHERE id > ?").get(lastId) as { id: number | null };
  if (links && unlinked.id !== null) return { ok: false, links, readings, brokenAtLink: links + 1, readingIds: [unlinked.id, unlinked.id], reason: `reading ${unlinked.id} is in no link of the chain` };
  return { ok: true, links, readings };
}
