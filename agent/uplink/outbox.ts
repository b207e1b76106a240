// The durable outbox: one row per packet per platform. A packet is delivered when its 9014
// arrives (matched by QN); until then it stays pending, across disconnects and restarts.
// Nothing about delivery lives only in memory.
import type Database from "better-sqlite3";
import type { Db } from "../store/db.js";
import { migrate } from "../store/db.js";
import type { Packet } from "../types.js";
import { formatQn } from "../time.js";
import { PacketParts } from "./outbox-parts.js";

const MIGRATIONS = [
  `CREATE TABLE outbox (
     id INTEGER PRIMARY KEY,
     platform TEXT NOT NULL,
     qn TEXT NOT NULL,
     qn_ms INTEGER NOT NULL,          -- the QN as ms since the epoch: restores the QN clock after a restart
     cn TEXT NOT NULL,
     data_time INTEGER NOT NULL,
     cp TEXT NOT NULL,
     ack_required INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     last_sent_at INTEGER,
     acked_at INTEGER
   );
   CREATE UNIQUE INDEX outbox_qn ON outbox (platform, qn);
   CREATE INDEX outbox_pending ON outbox (platform, id) WHERE acked_at IS NULL;
   CREATE INDEX outbox_qn_ms ON outbox (qn_ms);`,
  // Why a packet exists: 'live' data made as it was measured, 'request' data a platform asked for,
  // 'resend' data re-queued by hand. Only the last waits behind an existing backlog (see session.ts).
  `ALTER TABLE outbox ADD COLUMN lane TEXT NOT NULL DEFAULT 'live';`,
];

export type Lane = "live" | "request" | "resend";

interface Row {
  id: number;
  platform: string;
  qn: string;
  cn: string;
  data_time: number;
  cp: string;
  ack_required: number;
  created_at: number;
  attempts: number;
  acked_at: number | null;
}

const toPacket = (r: Row): Packet => ({
  id: r.id,
  platform: r.platform,
  qn: r.qn,
  cn: r.cn,
  dataTime: r.data_time,
  cp: r.cp,
  ackRequired: r.ack_required === 1,
  createdAt: r.created_at,
  attempts: r.attempts,
  ackedAt: r.acked_at,
});

export interface NewPacket {
  platform: string;
  cn: string;
  dataTime: number;
  cp: string;
  ackRequired: boolean;
  /** Default 'live'. */
  lane?: Lane;
}

export interface BacklogInfo {
  platform: string;
  pending: number;
  oldestPendingTime: number | null;
  lastAckAt: number | null;
  acked: number;
}

/**
 * QN = YYYYMMDDhhmmsszzz has millisecond resolution; to keep it unique at thousands of packets
 * a second (and after the clock steps back) each QN is at least 1 ms after the previous one.
 */
export class QnClock {
  constructor(
    private last: number,
    private readonly tz: string,
    private readonly now: () => number = Date.now,
  ) {}
  next(): { qn: string; ms: number } {
    const ms = Math.max(this.now(), this.last + 1);
    this.last = ms;
    return { qn: formatQn(ms, this.tz), ms };
  }
}

export class Outbox {
  private readonly qn: QnClock;
  /** Parts of split packets, each with its own QN (outbox-parts.ts). */
  readonly parts: PacketParts;
  private readonly ackStmt;
  private readonly pendingStmt;
  // Prepared on first use: a read-only CLI on a database not yet migrated (no lane column) never needs them.
  private readonly lazy = new Map<string, Database.Statement>();
  private prep(sql: string): Database.Statement {
    let st = this.lazy.get(sql);
    if (!st) this.lazy.set(sql, (st = this.db.prepare(sql)));
    return st;
  }

  constructor(
    private readonly db: Db,
    tz: string,
  ) {
    migrate(db, "outbox", MIGRATIONS);
    const last = (db.prepare("SELECT MAX(qn_ms) AS m FROM outbox").get() as { m: number | null }).m ?? 0;
    this.parts = new PacketParts(db, () => this.qn.next());
    this.qn = new QnClock(Math.max(last, this.parts.maxQnMs()), tz);

    this.ackStmt = db.prepare("UPDATE outbox SET acked_at = ? WHERE platform = ? AND qn = ? AND acked_at IS NULL");
    this.pendingStmt = db.prepare("SELECT * FROM outbox WHERE platform = ? AND acked_at IS NULL AND id > ? ORDER BY id LIMIT ?");
  }

