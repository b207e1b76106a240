// Screening in the flow poll → store → qc → aggregate: readings are screened right after they
// are stored (in the same transaction, behind a savepoint so a QC failure never costs a
// reading), and anything left unscreened by a crash is screened before the next aggregation.
// The engine keeps each channel's recent history in memory; after a restart the stuck and
// spike checks start afresh (a few readings later they are back to full strength).
import type { StationConfig } from "../../config/schema.js";
import { cachedStatement, type Db } from "../store/db.js";
import type { StoredReading } from "../types.js";
import { pmCheck, rulesLookup } from "./config.js";
import { nextHistory, PM10, PM25, screen, type ChannelHistory, type PmCheck, type QcHit } from "./rules.js";
import { QcStore, windowCovers, windowRule, type QcWindow } from "./store.js";

const CATCH_UP_CHUNK = 5000;

export class QcEngine {
  readonly store: QcStore;
  private readonly rules;
  private readonly pm: PmCheck | null;
  /** analyzer → channel → history (nested: no key string built per reading on the ingest path). */
  private readonly history = new Map<string, Map<string, ChannelHistory>>();
  /** Latest normal PM value by code, from any analyzer. */
  private readonly latestPm = new Map<string, { code: string; ts: number; value: number }>();

  constructor(
    private readonly db: Db,
    cfg: StationConfig,
  ) {
    this.store = new QcStore(db);
    this.rules = rulesLookup(cfg);
    this.pm = pmCheck(cfg);
  }

  /**
   * Screens everything stored after the cursor. `justStored` is the batch the caller has just
   * inserted: when it follows the cursor it is used as is, without reading it back.
   * Returns the number of readings screened.
   */
  process(justStored?: readonly StoredReading[]): number {
    // The transaction function is wrapped once: this runs at every batch and every second.
    this.tx ??= this.db.transaction((rows?: readonly StoredReading[]) => this.catchUp(rows));
    this.through = this.screenedThrough;
    const n = this.tx(justStored);
    this.screenedThrough = this.through; // committed (or part of the caller's transaction)
    return n;
  }

  private tx: ((rows?: readonly StoredReading[]) => number) | undefined;
  /** Id of the last reading screened by the current call (not yet known to be kept). */
  private through = 0;
  /**
   * Id of the last reading this engine screened successfully (0: none yet). Compared with the
   * reading store's lastInsertedId: equal means no reading stored here waits for screening.
   */
  screenedThrough = 0;

  private catchUp(justStored?: readonly StoredReading[]): number {
    const cursor = this.store.cursor();
    if (justStored?.length && justStored[0].id === cursor + 1) return this.screenRows(justStored);
    let n = 0;
    for (;;) {
      const rows = cachedStatement(this.db, "SELECT * FROM readings WHERE id > ? ORDER BY id LIMIT ?").all(this.store.cursor(), CATCH_UP_CHUNK) as StoredReading[];
      if (!rows.length) return n;
      n += this.screenRows(rows);
    }
  }

  private screenRows(rows: readonly StoredReading[]): number {
    let minTs = Infinity;
    for (let i = 0; i < rows.length; i++) if (rows[i].ts < minTs) minTs = rows[i].ts;
    const windows: QcWindow[] = this.store.windowsFrom(minTs);
    // Indexed loops: the service runs interpreted (--no-opt), where for…of allocates per step.
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      let hits: QcHit[] | null = null;
      for (let j = 0; j < windows.length; j++) {
        const w = windows[j];
        if (windowCovers(w, r)) (hits ??= []).push({ flag: w.flag, rule: windowRule(w), reason: w.reason });
      }
      if (r.value !== null && Number.isFinite(r.value)) {
        const own = this.screenValue(r as StoredReading & { value: number }, hits === null);
        if (own.length) hits = hits ? hits.concat(own) : own;
      }
      if (hits) this.store.addFlags(r.id, hits);
    }
    this.store.setCursor((this.through = rows[rows.length - 1].id));
    return rows.length;
  }

  private screenValue(r: StoredReading & { value: number }, noWindow: boolean): QcHit[] {
    let byChannel = this.history.get(r.analyzer);
    if (!byChannel) this.history.set(r.analyzer, (byChannel = new Map()));
    const history = byChannel.get(r.channel) ?? { last: null, run: null };
    const partnerCode = r.code === PM25 ? PM10 : r.code === PM10 ? PM25 : null;
    const hits = screen(r, {
      rules: this.rules(r.analyzer, r.channel, r.code, r.unit),
      history,
      partner: partnerCode && this.pm ? (this.latestPm.get(partnerCode) ?? null) : null,
      pm: this.pm,
    });
    const normal = r.flag === "N" && noWindow && hits.length === 0;
    byChannel.set(r.channel, nextHistory(history, r, normal));
    // The PM partner is the latest value the instrument itself called normal, screened or not:
    // an inconsistent pair must flag both of its values.
    if (partnerCode && r.flag === "N" && noWindow) this.latestPm.set(r.code, { code: r.code, ts: r.ts, value: r.value });
    return hits;
  }
}
