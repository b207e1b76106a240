// Each analyzer's recent instrument states, kept up to date from the rows stored since the last
// look: the alarm check follows faults and silences over the last ~11 minutes once a minute, and
// reading those minutes again each time (every channel of every analyzer, ~43,000 rows on the
// bench station) was most of its cost. Pure: the caller queries, this keeps and orders.
import type { ReadingState } from "../store/readings.js";

interface Series {
  /** Every channel of a poll shares its state: one is enough, the analyzer's first one seen. */
  first: string;
  rows: ReadingState[];
  /** A row came with an earlier time than the last one (a clock that stepped back). */
  unsorted: boolean;
}

export class StateWindow {
  private readonly byAnalyzer = new Map<string, Series>();
  /** Row id of the newest row added (0: none yet): the next look asks for rows after it. */
  lastId = 0;

  /** Adds rows as stored (any order; ids as the store gave them). */
  add(rows: readonly ReadingState[]): void {
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      if (r.id > this.lastId) this.lastId = r.id;
      const s = this.byAnalyzer.get(r.analyzer);
      if (!s) this.byAnalyzer.set(r.analyzer, { first: r.channel, rows: [r], unsorted: false });
      else if (r.channel === s.first) {
        const last = s.rows[s.rows.length - 1];
        if (last && (r.ts < last.ts || (r.ts === last.ts && r.id < last.id))) s.unsorted = true;
        s.rows.push(r);
      }
    }
  }

  /** Forgets everything: the next look reads the whole window again (the clock stepped back). */
  reset(): void {
    this.byAnalyzer.clear();
    this.lastId = 0;
  }

  /** Forgets rows older than `from`, of every analyzer. */
  prune(from: number): void {
    for (const s of this.byAnalyzer.values()) {
      this.order(s);
      let k = 0;
      while (k < s.rows.length && s.rows[k].ts < from) k++;
      if (k) s.rows.splice(0, k);
    }
  }

  /** An analyzer's rows with from ≤ ts < to, in time order (ts, then id), as the store would give them. */
  series(analyzer: string, from: number, to: number): ReadingState[] {
    const s = this.byAnalyzer.get(analyzer);
    if (!s) return [];
    this.order(s);
    let a = 0;
    while (a < s.rows.length && s.rows[a].ts < from) a++;
    let b = s.rows.length;
    while (b > a && s.rows[b - 1].ts >= to) b--;
    return a === 0 && b === s.rows.length ? s.rows : s.rows.slice(a, b);
  }

  private order(s: Series): void {
    if (!s.unsorted) return;
    s.rows.sort((x, y) => x.ts - y.ts || x.id - y.id);
    s.unsorted = false;
  }
}
