// The parts of a split packet (HJ 212-2017 C.49/C.50), durable beside the outbox: a packet whose
// segment would be over 1024 bytes goes out as PNUM parts, each with its own QN and, when the
// packet asks for answers, its own 9014. The parts (their CP and QN) are made once, when the
// packet is first sent, so a part retransmitted after a reconnect or a restart keeps its QN; the
// packet is delivered when every part is acknowledged.
import type { Db } from "../store/db.js";
import { migrate } from "../store/db.js";
import type { Logger } from "../log.js";
import type { Packet } from "../types.js";
import { buildSegment, Hj212SegmentError, SEND_SEGMENT_BYTES, type SegmentHeader } from "./hj212/codec.js";
import { splitCp } from "./hj212/split.js";

const MIGRATIONS = [
  `CREATE TABLE outbox_parts (
     packet_id INTEGER NOT NULL,
     pno INTEGER NOT NULL,
     pnum INTEGER NOT NULL,
     platform TEXT NOT NULL,
     qn TEXT NOT NULL,
     qn_ms INTEGER NOT NULL,
     cp TEXT NOT NULL,
     acked_at INTEGER,
     PRIMARY KEY (packet_id, pno)
   ) WITHOUT ROWID;
   CREATE UNIQUE INDEX outbox_parts_qn ON outbox_parts (platform, qn);`,
];

export interface PacketPart {
  packetId: number;
  pno: number;
  pnum: number;
  qn: string;
  cp: string;
  ackedAt: number | null;
}

export class PacketParts {
  constructor(
    private readonly db: Db,
    /** The outbox's QN clock: parts' QNs never collide with packets'. */
    private readonly nextQn: () => { qn: string; ms: number },
  ) {
    migrate(db, "outbox_parts", MIGRATIONS);
  }

  /** Highest QN time of any part (0 when none): the QN clock resumes after it. */
  maxQnMs(): number {
    return (this.db.prepare("SELECT MAX(qn_ms) AS m FROM outbox_parts").get() as { m: number | null }).m ?? 0;
  }

  /** The parts of a packet, made from `split()` (each part's CP) the first time; oldest PNO first. */
  of(packetId: number, platform: string, split: () => string[]): PacketPart[] {
    const read = () =>
      this.db
        .prepare("SELECT packet_id AS packetId, pno, pnum, qn, cp, acked_at AS ackedAt FROM outbox_parts WHERE packet_id = ? ORDER BY pno")
        .all(packetId) as PacketPart[];
    const have = read();
    if (have.length) return have;
    const cps = split();
    const insert = this.db.prepare("INSERT INTO outbox_parts (packet_id, pno, pnum, platform, qn, qn_ms, cp) VALUES (?, ?, ?, ?, ?, ?, ?)");
    this.db.transaction(() => {
      cps.forEach((cp, i) => {
        const { qn, ms } = this.nextQn();
        insert.run(packetId, i + 1, cps.length, platform, qn, ms, cp);
      });
    })();
    return read();
  }

  /** Records a part's 9014; returns its packet and whether every part is now acknowledged, or null for an unknown QN. */
  ack(platform: string, qn: string, at = Date.now()): { packetId: number; complete: boolean } | null {
    const row = this.db.prepare("SELECT packet_id AS id FROM outbox_parts WHERE platform = ? AND qn = ?").get(platform, qn) as { id: number } | undefined;
    if (!row) return null;
    this.db.prepare("UPDATE outbox_parts SET acked_at = ? WHERE platform = ? AND qn = ? AND acked_at IS NULL").run(at, platform, qn);
    const left = (this.db.prepare("SELECT COUNT(*) AS n FROM outbox_parts WHERE packet_id = ? AND acked_at IS NULL").get(row.id) as { n: number }).n;
    return { packetId: row.id, complete: left === 0 };
  }

  /** Parts of packets that are gone from the outbox (pruned, dropped). */
  prune(): number {
    return this.db.prepare("DELETE FROM outbox_parts WHERE packet_id NOT IN (SELECT id FROM outbox)").run().changes;
  }
}

/** A packet over 1024 bytes as its parts (made once, durable), or null when it goes whole. */
export function packetParts(parts: PacketParts, platform: string, header: SegmentHeader, p: Packet, log: Logger): PacketPart[] | null {
  if (Buffer.byteLength(buildSegment(header, p.cp), "utf8") <= SEND_SEGMENT_BYTES) return null;
  const items = p.cp.split(";");
  // DataTime opens every part, so the platform can file each part on its own.
  const repeat = items[0]?.startsWith("DataTime=") ? [items.shift()!] : [];
  try {
    return parts.of(p.id, platform, () => splitCp(header, items, undefined, repeat) ?? [p.cp]);
  } catch (err) {
    if (!(err instanceof Hj212SegmentError)) throw err;
    // One item alone is too long to split on: send it whole, as many platforms accept.
    log.warn(`platform ${platform}: packet ${p.qn} cannot be split (${err.reason}); sent whole`);
    return null;
  }
}

/** A part's segment: the packet's header with the part's QN, Flag D, PNUM and PNO. */
export function partSegment(header: SegmentHeader, part: PacketPart): string {
  return buildSegment({ ...header, qn: part.qn, flag: (header.flag ?? 0) | 2, pnum: part.pnum, pno: part.pno }, part.cp);
}
