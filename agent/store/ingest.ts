// The store step of the flow, in one transaction per batch: the readings, their link in the hash
// chain, their screening (QC), and the closed minutes they land in (late readings) marked for
// recomputation. The agent's flush and the ingest benchmark both run exactly this.
import type { Db } from "./db.js";
import type { ReadingStore } from "./readings.js";
import type { Logger } from "../log.js";
import type { Reading, StoredReading } from "../types.js";

/**
 * The stages that run inside the batch's transaction, given by the composition root (they are
 * downstream of the store, so the store does not import them): the reading chain
 * (audit/readings-chain.ts), screening (qc/engine.ts) and the aggregates (aggregate/store.ts).
 */
export interface IngestParts {
  db: Db;
  readings: ReadingStore;
  readingChain: { append(rows: StoredReading[]): unknown };
  qc: { process(rows: StoredReading[]): unknown };
  aggregates: { noteStored(rows: StoredReading[]): unknown };
  log: Logger;
}

/** Commits a batch; returns the stored rows with their ids. Throws when nothing was stored. */
export function storeBatch(p: IngestParts, rows: Reading[]): StoredReading[] {
  return p.db.transaction(() => {
    // Ids follow the rows' order, consecutive up to the last one inserted: one writer, inside this
    // transaction (no MAX(id) query per batch).
    p.readings.insert(rows);
    const first = p.readings.lastInsertedId - rows.length + 1;
    // The queue's own objects get their ids (no copy of every reading on the hot path).
    const stored = rows as StoredReading[];
    for (let i = 0; i < stored.length; i++) stored[i].id = first + i;
    p.readingChain.append(stored);
    try {
      p.qc.process(stored); // a savepoint: a QC failure rolls back only QC, caught up later
    } catch (err) {
      p.log.error(`screening failed, will retry before aggregation: ${(err as Error).message}`);
    }
    p.aggregates.noteStored(stored);
    return stored;
  })();
}
