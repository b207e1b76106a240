// One TCP connection to one HJ 212 platform. Sends the platform's outbox with a window of
// unacknowledged packets in flight, matches 9014 acks by QN (in any order), sends a packet again
// (same QN) when its ack does not come, and reconnects with capped back-off. A platform that is
// down never delays another: each has its own session and cursor.
// Which packets go next (live lane first, then the backlog) and how acks are recorded is shared
// with the HTTP uplink (delivery.ts).
import net from "node:net";
import type { PlatformConfig } from "../../config/schema.js";
import type { Packet } from "../types.js";
import { heartbeat, type AnswerIdentity } from "./answers.js";
import { AckWaiters, type AckOutcome } from "./ack-waiters.js";
import { AckBatch, DeliveryCursor, type SessionRuntime, type SessionState, type Uplink } from "./delivery.js";
import { buildSegment, decodeFrame, encodeFrame, flagBits, Hj212FrameError, type DecodedFrame } from "./hj212/codec.js";
import { FrameReader } from "./hj212/frames.js";
import { packetParts, partSegment } from "./outbox-parts.js";
import { batchParts, overdue, prepareSplitParts, type InFlight } from "./session-window.js";
import type { SessionDepsOf } from "./session-deps.js";
import { LinkCodec, SentQns } from "./session-sm4.js";
import { describeSocketError, openSocket } from "./session-tls.js";

/** What a session is given: the outbox it sends, where it reports, who handles requests. */
export type SessionDeps = SessionDepsOf<PlatformSession>;

export type { SessionRuntime, SessionState } from "./delivery.js";

export class PlatformSession implements Uplink {
  private socket: net.Socket | null = null;
  private reader = new FrameReader();
  private readonly inFlight = new Map<string, InFlight>();
  private tickTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private backoffMs = 1000;
  private stopped = true;
  private pumpScheduled = false;
  private readonly cursor: DeliveryCursor;
  private readonly acks: AckBatch;
  private readonly waiters = new AckWaiters();
  private readonly st: SessionState;
  readonly runtime: SessionRuntime;
  /** SM4 on CP (HJ 212-2025 §6.4): keys, encryption of what is sent, decryption of what comes in. */
  readonly codec: LinkCodec;
  private sentQns: SentQns;

  constructor(
    /** The platform's settings, overrides applied; changed in place by platform commands (see overrides.ts). */
    readonly cfg: PlatformConfig,
    private readonly deps: SessionDeps,
  ) {
    this.st = { platform: cfg.id, connected: false, since: null, lastError: null, inFlight: 0, sent: 0, retransmits: 0, acked: 0, badFrames: 0, reconnects: 0, unknownAcks: 0, undecryptable: 0 };
    this.codec = new LinkCodec(cfg, deps.keyStore, deps.log);
    this.runtime = { realtime: cfg.uploads.includes("realtime"), status: cfg.uploads.includes("status") };
    this.cursor = new DeliveryCursor(deps.outbox, cfg.id, cfg.order);
    this.acks = new AckBatch(deps.outbox, cfg.id);
    this.sentQns = SentQns.forWindow(this.cfg.window);
  }

  get mn(): string {
    return this.cfg.mn ?? this.deps.stationMn;
  }

  get connected(): boolean {
    return this.st.connected;
  }

  identity(): AnswerIdentity {
    return { st: this.cfg.st, pw: this.cfg.pw, mn: this.mn, protocol: this.cfg.protocol };
  }

  state(): SessionState {
    return { ...this.st, inFlight: this.inFlight.size, link: this.codec.link(), undecryptable: this.codec.undecryptable };
  }

  start(): void {
    this.stopped = false;
    this.reconfigure();
    this.connect();
  }

