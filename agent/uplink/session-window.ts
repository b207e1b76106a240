// A session's send window: the packets in flight and when they are sent again. Packets too long
// for one segment go split (HJ 212 C.49/C.50): each part has its own QN and its own 9014, one part
// in flight at a time; the parts are made durable before they are sent, so a restart sends the
// same parts again (outbox-parts.ts).
import type { Logger } from "../log.js";
import type { Packet } from "../types.js";
import type { SegmentHeader } from "./hj212/codec.js";
import { packetParts, type PacketPart } from "./outbox-parts.js";
import type { Outbox } from "./outbox.js";

/** A packet sent and waiting for its 9014. */
export interface InFlight {
  packet: Packet;
  /** A split packet's part in flight (C.49/C.50: its own QN, its own 9014, one part at a time), and all its parts. */
  part?: PacketPart;
  parts?: PacketPart[];
  /** performance.now() when last sent: a wall clock stepped back must not hold a retransmission for the size of the step. */
  sentAt: number;
  tries: number;
}

/** CP length (UTF-16 units ≤ bytes) from which a packet may need splitting: below it, no transaction. */
const SPLIT_CANDIDATE = 700;

type HeaderOf = (p: Packet) => SegmentHeader;

/** The parts of each packet of a batch (null: sent whole), made durable in one transaction (one fsync). */
export function batchParts(outbox: Outbox, platform: string, batch: readonly Packet[], header: HeaderOf, log: Logger): (PacketPart[] | null)[] {
  const partsOf = () => batch.map((p) => packetParts(outbox.parts, platform, header(p), p, log));
  return batch.some((p) => p.cp.length > SPLIT_CANDIDATE) ? outbox.transaction(partsOf) : partsOf();
}

/** Makes the parts of those of `packets` that will go split, inside the caller's transaction (no fsync of its own). */
export function prepareSplitParts(outbox: Outbox, platform: string, packets: readonly Packet[], header: HeaderOf, log: Logger): void {
  for (const p of packets) if (p.cp.length > SPLIT_CANDIDATE) packetParts(outbox.parts, platform, header(p), p, log);
}

/**
 * Packets whose ack is overdue, to send again, in window order, up to the first one out of tries:
 * then the connection is given up (`giveUp`) and whatever is in flight goes again after reconnecting.
 */
export function overdue(inFlight: Iterable<InFlight>, now: number, limitMs: number, retries: number): { resend: InFlight[]; giveUp?: InFlight } {
  const resend: InFlight[] = [];
  for (const f of inFlight) {
    if (now - f.sentAt < limitMs) continue;
    if (f.tries > retries) return { resend, giveUp: f };
    resend.push(f);
  }
  return { resend };
}
