// Storage: the SQLite file and the raw readings table. First to start and last to stop: every
// other feature keeps its tables in this database (agent/store/db.ts migrates each module's own).
import type { Feature } from "../feature.js";
import type { Logger } from "../log.js";
import { openDb, type Db } from "./db.js";
import { ReadingStore } from "./readings.js";

export interface StorageDeps {
  path: string;
  log: Logger;
}

export class Storage implements Feature {
  private opened: Db | null = null;
  readings!: ReadingStore;

  constructor(private readonly deps: StorageDeps) {}

  /** The open database; null before start and after stop. */
  get db(): Db | null {
    return this.opened;
  }

  start(): void {
    const { path, log } = this.deps;
    this.opened = openDb(path, {
      // A station keeps collecting: an unreadable database file is kept aside for recovery.
      onCorrupt: "move-aside",
      onMovedAside: (to, why) => log.error(`database ${path} was unreadable (${why}): moved to ${to}, started a new one`),
    });
    this.readings = new ReadingStore(this.opened);
  }

  /**
   * Once everything has started, a write never waits long for another process's lock (a
   * technician's sqlite3 with an open transaction): it fails fast and is retried, so polling goes on.
   */
  failFast(): void {
    this.opened?.pragma("busy_timeout = 250");
  }

  stop(): void {
    this.opened?.close();
    this.opened = null;
  }
}