  /** Settings changed (1000 timeout/retries): timers follow them. */
  reconfigure(): void {
    if (this.tickTimer) clearInterval(this.tickTimer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
    if (this.stopped) return;
    const tickMs = Math.max(50, Math.min(1000, (this.cfg.ack_timeout_s * 1000) / 4));
    this.tickTimer = setInterval(() => this.checkTimeouts(), tickMs);
    if (this.cfg.protocol === "hj212-2025" && this.cfg.heartbeat_s > 0) {
      this.heartbeatTimer = setInterval(() => this.sendHeartbeat(), this.cfg.heartbeat_s * 1000);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.tickTimer) clearInterval(this.tickTimer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.acks.flush();
    this.waiters.disconnected();
    const s = this.socket;
    this.socket = null;
    if (s) await new Promise<void>((resolve) => { s.once("close", () => resolve()); s.destroy(); });
  }

  /** Makes the parts of those of `packets` that will go split, inside the caller's transaction (no fsync of its own). */
  prepareParts(packets: readonly Packet[]): void {
    prepareSplitParts(this.deps.outbox, this.cfg.id, packets, (p) => this.header(p), this.deps.log);
  }

  /** New packets were queued: send what the window allows. */
  kick(): void {
    this.pump();
  }

  /** Sends a segment built by a request handler (9011/9012 answers, requested data). False when not connected. */
  sendSegment(segment: string): boolean {
    if (!this.socket || !this.st.connected) return false;
    this.socket.write(this.codec.encode(segment));
    return true;
  }

  /**
   * Resolves when every QN is acknowledged, when the connection drops (the packets stay pending
   * and go out after reconnecting, but the request they answered is gone), or after `timeoutMs`.
   */
  whenAcked(qns: readonly string[], timeoutMs: number): Promise<AckOutcome> {
    return this.waiters.wait(qns, timeoutMs);
  }

  private connect(): void {
    if (this.stopped) return;
    const s = openSocket(this.cfg);
    this.socket = s;
    this.reader = new FrameReader();
    this.sentQns = SentQns.forWindow(this.cfg.window);
    s.setNoDelay(true);
    s.setKeepAlive(true, 30_000);
    s.on(this.cfg.tls ? "secureConnect" : "connect", () => {
      this.st.connected = true;
      this.st.since = Date.now();
      this.st.lastError = null;
      this.backoffMs = 1000;
      this.cursor.restart();
      this.deps.log.info(`connected to platform ${this.cfg.id}`, { host: this.cfg.host, port: this.cfg.port });
      this.deps.events.emit("platformConnected", this.cfg.id);
      this.pump();
    });
    s.on("data", (chunk: Buffer) => {
      for (const frame of this.reader.push(chunk)) this.onFrame(frame);
    });
    s.on("error", (err: NodeJS.ErrnoException) => {
      const msg = describeSocketError(err, this.cfg);
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
      this.acks.flush();
      this.waiters.disconnected();
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
    const batch = this.cursor.take(this.cfg.window - this.inFlight.size);
    const parts = batchParts(this.deps.outbox, this.cfg.id, batch, (p) => this.header(p), this.deps.log);
    batch.forEach((p, i) => this.send(p, 1, parts[i]));
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

  /** HJ 212-2025 RF=1: a 补传, i.e. a backlog packet or one sent again for want of its ack. Live packets carry none. */
  private header(p: Packet, tries = 1) {
    const rf = this.cfg.protocol === "hj212-2025" && (tries > 1 || p.resent === true);
    return { qn: p.qn, st: this.cfg.st, cn: p.cn, pw: this.cfg.pw, mn: this.mn, flag: flagBits(this.cfg.protocol, { ack: p.ackRequired }), rf };
  }

  /** Writes a segment (encrypted where SM4 applies); its QN's 9014 counts on this connection. */
  private write(segment: string, qn: string): void {
    this.socket!.write(this.codec.encode(segment));
    this.sentQns.add(qn);
  }

  private send(p: Packet, tries: number, parts = packetParts(this.deps.outbox.parts, this.cfg.id, this.header(p), p, this.deps.log)): void {
    const header = this.header(p, tries);
    this.st.sent++;
    if (!parts) {
      this.write(buildSegment(header, p.cp), p.qn);
      if (p.ackRequired) this.inFlight.set(p.qn, { packet: p, sentAt: performance.now(), tries });
      else this.deps.outbox.markDone(p.id);
      return;
    }
    if (!p.ackRequired) {
      for (const x of parts) this.write(partSegment(header, x), x.qn);
      return this.deps.outbox.markDone(p.id);
    }
    // With answers asked for, one part at a time: the next goes when this one's 9014 arrives.
    const next = parts.find((x) => x.ackedAt === null);
    if (!next) return this.acks.add(p.qn); // every part was acknowledged before a restart
    this.write(partSegment(header, next), next.qn);
    this.inFlight.set(next.qn, { packet: p, part: next, parts, sentAt: performance.now(), tries });
  }

  private sendHeartbeat(): void {
    if (!this.st.connected) return;
    this.sendSegment(heartbeat(this.identity(), this.deps.outbox.nextQn(), this.cfg.heartbeat_ack));
  }

  private checkTimeouts(): void {
    if (!this.st.connected) return;
    const { resend, giveUp } = overdue(this.inFlight.values(), performance.now(), this.cfg.ack_timeout_s * 1000, this.cfg.retries);
    for (const f of resend) {
      this.st.retransmits++;
      this.send(f.packet, f.tries + 1, f.parts);
    }
    if (!giveUp) return;
    this.deps.log.warn(`platform ${this.cfg.id}: no ack after ${giveUp.tries} tries, reconnecting`, { qn: giveUp.packet.qn });
    this.st.lastError = "ack timeout";
    this.socket?.destroy();
  }

  private onFrame(received: Buffer): void {
    const raw = this.codec.decrypt(received, (seg) => this.sendSegment(seg), this.identity());
    if (!raw) return void this.st.badFrames++;
    let frame: DecodedFrame;
    try {
      frame = decodeFrame(raw, { tolerant: true });
    } catch (err) {
      this.st.badFrames++;
      if (err instanceof Hj212FrameError && err.badCrcSegment !== undefined) this.deps.onBadCrc?.(err.badCrcSegment, this);
      else this.deps.onBadFrame?.((err as Error).message, this);
      return;
    }
    if (frame.header.cn === "9014") return this.onAck(frame.header.qn);
    if (this.deps.onRequest) this.deps.onRequest(frame, this);
    else this.deps.log.info(`platform ${this.cfg.id}: request CN=${frame.header.cn} not handled`);
  }

  private onAck(qn: string | undefined): void {
    if (!qn) return;
    // Without TLS anyone on the path can write into the connection: an ack only counts for a QN
    // sent on it, so a forged 9014 cannot mark data delivered (and later pruned) that never arrived.
    const f = this.inFlight.get(qn); // in flight: sent on this connection, whatever sentQns forgot
    if (!this.cfg.tls && !f && !this.sentQns.has(qn)) return void this.st.unknownAcks!++;
    if (f?.part) return this.onPartAck(f, qn);
    this.delivered(qn, f);
  }

  /** A packet acknowledged: by its own 9014, or (split) by its last part's. */
  private delivered(qn: string, f: InFlight | undefined): void {
    // An ack for a packet not in flight (sent before a reconnect, or a duplicate) is still
    // recorded: the outbox ignores QNs it does not know or has already seen acknowledged.
    this.inFlight.delete(qn);
    if (f) this.st.acked++;
    this.acks.add(qn);
    if (f) this.deps.events.emit("packetAcked", this.cfg.id, qn, f.packet.cn);
    this.waiters.acked(qn);
    this.schedulePump();
  }

  /**
   * A part's 9014: the next part goes out, or, after the last, the packet is delivered. Part acks
   * are kept in memory only: after a reconnect or a restart the packet's parts go again, each with
   * its own QN as before, which a platform takes as a repeat.
   */
  private onPartAck(f: InFlight, qn: string): void {
    this.inFlight.delete(qn);
    f.part!.ackedAt = Date.now();
    if (f.parts!.some((x) => x.ackedAt === null)) {
      if (this.st.connected && this.socket) this.send(f.packet, 1, f.parts);
      return;
    }
    // The whole packet's own QN never went on the wire (only its parts' did): delivered here, not
    // through onAck's check that a 9014 names a QN sent on this connection.
    this.delivered(f.packet.qn, f);
  }
}
