// Platform history requests (2051/2061/2031 aggregates, 2041 run-time days, 2011 with a range) answered in bounded
// memory and time slices. A request for a year must not cost the station: rows are read a slice
// of periods at a time, each slice queued in one transaction, the event loop given back between
// slices (a slice is sized to take ~20 ms), and the next slice waits while the request's packets
// not yet acknowledged exceed a small bound, so the outbox, the disk and the live packets queued
// behind them never see a flood. At most `max_request_packets` packets per request; beyond it
// the answer ends with ExeRtn=2 and a log line says what was cut. A request whose QN was answered
// in the last 24 h is answered again (9011/9012) without queueing its data twice, across a restart
// too when the deps hold the database: a request cut short by a restart goes on where it stopped.
import type { Logger } from "../log.js";
import { cachedStatement, migrate, type Db } from "../store/db.js";
import type { Aggregate, Packet, Reading } from "../types.js";
import { EXE_RTN } from "./answers.js";
import type { NewPacket, Outbox } from "./outbox.js";
import { aggregateCp, realtimeCp, type ChannelLookup } from "./packets.js";

export interface HistoryDeps {
  outbox: Outbox;
  log: Logger;
  tz: string;
  aggregates: { list(periodS: number, from: number, to: number): Aggregate[] };
  lookup: ChannelLookup;
  /** 2041: CP of one day's run-time data (packets.ts runtimeCp), null when none. */
  runtime?: (dayStart: number) => string | null;
  /** Local day start of an instant (aggregate/periods.ts), for 2041 ranges. */
  dayStart?: (ms: number) => number;
  /** 2011 with a range: stored readings in [from, to) with their effective flags, oldest first. */
  readings?: (from: number, to: number) => Reading[];
  /** Where answered requests are remembered across a restart (table history_answers); memory only without. */
  db?: Db;
}

const MIGRATIONS = [
  `CREATE TABLE history_answers (
     platform TEXT NOT NULL,
     qn TEXT NOT NULL,
     at INTEGER NOT NULL,
     next_t INTEGER NOT NULL,        -- the first period not yet queued: where a restart goes on
     first_id INTEGER NOT NULL DEFAULT 0,
     last_id INTEGER NOT NULL DEFAULT 0,
     queued INTEGER NOT NULL DEFAULT 0,
     exe_rtn INTEGER,                -- null while the answer is being made
     PRIMARY KEY (platform, qn)
   );`,
];

interface AnswerRow { next_t: number; first_id: number; last_id: number; queued: number; exe_rtn: number | null }
/** Where a request's answer stands: how far it is queued, and the outbox ids its packets have. */
interface Progress { t: number; firstId: number; lastId: number; queued: number }

/** The session side a request needs (session.ts). */
export interface HistorySession {
  readonly cfg: { id: string; window: number; ack_timeout_s: number; max_request_packets: number; realtime_interval_s?: number };
  readonly connected: boolean;
  kick(): void;
  /** Split packets' parts made in the slice's own transaction (session.ts), not one fsync each later. */
  prepareParts?(packets: readonly Packet[]): void;
}

export interface HistoryRequest {
  qn: string | undefined;
  cn: string;
  begin: number;
  end: number;
  /** Period of the aggregates asked for (s); 86400 and `runtime` for 2041; the realtime interval for 2011. */
  periodS: number;
  kind: "aggregate" | "runtime" | "realtime";
}

/**
 * Reading, building and queueing one slice (packets and their parts inserted); its commit (an
 * fsync, ~10 ms on an SD card or a VM disk, the same for any size) comes on top.
 */
