// One TCP connection to one HJ 212 platform. Sends the platform's outbox oldest first with a
// window of unacknowledged packets in flight, matches 9014 acks by QN (in any order), sends a
// packet again (same QN) when its ack does not come, and reconnects with capped back-off.
// A platform that is down never delays another: each has its own session and cursor.
import net from "node:net";
import type { PlatformConfig } from "../../config/schema.js";
import type { EventBus } from "../events.js";
import type { Logger } from "../log.js";
import type { Packet } from "../types.js";
import type { Outbox } from "./outbox.js";
import { buildSegment, decodeFrame, encodeFrame, flagBits, type DecodedFrame } from "./hj212/codec.js";
import { FrameReader } from "./hj212/frames.js";

export interface SessionDeps {
  outbox: Outbox;
  events: EventBus;
  log: Logger;
  stationMn: string;
  /** Handles a platform request (anything but a 9014); returns the frames' segments to send back. */
  onRequest?: (frame: DecodedFrame, session: PlatformSession) => void;
}

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
}

interface InFlight {
  packet: Packet;
  sentAt: number;
  tries: number;
}

const RETRIES_BEFORE_RECONNECT = 3;
const ACK_FLUSH_MS = 50;

export class PlatformSession {
  private socket: net.Socket | null = null;
  private reader = new FrameReader();
  private readonly inFlight = new Map<string, InFlight>();
  private pendingAcks: { qn: string; at: number }[] = [];
  private ackTimer: NodeJS.Timeout | null = null;
  private tickTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private backoffMs = 1000;
  private stopped = true;
  private pumpScheduled = false;
  /** Highest outbox id sent on this connection: newer packets are fetched after it. */
  private sentUpTo = 0;
  private readonly st: SessionState;

  constructor(
    readonly cfg: PlatformConfig,
    private readonly deps: SessionDeps,
  ) {
    this.st = { platform: cfg.id, connected: false, since: null, lastError: null, inFlight: 0, sent: 0, retransmits: 0, acked: 0, badFrames: 0, reconnects: 0 };
  }

  get mn(): string {
    return this.cfg.mn ?? this.deps.stationMn;
  }

  state(): SessionState {
    return { ...this.st, inFlight: this.inFlight.size };
  }

  start(): void {
    this.stopped = false;
    const tickMs = Math.max(50, Math.min(1000, (this.cfg.ack_timeout_s * 1000) / 4));
    this.tickTimer = setInterval(() => this.checkTimeouts(), tickMs);
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.tickTimer) clearInterval(this.tickTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.flushAcks();
    const s = this.socket;
    this.socket = null;
    if (s) await new Promise<void>((resolve) => { s.once("close", () => resolve()); s.destroy(); });
  }

  /** New packets were queued: send what the window allows. */
  kick(): void {
    this.pump();
  }

  /** Sends a segment built by a request handler (9011/9012 answers, requested data). */
  sendSegment(segment: string): void {
    this.socket?.write(encodeFrame(segment));
  }

  private connect(): void {
    if (this.stopped) return;
    const s = net.connect({ host: this.cfg.host, port: this.cfg.port });
    this.socket = s;
    this.reader = new FrameReader();
    s.setNoDelay(true);
    s.setKeepAlive(true, 30_000);
    s.on("connect", () => {
      this.st.connected = true;
      this.st.since = Date.now();
      this.st.lastError = null;
      this.backoffMs = 1000;
      this.deps.log.info(`connected to platform ${this.cfg.id}`, { host: this.cfg.host, port: this.cfg.port });
      this.deps.events.emit("platformConnected", this.cfg.id);
      this.pump();
    });
    s.on("data", (chunk: Buffer) => {
      for (const frame of this.reader.push(chunk)) this.onFrame(frame);
    });
    s.on("error", (err: NodeJS.ErrnoException) => {
      const msg = err.code ? `${err.code} ${this.cfg.host}:${this.cfg.port}` : err.message;
      if (msg !== this.st.lastError) this.deps.log.warn(`platform ${this.cfg.id}: ${msg}`);
      this.st.lastError = msg;
    });
    s.on("close", () => {
      if (this.socket !== s) return;
      const was = this.st.connected;
      this.socket = null;
      this.st.connected = false;
      this.st.since = Date.now();
      this.inFlight.clear(); // still pending in the outbox: resent, same QN, after reconnecting
      this.sentUpTo = 0;
      this.flushAcks();
      if (was) {
        this.deps.log.warn(`platform ${this.cfg.id} disconnected`);
        this.deps.events.emit("platformDisconnected", this.cfg.id, this.st.lastError ?? "closed");
      }
      if (this.stopped) return;
      this.st.reconnects++;
      const delay = this.backoffMs * (0.8 + Math.random() * 0.4);
      this.backoffMs = Math.min(this.backoffMs * 2, this.cfg.reconnect_max_s * 1000);
      this.reconnectTimer = setTimeout(() => this.connect(), delay);
    });
  }

