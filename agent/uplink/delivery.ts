// What every uplink shares, whatever it speaks (HJ 212 over TCP in session.ts, JSON over HTTP in
// http.ts): the cursor that picks the next packets of a platform from the outbox, and the
// batched recording of acknowledgements. Delivery state lives in the outbox; this is only the
// position of the current connection in it.
import type { PlatformConfig } from "../../config/schema.js";
import type { DeliveryOrder } from "../../config/schema-uplink.js";
import type { Packet } from "../types.js";
import type { Outbox } from "./outbox.js";

/** A platform's live state as `status` shows it. */
export interface SessionState {
  platform: string;
  connected: boolean;
  since: number | null;
  lastError: string | null;
  inFlight: number;
  sent: number;
  retransmits: number;
  acked: number;
  badFrames: number;
  reconnects: number;
  /** HJ 212 over TCP: TLS on the socket, SM4 on CP, both, or plain (link-crypto.ts). */
  link?: "tls+sm4" | "tls" | "sm4" | "plain";
  /** 9014s for a QN never sent on the connection they came on: ignored (a forged or stray ack). */
  unknownAcks?: number;
  /** Encrypted frames that did not decrypt (answered QnRtn=100). */
  undecryptable?: number;
}

/** What a platform switched on or off at run time (2011/2012, 2021/2022); not persisted. */
export interface SessionRuntime {
  realtime: boolean;
  status: boolean;
}

/** One platform's uplink, as the agent runs it: started, stopped, woken when packets are queued. */
export interface Uplink {
  readonly cfg: Pick<PlatformConfig, "id" | "realtime_interval_s">;
  readonly connected: boolean;
  readonly runtime: SessionRuntime;
  state(): SessionState;
  start(): void;
  stop(): Promise<void>;
  /** New packets were queued: send what the uplink allows. */
  kick(): void;
}

/**
 * `live-first` (HJ 212 platforms, as HJ 212-2025 §8.1.2 asks): two lanes over the outbox. Packets
 * made after the connection came up (live data, data a platform asked for) go first; the backlog
 * (everything older, and hand-made resends) fills the rest, oldest first. Live data is a packet a
 * minute or so, so it never starves the backlog, and a week-long backlog never hides the present.
 *
 * `oldest-first` (JSON and MQTT pipelines): one lane, every pending packet in the order it was made
 * (outbox id), so after an outage or a restart a consumer sees each kind in DataTime order. With
 * two lanes a restart during an outage made the backlog "old" and the next live minute overtook it.
 */
export class DeliveryCursor {
  /** Outbox ids up to this one were there when the connection came up: the backlog lane. */
  private liveFrom = 0;
  /** Highest id taken on this connection, per lane: newer packets are fetched after it. */
  private backlogUpTo = 0;
  private freshUpTo = 0;

  constructor(
    private readonly outbox: Outbox,
    private readonly platform: string,
    private readonly order: DeliveryOrder = "live-first",
  ) {}

  /** A connection came up: everything pending is taken again (it was never acknowledged). */
  restart(): void {
    this.liveFrom = this.outbox.maxId();
    this.backlogUpTo = 0;
    this.freshUpTo = this.liveFrom;
  }

  /** Up to `room` packets not yet taken on this connection: fresh ones first, then the backlog. */
  take(room: number): Packet[] {
    if (room <= 0) return [];
    if (this.order === "oldest-first") {
      const next = this.outbox.pending(this.platform, room, this.backlogUpTo);
      if (next.length) this.backlogUpTo = next[next.length - 1].id;
      return next;
    }
    const fresh = this.outbox.freshAfter(this.platform, this.freshUpTo, room);
    if (fresh.length) this.freshUpTo = fresh[fresh.length - 1].id;
    if (fresh.length >= room) return fresh;
    const backlog = this.outbox.backlogAfter(this.platform, this.backlogUpTo, this.liveFrom, room - fresh.length);
    if (backlog.length) this.backlogUpTo = backlog[backlog.length - 1].id;
    // The backlog lane is what HJ 212-2025 calls 补传: sent with RF=1.
    for (const p of backlog) p.resent = true;
    return [...fresh, ...backlog];
  }
}

/**
 * Acks are committed in small batches: one fsync per batch, not per packet. A crash loses at most
 * the last batch's records, and those packets are sent again with their same QN.
 */
export class AckBatch {
  private pending: { qn: string; at: number }[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly outbox: Outbox,
    private readonly platform: string,
    private readonly flushMs = 50,
  ) {}

  add(qn: string, at = Date.now()): void {
    this.pending.push({ qn, at });
    if (!this.timer) this.timer = setTimeout(() => this.flush(), this.flushMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const acks = this.pending;
    if (!acks.length) return;
    this.pending = [];
    try {
      this.outbox.ackMany(this.platform, acks);
    } catch {
      // The database is busy or full: keep the acks and try again. Until then those packets
      // stay pending, and at worst go out once more under their own QN.
      this.pending = acks.concat(this.pending);
      if (!this.timer) this.timer = setTimeout(() => this.flush(), 1000);
    }
  }
}
