// A local HJ 212 platform: accepts stations, acknowledges uploads (9014, QN echoed), reassembles
// split packets (PNUM/PNO) and reports what it receives. It can also send requests down to the
// stations (history, settings, raw bytes). Used by the demo, by `station-agent platform`, and by
// the tests as the real peer of the uplink. It can misbehave on purpose (drop acks, delay them).
import net from "node:net";
import tls from "node:tls";
import { buildSegment, decodeFrame, encodeFrame, parseFlag, type CrcVariant, type DecodedFrame, type Quirk } from "./hj212/codec.js";
import { FrameReader } from "./hj212/frames.js";
import { parseCp } from "./hj212/cp.js";
import { formatQn } from "../time.js";
import { decryptFrame, encodeEncryptedFrame, isEncryptedCn, type LengthBasis } from "./hj212/sm4-frame.js";

export interface ReceivedPacket {
  frame: DecodedFrame;
  /** CP items as a flat map (`a05024-Rtd` → "35.2", `DataTime` → …); all parts of a split packet. */
  fields: Record<string, string>;
  at: number;
  acked: boolean;
  /** How many frames the packet came in (PNUM); 1 when it was not split. */
  parts: number;
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
  /** A platform that insists on one checksum: frames with another are refused, answers carry it. */
  crc?: CrcVariant;
  onPacket?: (p: ReceivedPacket) => void;
  onBadFrame?: (reason: string) => void;
  /** HJ 212-2025: SM4 key of this platform; encrypted CPs are decrypted, requests of encrypted CNs are sent encrypted. */
  sm4Key?: Buffer;
  lengthBasis?: LengthBasis;
  /** Serve TLS with this certificate and key (PEM); with `ca`, stations must present a certificate it signed (mutual TLS). */
  tls?: { cert: string | Buffer; key: string | Buffer; ca?: string | Buffer };
}

const CRC_QUIRK: Record<CrcVariant, Quirk | null> = { standard: null, modbus: "modbus-crc", "modbus-swapped": "modbus-crc-swapped" };

interface PartialPacket {
  parts: Map<number, DecodedFrame>;
  pnum: number;
  since: number;
}

export class PlatformReceiver {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  readonly received: ReceivedPacket[] = [];
  /** Encrypted frames as they arrived (with `keep`), to check what was on the wire. */
  readonly encryptedSegments: string[] = [];
  readonly stats = { packets: 0, acked: 0, droppedAcks: 0, badFrames: 0, wrongPw: 0, connections: 0, splitPackets: 0, heartbeats: 0, encrypted: 0, tlsErrors: 0 };
  private ackable = 0;
  private readonly partials = new Map<string, PartialPacket>();
  private lastQn = 0;
  port = 0;

  constructor(private readonly opts: ReceiverOptions = {}) {}