  private pump(): void {
    if (!this.st.connected || !this.socket) return;
    const room = this.cfg.window - this.inFlight.size;
    if (room <= 0) return;
    for (const p of this.deps.outbox.pending(this.cfg.id, room, this.sentUpTo)) {
      this.sentUpTo = p.id;
      this.send(p, 1);
    }
  }

  /** Many acks in one read refill the window with one outbox query, not one per ack. */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private send(p: Packet, tries: number): void {
    const segment = buildSegment(
      { qn: p.qn, st: this.cfg.st, cn: p.cn, pw: this.cfg.pw, mn: this.mn, flag: flagBits(this.cfg.protocol, { ack: p.ackRequired }) },
      p.cp,
    );
    this.socket!.write(encodeFrame(segment));
    this.st.sent++;
    if (p.ackRequired) this.inFlight.set(p.qn, { packet: p, sentAt: Date.now(), tries });
    else this.deps.outbox.markDone(p.id);
  }

  private checkTimeouts(): void {
    if (!this.st.connected) return;
    const now = Date.now();
    const limit = this.cfg.ack_timeout_s * 1000;
    for (const f of this.inFlight.values()) {
      if (now - f.sentAt < limit) continue;
      if (f.tries > RETRIES_BEFORE_RECONNECT) {
        this.deps.log.warn(`platform ${this.cfg.id}: no ack after ${f.tries} tries, reconnecting`, { qn: f.packet.qn });
        this.st.lastError = "ack timeout";
        this.socket?.destroy();
        return;
      }
      this.st.retransmits++;
      this.send(f.packet, f.tries + 1);
    }
  }

  private onFrame(raw: Buffer): void {
    let frame: DecodedFrame;
    try {
      frame = decodeFrame(raw, { tolerant: true });
    } catch (err) {
      this.st.badFrames++;
      this.deps.log.debug(`platform ${this.cfg.id}: dropped frame: ${(err as Error).message}`);
      return;
    }
    if (frame.header.cn === "9014") return this.onAck(frame.header.qn);
    if (this.deps.onRequest) this.deps.onRequest(frame, this);
    else this.deps.log.info(`platform ${this.cfg.id}: request CN=${frame.header.cn} not handled`);
  }

  private onAck(qn: string | undefined): void {
    if (!qn) return;
    const f = this.inFlight.get(qn);
    // An ack for a packet not in flight (sent before a reconnect, or a duplicate) is still
    // recorded: the outbox ignores QNs it does not know or has already seen acknowledged.
    this.inFlight.delete(qn);
    if (f) this.st.acked++;
    this.pendingAcks.push({ qn, at: Date.now() });
    if (f) this.deps.events.emit("packetAcked", this.cfg.id, qn, f.packet.cn);
    // Acks are committed in small batches: one fsync per batch, not per packet. A crash loses at
    // most the last batch's records, and those packets are sent again with their same QN.
    if (!this.ackTimer) this.ackTimer = setTimeout(() => this.flushAcks(), ACK_FLUSH_MS);
    this.schedulePump();
  }

  private flushAcks(): void {
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = null;
    const acks = this.pendingAcks;
    if (!acks.length) return;
    this.pendingAcks = [];
    this.deps.outbox.ackMany(this.cfg.id, acks);
  }
}
