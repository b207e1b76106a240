// A local HJ 212 platform: accepts stations, acknowledges uploads (9014, QN echoed) and reports
// what it receives. Used by the demo, by `station-agent platform`, and by the tests as the real
// peer of the uplink. It can misbehave on purpose (drop acks, delay them) to test the station.
import net from "node:net";
import { buildSegment, decodeFrame, encodeFrame, parseFlag, type DecodedFrame } from "./hj212/codec.js";
import { FrameReader } from "./hj212/frames.js";
import { parseCp } from "./hj212/cp.js";

export interface ReceivedPacket {
  frame: DecodedFrame;
  /** CP items as a flat map (`a05024-Rtd` → "35.2", `DataTime` → …). */
  fields: Record<string, string>;
  at: number;
  acked: boolean;
}

export interface ReceiverOptions {
  host?: string;
  /** 0 picks a free port (see `port` after start). */
  port?: number;
  /** When set, packets with another PW are not acknowledged (and counted). */
  pw?: string;
  /** Do not acknowledge every Nth packet that asks for an ack (tests retransmission). */
  dropAckEvery?: number;
  /** Delay each ack by this many ms. */
  ackDelayMs?: number;
  /** Keep every packet in `received` (tests); otherwise only counts are kept. */
  keep?: boolean;
  onPacket?: (p: ReceivedPacket) => void;
  onBadFrame?: (reason: string) => void;
}

export class PlatformReceiver {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  readonly received: ReceivedPacket[] = [];
  readonly stats = { packets: 0, acked: 0, droppedAcks: 0, badFrames: 0, wrongPw: 0, connections: 0 };
  private ackable = 0;
  port = 0;

  constructor(private readonly opts: ReceiverOptions = {}) {}

  async start(): Promise<number> {
    const server = net.createServer((s) => this.onConnection(s));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.opts.port ?? 0, this.opts.host ?? "127.0.0.1", () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    return this.port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Number of distinct QNs received (a retransmitted packet counts once). */
  distinctQns(): number {
    return new Set(this.received.map((p) => p.frame.header.qn)).size;
  }

  private onConnection(s: net.Socket): void {
    this.stats.connections++;
    this.sockets.add(s);
    const reader = new FrameReader();
    s.on("data", (chunk) => {
      for (const raw of reader.push(chunk)) this.onFrame(s, raw);
    });
    s.on("error", () => {});
    s.on("close", () => this.sockets.delete(s));
  }

  private onFrame(s: net.Socket, raw: Buffer): void {
    let frame: DecodedFrame;
    try {
      frame = decodeFrame(raw, { tolerant: true });
    } catch (err) {
      this.stats.badFrames++;
      this.opts.onBadFrame?.((err as Error).message);
      return;
    }
    this.stats.packets++;
    const h = frame.header;
    const wantsAck = h.flag !== undefined && parseFlag(h.flag).ack;
    let acked = false;
    if (this.opts.pw !== undefined && h.pw !== this.opts.pw) {
      this.stats.wrongPw++;
    } else if (wantsAck && h.qn) {
      this.ackable++;
      if (this.opts.dropAckEvery && this.ackable % this.opts.dropAckEvery === 0) {
        this.stats.droppedAcks++;
      } else {
        acked = true;
        const ack = encodeFrame(buildSegment({ qn: h.qn, st: "91", cn: "9014", pw: h.pw ?? "", mn: h.mn ?? "", flag: 4 }, ""));
        const write = () => {
          if (!s.destroyed) s.write(ack);
          this.stats.acked++;
        };
        if (this.opts.ackDelayMs) setTimeout(write, this.opts.ackDelayMs);
        else write();
      }
    }
    const fields: Record<string, string> = {};
    for (const [k, v] of parseCp(frame.cp).fields) fields[k] = v;
    const packet: ReceivedPacket = { frame, fields, at: Date.now(), acked };
    if (this.opts.keep) this.received.push(packet);
    this.opts.onPacket?.(packet);
  }
}