  async start(): Promise<number> {
    const t = this.opts.tls;
    const server = t
      ? tls.createServer({ cert: t.cert, key: t.key, ca: t.ca, requestCert: !!t.ca, rejectUnauthorized: !!t.ca }, (s) => this.onConnection(s))
      : net.createServer((s) => this.onConnection(s));
    if (t) server.on("tlsClientError", () => void this.stats.tlsErrors++);
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

  /** Stations connected now. */
  get connections(): number {
    return this.sockets.size;
  }

  /** Number of distinct QNs received (a retransmitted packet counts once). */
  distinctQns(): number {
    return new Set(this.received.map((p) => p.frame.header.qn)).size;
  }

  /** Writes raw bytes to every connected station (fuzzing, hand-made frames). */
  sendRaw(bytes: string | Uint8Array): void {
    for (const s of this.sockets) if (!s.destroyed) s.write(bytes);
  }

  /** Sends a request (e.g. CN=2061 with BeginTime/EndTime) to every connected station; returns its QN. */
  request(req: { cn: string; cp: string; pw: string; mn: string; st?: string; flag?: number; qn?: string }): string {
    const qn = req.qn ?? this.nextQn();
    const seg = buildSegment({ qn, st: req.st ?? "22", cn: req.cn, pw: req.pw, mn: req.mn, flag: req.flag ?? 5 }, req.cp);
    const key = this.opts.sm4Key;
    this.sendRaw(key && isEncryptedCn(req.cn) ? encodeEncryptedFrame(seg, key, { crc: this.opts.crc, lengthBasis: this.opts.lengthBasis }) : encodeFrame(seg, this.opts.crc));
    return qn;
  }

  /** A platform that rotated its key (1014) decrypts and encrypts with the new one from now on. */
  setSm4Key(key: Buffer | undefined): void {
    this.opts.sm4Key = key;
  }

  /** Frames received with this QN (answers to a request echo its QN). */
  answersTo(qn: string): ReceivedPacket[] {
    return this.received.filter((p) => p.frame.header.qn === qn);
  }

  private nextQn(): string {
    this.lastQn = Math.max(Date.now(), this.lastQn + 1);
    return formatQn(this.lastQn);
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

  private onFrame(s: net.Socket, received: Buffer): void {
    let frame: DecodedFrame;
    try {
      let raw = received;
      const plain = decryptFrame(received, this.opts.sm4Key ? [this.opts.sm4Key] : []);
      if (plain) {
        this.stats.encrypted++;
        raw = plain.frame;
        if (this.opts.keep) this.encryptedSegments.push(received.toString("latin1"));
      }
      frame = decodeFrame(raw, { tolerant: true });
      const want = CRC_QUIRK[this.opts.crc ?? "standard"];
      const got = frame.quirks.find((q) => q === "modbus-crc" || q === "modbus-crc-swapped") ?? null;
      if (got !== want) throw new Error(`CRC variant ${got ?? "standard"}, this platform insists on ${this.opts.crc ?? "standard"}`);
    } catch (err) {
      this.stats.badFrames++;
      this.opts.onBadFrame?.((err as Error).message);
      return;
    }
    const h = frame.header;
    if (h.cn === "9015") this.stats.heartbeats++;
    if (h.pnum !== undefined && h.pno !== undefined && h.pnum > 1) {
      // C.49/C.50: each part is a packet with its own QN, answered on its own.
      const acked = this.answer(s, frame);
      const whole = this.reassemble(frame);
      if (!whole) return;
      return this.onPacket(s, whole.frame, whole.parts, acked);
    }
    this.onPacket(s, frame, 1);
  }

  /**
   * Collects the parts of a split packet; the whole once every PNO 1..PNUM is in. Parts have QNs
   * of their own, so they are told apart by station, CN, PNUM and the DataTime each repeats.
   */
  private reassemble(frame: DecodedFrame): { frame: DecodedFrame; parts: number } | undefined {
    const { pnum = 1, pno = 1, mn = "", cn = "" } = frame.header;
    const first = frame.cp.split(";", 1)[0];
    const key = `${mn}|${cn}|${pnum}|${first.startsWith("DataTime=") ? first : ""}`;
    const now = Date.now();
    // Parts of a packet whose rest never came are forgotten after a while (bounded memory).
    for (const [k, p] of this.partials) if (now - p.since > 60_000) this.partials.delete(k);
    const p = this.partials.get(key) ?? { parts: new Map(), pnum, since: now };
    p.parts.set(pno, frame);
    this.partials.set(key, p);
    if (p.parts.size < p.pnum) return undefined;
    this.partials.delete(key);
    this.stats.splitPackets++;
    const ordered = [...p.parts.entries()].sort((a, b) => a[0] - b[0]).map(([, f]) => f);
    // Each part repeats DataTime; the whole keeps it once.
    const items = ordered.flatMap((f, i) => f.cp.split(";").filter((it: string, j: number) => i === 0 || !(j === 0 && it.startsWith("DataTime="))));
    const head = ordered[0];
    return {
      frame: { ...head, header: { ...head.header, pnum: undefined, pno: undefined }, cp: items.join(";"), segment: ordered.map((f) => f.segment).join("") },
      parts: ordered.length,
    };
  }

  private onPacket(s: net.Socket, frame: DecodedFrame, parts: number, ackedParts?: boolean): void {
    this.stats.packets++;
    const acked = ackedParts ?? this.answer(s, frame);
    const fields: Record<string, string> = {};
    try {
      for (const [k, v] of parseCp(frame.cp).fields) fields[k] = v;
    } catch {
      /* a CP that does not parse is still a packet; its fields stay empty */
    }
    const packet: ReceivedPacket = { frame, fields, at: Date.now(), acked, parts };
    if (this.opts.keep) this.received.push(packet);
    this.opts.onPacket?.(packet);
  }

  /** The 9014 a frame asks for (QN echoed), unless this platform is told to misbehave. */
  private answer(s: net.Socket, frame: DecodedFrame): boolean {
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
        const ack = encodeFrame(buildSegment({ qn: h.qn, st: "91", cn: "9014", pw: h.pw ?? "", mn: h.mn ?? "", flag: 4 }, ""), this.opts.crc);
        const write = () => {
          if (!s.destroyed) s.write(ack);
          this.stats.acked++;
        };
        if (this.opts.ackDelayMs) setTimeout(write, this.opts.ackDelayMs);
        else write();
      }
    }
    return acked;
  }
}