const SLICE_TARGET_MS = 15;
/** Periods in the first slice: small, so a slow card or a busy CPU cannot make the first one long. */
const FIRST_SLICE = 8;
/** Periods per slice at most: its rows (× channels) are what the request holds in memory at once. */
const MAX_SLICE = 256;
const REMEMBER_MS = 24 * 3600_000;
const REMEMBERED = 1000;
const yieldLoop = () => new Promise<void>((r) => setImmediate(r));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class HistoryRequests {
  /** Answers by platform and request QN (24 h, bounded): a repeated request waits for the same answer. */
  private readonly answered = new Map<string, { at: number; result: Promise<number | null> }>();
  /** One request at a time per platform: its packets' ids then belong to it alone. */
  private readonly chains = new Map<string, Promise<unknown>>();
  /** Request-lane packets dropped by request_ttl_days, per platform (status, logs). */
  readonly dropped = new Map<string, number>();

  constructor(private readonly deps: HistoryDeps) {
    if (deps.db) migrate(deps.db, "history", MIGRATIONS);
  }

  /** The request's ExeRtn (null: the connection dropped, the request is gone). */
  answer(session: HistorySession, req: HistoryRequest): Promise<number | null> {
    const now = Date.now();
    for (const [k, v] of this.answered) if (now - v.at > REMEMBER_MS || this.answered.size > REMEMBERED) this.answered.delete(k);
    const key = req.qn ? `${session.cfg.id}\u0000${req.qn}` : undefined;
    const seen = key ? this.answered.get(key) : undefined;
    if (seen) {
      this.deps.log.info(`platform ${session.cfg.id}: request QN=${req.qn} (CN=${req.cn}) answered again, its data not queued twice`);
      return seen.result;
    }
    const stored = key ? this.stored(session.cfg.id, req.qn!, now) : undefined;
    if (stored?.exe_rtn != null) {
      this.deps.log.info(`platform ${session.cfg.id}: request QN=${req.qn} (CN=${req.cn}) answered before a restart, answered again, its data not queued twice`);
      return Promise.resolve(stored.exe_rtn);
    }
    const resume = stored ? { t: stored.next_t, firstId: stored.first_id, lastId: stored.last_id, queued: stored.queued } : undefined;
    if (resume) this.deps.log.info(`platform ${session.cfg.id}: request QN=${req.qn} (CN=${req.cn}) was being answered when the agent stopped: going on from ${new Date(resume.t).toISOString()}`);
    const prev = this.chains.get(session.cfg.id) ?? Promise.resolve();
    const result = prev.then(() => this.run(session, req, resume));
    const tail = result.catch(() => undefined);
    this.chains.set(session.cfg.id, tail);
    void tail.then(() => this.chains.get(session.cfg.id) === tail && this.chains.delete(session.cfg.id));
    if (key) this.answered.set(key, { at: now, result });
    if (key) void result.then((r) => r !== null && this.remember(session.cfg.id, req.qn!, { exeRtn: r }), () => undefined);
    return result;
  }

  /** The stored answer to a platform's QN within the last 24 h (older ones are forgotten here). */
  private stored(platform: string, qn: string, now: number): AnswerRow | undefined {
    const { db } = this.deps;
    if (!db || db.readonly) return undefined;
    // Forgotten after 24 h, and beyond the newest REMEMBERED (trimmed per request, not per slice).
    db.prepare("DELETE FROM history_answers WHERE at < ?").run(now - REMEMBER_MS);
    db.prepare("DELETE FROM history_answers WHERE rowid IN (SELECT rowid FROM history_answers ORDER BY at DESC LIMIT -1 OFFSET ?)").run(REMEMBERED);
    return db.prepare("SELECT next_t, first_id, last_id, queued, exe_rtn FROM history_answers WHERE platform = ? AND qn = ?").get(platform, qn) as AnswerRow | undefined;
  }

  /** Records how far a request's answer is (inside the slice's transaction), or its ExeRtn once made. */
  private remember(platform: string, qn: string | undefined, what: { progress: Progress } | { exeRtn: number }): void {
    const { db } = this.deps;
    if (!db || db.readonly || !qn) return;
    try {
      if ("exeRtn" in what) db.prepare("UPDATE history_answers SET exe_rtn = ? WHERE platform = ? AND qn = ?").run(what.exeRtn, platform, qn);
      else {
        const p = what.progress;
        // Every slice of a request: prepared once.
        cachedStatement(
          db,
          `INSERT INTO history_answers (platform, qn, at, next_t, first_id, last_id, queued) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (platform, qn) DO UPDATE SET next_t = excluded.next_t, first_id = excluded.first_id, last_id = excluded.last_id, queued = excluded.queued`,
        ).run(platform, qn, Date.now(), p.t, p.firstId, p.lastId, p.queued);
      }
    } catch (err) {
      this.deps.log.warn(`platform ${platform}: request QN=${qn} not remembered: ${(err as Error).message}`);
    }
  }

  /** Drops request-lane packets older than each platform's request_ttl_days; returns how many. */
  dropStale(platforms: ReadonlyArray<{ id: string; request_ttl_days: number }>, now = Date.now()): number {
    let total = 0;
    for (const p of platforms) {
      const n = this.deps.outbox.dropStaleRequests(p.id, now - p.request_ttl_days * 86_400_000);
      if (!n) continue;
      total += n;
      this.dropped.set(p.id, (this.dropped.get(p.id) ?? 0) + n);
      this.deps.log.warn(`platform ${p.id}: ${n} requested packets not acknowledged within ${p.request_ttl_days} days dropped`, { droppedTotal: this.dropped.get(p.id) });
    }
    return total;
  }

  private async run(session: HistorySession, req: HistoryRequest, resume?: Progress): Promise<number | null> {
    const { deps } = this;
    const platform = session.cfg.id;
    const cap = session.cfg.max_request_packets;
    const ahead = Math.max(4 * session.cfg.window, 256); // requested packets in flight or waiting, at most
    const step = req.periodS * 1000;
    // Periods per slice, adapted to the time a slice takes; realtime periods hold every poll's readings.
    let slice = req.kind === "realtime" ? 2 : FIRST_SLICE;
    let firstId = resume?.firstId ?? 0;
    let lastId = resume?.lastId ?? 0;
    let queued = resume?.queued ?? 0;
    let cutAt: number | null = null;
    let cut: number | null = null; // DataTime of the first period left out
    const from = req.kind === "runtime" && deps.dayStart ? deps.dayStart(req.begin) : req.kind === "realtime" ? req.begin - (req.begin % step) : req.begin;
    for (let t = resume?.t ?? from; t <= req.end; ) {
      if (!session.connected) return null; // the request is gone; what is queued goes out later
      if (queued >= cap || cut !== null) {
        cutAt = t;
        break;
      }
      while (lastId && deps.outbox.pendingBetween(platform, "request", firstId, lastId) > ahead) {
        if (!session.connected) return null;
        await sleep(20);
      }
      const started = performance.now();
      const to = Math.min(t + slice * step, req.end + 1);
      const all = this.slice(platform, req, t, to);
      // Sized by what grows with it (reading, building, inserting), not the commit's fixed fsync.
      let took = performance.now() - started;
      const packets = all.length > cap - queued ? all.slice(0, cap - queued) : all;
      if (packets.length < all.length) cut = all[packets.length].dataTime;
      if (packets.length) {
        deps.outbox.transaction(() => {
          const made = deps.outbox.enqueue(packets);
          session.prepareParts?.(made);
          if (!firstId) firstId = made[0].id;
          lastId = made[made.length - 1].id;
          queued += made.length;
          this.remember(platform, req.qn, { progress: { t: to, firstId, lastId, queued } });
          took = performance.now() - started;
        });
        session.kick();
      }
      t = to;
      slice = took > SLICE_TARGET_MS ? Math.max(1, Math.floor(slice / 2)) : took < SLICE_TARGET_MS / 4 ? Math.min(slice * 2, MAX_SLICE) : slice;
      await yieldLoop();
    }
    if (!queued) return EXE_RTN.noData;
    if (cut === null && cutAt !== null && (await this.moreFrom(platform, req, cutAt, slice * step))) cut = cutAt;
    deps.log.info(`platform ${platform}: history CN=${req.cn} request, ${queued} packets queued`);
    if (cut !== null) deps.log.warn(`platform ${platform}: history CN=${req.cn} request cut at ${cap} packets (max_request_packets): data from ${new Date(cut).toISOString()} to the request's EndTime not sent; ExeRtn=2`);
    const r = await this.acked(session, firstId, lastId, Math.max(60_000, queued * session.cfg.ack_timeout_s * 1000));
    if (r !== "acked") return r === "disconnected" ? null : EXE_RTN.timeout;
    return cut !== null ? EXE_RTN.failed : EXE_RTN.ok;
  }

  /** Whether any data is left from `from` on, probed a bounded slice at a time. */
  private async moreFrom(platform: string, req: HistoryRequest, from: number, span: number): Promise<boolean> {
    for (let t = from; t <= req.end; t += span) {
      if (this.slice(platform, req, t, Math.min(t + span, req.end + 1), 1).length) return true;
      await yieldLoop();
    }
    return false;
  }

  /** Packets of the periods starting in [from, to), oldest first (at most `limit`). */
  private slice(platform: string, req: HistoryRequest, from: number, to: number, limit = Infinity): NewPacket[] {
    const { deps } = this;
    const out: NewPacket[] = [];
    const packet = (dataTime: number, cp: string): NewPacket => ({ platform, cn: req.cn, dataTime, cp, ackRequired: true, lane: "request" });
    if (req.kind === "realtime") return this.realtimeSlice(req, from, to, limit, packet);
    if (req.kind === "runtime") {
      // Days are 24 h in station time (China keeps no daylight saving); `from` is a day start.
      for (let d = from; d < to && out.length < limit; d += 86_400_000) {
        const cp = deps.runtime?.(d);
        if (cp) out.push(packet(d, cp));
      }
      return out;
    }
    let group: Aggregate[] = [];
    const flush = () => {
      const cp = group.length ? aggregateCp(group, deps.tz, deps.lookup) : null;
      if (cp) out.push(packet(group[0].periodStart, cp));
      group = [];
    };
    for (const a of deps.aggregates.list(req.periodS, from, to)) {
      if (group.length && a.periodStart !== group[0].periodStart) {
        flush();
        if (out.length >= limit) return out;
      }
      group.push(a);
    }
    flush();
    return out;
  }

  /**
   * 2011 with a range: one realtime packet per realtime interval, each channel's latest reading in
   * it. HJ 212-2017 defines no range for 2011 (C.10 starts live uploads); platforms that ask for
   * realtime data back this way get what is stored, like any history request.
   */
  private realtimeSlice(req: HistoryRequest, from: number, to: number, limit: number, packet: (t: number, cp: string) => NewPacket): NewPacket[] {
    const out: NewPacket[] = [];
    const step = req.periodS * 1000;
    let bucket = from;
    let latest = new Map<string, Reading>();
    const flush = () => {
      const cp = latest.size ? realtimeCp([...latest.values()], bucket, this.deps.tz, this.deps.lookup) : null;
      if (cp) out.push(packet(bucket, cp));
      latest = new Map();
    };
    for (const r of this.deps.readings?.(from, to) ?? []) {
      if (r.ts >= bucket + step) {
        flush();
        if (out.length >= limit) return out;
        bucket = r.ts - ((r.ts - from) % step);
      }
      latest.set(`${r.analyzer}\u0000${r.channel}`, r);
    }
    flush();
    return out;
  }

  /** Polls the outbox (bounded memory: no set of QNs) until the request's packets are all acknowledged. */
  private async acked(session: HistorySession, firstId: number, lastId: number, timeoutMs: number): Promise<"acked" | "disconnected" | "timeout"> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (this.deps.outbox.pendingBetween(session.cfg.id, "request", firstId, lastId) === 0) return "acked";
      if (!session.connected) return "disconnected";
      if (Date.now() > until) return "timeout";
      await sleep(100);
    }
  }
}