  /** Creates packets (QN assigned now, once). Call inside the transaction that produced their data. */
  enqueue(packets: readonly NewPacket[]): Packet[] {
    const now = Date.now();
    const insert = this.prep(
      `INSERT INTO outbox (platform, qn, qn_ms, cn, data_time, cp, ack_required, created_at, lane) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    return packets.map((p) => {
      const { qn, ms } = this.qn.next();
      const id = Number(
        insert.run(p.platform, qn, ms, p.cn, p.dataTime, p.cp, p.ackRequired ? 1 : 0, now, p.lane ?? "live").lastInsertRowid,
      );
      return { id, platform: p.platform, qn, cn: p.cn, dataTime: p.dataTime, cp: p.cp, ackRequired: p.ackRequired, createdAt: now, attempts: 0, ackedAt: null };
    });
  }

  /**
   * Oldest pending packets of a platform with id > `afterId` (a session passes the last id it
   * has sent on the current connection, so in-flight packets are not fetched again).
   */
  pending(platform: string, limit: number, afterId = 0): Packet[] {
    return (this.pendingStmt.all(platform, afterId, limit) as Row[]).map(toPacket);
  }

  /** A fresh QN from the same clock as the packets' (heartbeats, answers that need their own QN). */
  nextQn(): string {
    return this.qn.next().qn;
  }

  /** Highest packet id so far (0 when empty): a session's boundary between backlog and fresh packets. */
  maxId(): number {
    return (this.db.prepare("SELECT MAX(id) AS m FROM outbox").get() as { m: number | null }).m ?? 0;
  }

  /** Pending packets of the backlog lane: made up to `upToId`, or re-queued by hand; id order. */
  backlogAfter(platform: string, afterId: number, upToId: number, limit: number): Packet[] {
    return (this.prep(
      `SELECT * FROM outbox WHERE platform = ? AND acked_at IS NULL AND id > ? AND (id <= ? OR lane = 'resend') ORDER BY id LIMIT ?`,
    ).all(platform, afterId, upToId, limit) as Row[]).map(toPacket);
  }

  /** Pending live or requested packets with id > `afterId` (made after a session connected); id order. */
  freshAfter(platform: string, afterId: number, limit: number): Packet[] {
    return (this.prep(
      `SELECT * FROM outbox WHERE platform = ? AND acked_at IS NULL AND id > ? AND lane != 'resend' ORDER BY id LIMIT ?`,
    ).all(platform, afterId, limit) as Row[]).map(toPacket);
  }

  /** How many of the packets with ids in [firstId, lastId] are acknowledged (a resend's progress). */
  ackedBetween(platform: string, firstId: number, lastId: number): number {
    return (
      this.db
        .prepare("SELECT COUNT(*) AS n FROM outbox WHERE platform = ? AND id BETWEEN ? AND ? AND acked_at IS NOT NULL")
        .get(platform, firstId, lastId) as { n: number }
    ).n;
  }

  /** Runs `fn` in one transaction of the outbox's database (one fsync for many packets). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** Pending packets of a lane with ids in [firstId, lastId] (a platform request's progress). */
  pendingBetween(platform: string, lane: Lane, firstId: number, lastId: number): number {
    return (this.prep("SELECT COUNT(*) AS n FROM outbox WHERE platform = ? AND acked_at IS NULL AND id BETWEEN ? AND ? AND lane = ?").get(platform, firstId, lastId, lane) as { n: number }).n;
  }

  /** Drops a platform's request-lane packets still unacknowledged that were made before `before` (request_ttl_days). */
  dropStaleRequests(platform: string, before: number): number {
    const n = this.prep("DELETE FROM outbox WHERE platform = ? AND acked_at IS NULL AND lane = 'request' AND created_at < ?").run(platform, before).changes;
    if (n) this.parts.prune();
    return n;
  }

  /** Records a 9014. Returns false when the QN is unknown or was already acknowledged. */
  ack(platform: string, qn: string, at = Date.now()): boolean {
    return this.ackStmt.run(at, platform, qn).changes === 1;
  }

  /** Records several 9014s in one transaction (one fsync). Returns how many were new. */
  ackMany(platform: string, acks: readonly { qn: string; at: number }[]): number {
    return this.db.transaction(() => acks.reduce((n, a) => n + this.ackStmt.run(a.at, platform, a.qn).changes, 0))();
  }

  /** Packets that need no answer (Flag A unset) are done once written to the socket. */
  markDone(id: number, at = Date.now()): void {
    this.db.prepare("UPDATE outbox SET acked_at = ? WHERE id = ? AND acked_at IS NULL").run(at, id);
  }

  /** DataTime of the oldest packet any platform has not acknowledged, or null. */
  oldestPendingDataTime(): number | null {
    return (this.db.prepare("SELECT MIN(data_time) AS t FROM outbox WHERE acked_at IS NULL").get() as { t: number | null }).t;
  }

  /** Deletes up to `limit` acknowledged packets acknowledged before `before`. Never a pending one. */
  pruneAckedBefore(before: number, limit: number): number {
    const n = this.db
      .prepare("DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE acked_at IS NOT NULL AND acked_at < ? LIMIT ?)")
      .run(before, limit).changes;
    if (n) this.parts.prune();
    return n;
  }

  get(platform: string, qn: string): Packet | undefined {
    const r = this.db.prepare("SELECT * FROM outbox WHERE platform = ? AND qn = ?").get(platform, qn) as Row | undefined;
    return r && toPacket(r);
  }

  backlog(platform: string): BacklogInfo {
    const r = this.db
      .prepare(
        `SELECT
           (SELECT COUNT(*) FROM outbox WHERE platform = @p AND acked_at IS NULL) AS pending,
           (SELECT MIN(data_time) FROM outbox WHERE platform = @p AND acked_at IS NULL) AS oldest,
           (SELECT MAX(acked_at) FROM outbox WHERE platform = @p) AS lastAck,
           (SELECT COUNT(*) FROM outbox WHERE platform = @p AND acked_at IS NOT NULL) AS acked`,
      )
      .get({ p: platform }) as { pending: number; oldest: number | null; lastAck: number | null; acked: number };
    return { platform, pending: r.pending, oldestPendingTime: r.oldest, lastAckAt: r.lastAck, acked: r.acked };
  }

  /** Pending packets and the oldest pending DataTime, from the pending index alone (the page polls it). */
  pendingSummary(platform: string): { pending: number; oldestPendingTime: number | null } {
    const r = this.prep("SELECT COUNT(*) AS pending, MIN(data_time) AS oldest FROM outbox WHERE platform = ? AND acked_at IS NULL").get(platform) as { pending: number; oldest: number | null };
    return { pending: r.pending, oldestPendingTime: r.oldest };
  }
}
