// Splitting long data into packets. The standard caps a segment at 1024 bytes; longer content
// (many pollutant codes, long i11001 logs) goes out as PNUM packets numbered PNO = 1..PNUM with
// Flag bit D set. An item (one `;` group) is never cut, so each packet stands on its own.
// HJ 212-2017 C.49/C.50: each part is a packet of its own, with its own QN (the caller assigns
// them: see outbox-parts.ts) and, with Flag A, its own 9014.
import { buildSegment, Hj212SegmentError, SEND_SEGMENT_BYTES, type SegmentHeader } from "./codec.js";

const byteLength = (s: string): number => Buffer.byteLength(s, "utf8");

/**
 * Segments for `cpItems` (CP groups, joined with `;`), each at most `maxBytes` UTF-8 bytes.
 * `repeat` items (typically `DataTime=…`) open every packet, so a platform can file each packet
 * without the others. Content that fits in one segment is returned unsplit, without PNUM/PNO.
 */
export function splitIntoPackets(
  header: Omit<SegmentHeader, "pnum" | "pno">,
  cpItems: string[],
  maxBytes: number = SEND_SEGMENT_BYTES,
  repeat: string[] = [],
): string[] {
  const parts = splitCp(header, cpItems, maxBytes, repeat);
  if (!parts) return [buildSegment(header, [...repeat, ...cpItems].join(";"))];
  const flag = (header.flag ?? 0) | 2;
  return parts.map((cp, i) => buildSegment({ ...header, flag, pnum: parts.length, pno: i + 1 }, cp));
}

/**
 * The CP of each part when `cpItems` do not fit in one segment of `maxBytes`, or null when they
 * do. Sized with the widest QN, PNUM and PNO, so any QN the caller gives a part fits.
 */
export function splitCp(
  header: Omit<SegmentHeader, "pnum" | "pno">,
  cpItems: string[],
  maxBytes: number = SEND_SEGMENT_BYTES,
  repeat: string[] = [],
): string[] | null {
  const whole = buildSegment(header, [...repeat, ...cpItems].join(";"));
  if (byteLength(whole) <= maxBytes) return null;

  const flag = (header.flag ?? 0) | 2; // D: this is one packet of several
  // Measured with the widest PNUM/PNO (4 digits each), so the real numbers can only be shorter.
  const overhead = byteLength(buildSegment({ ...header, qn: "0".repeat(17), flag, pnum: 9999, pno: 9999 }, repeat.join(";")));
  const packets: string[][] = [];
  let current: string[] = [];
  let size = overhead;
  for (const item of cpItems) {
    const cost = (n: number): number => (repeat.length + n > 0 ? 1 : 0) + byteLength(item);
    if (overhead + cost(0) > maxBytes) {
      throw new Hj212SegmentError("CP", item, `this item alone makes a segment over ${maxBytes} bytes and cannot be split`);
    }
    if (current.length && size + cost(current.length) > maxBytes) {
      packets.push(current);
      current = [];
      size = overhead;
    }
    size += cost(current.length);
    current.push(item);
  }
  if (current.length) packets.push(current);
  if (packets.length > 9999) throw new Hj212SegmentError("PNUM", String(packets.length), "more than 9999 packets");
  return packets.map((items) => [...repeat, ...items].join(";"));
}
