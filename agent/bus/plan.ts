// Turns a device's reads into the fewest Modbus requests, per function code. Pure, like Telegraf's
// inputs/modbus request.go (groupFieldsToRequests): sort by address, extend the current request over
// small gaps, start a new one at a large gap or when the request would exceed the protocol limit.
import type { MappedSpan } from "../../drivers/registers.js";

export type PlanFc = 1 | 2 | 3 | 4;

/** One thing to read: `length` registers (FC03/04) or bits (FC01/02) from `address`. */
export interface ReadItem {
  fc: PlanFc;
  address: number;
  length: number;
}

export interface ReadRequest<T extends ReadItem = ReadItem> {
  fc: PlanFc;
  address: number;
  count: number;
  /** The items this request covers, in address order. */
  items: T[];
}

export interface GroupingParams {
  /** Registers per FC03/04 request (Modbus limit 125). */
  maxRegisters: number;
  /** Bits per FC01/02 request (Modbus limit 2000). */
  maxBits: number;
  /** Unwanted registers a request may read to join two items (0 joins only adjacent ones). */
  maxGap: number;
  /** Unwanted bits a request may read to join two items. */
  maxBitGap: number;
  /** Where a gap of any size may be read over (still within maxRegisters/maxBits): spans the device maps. */
  mapped?: readonly MappedSpan[];
}

/** True when the addresses from `start` to `end` (exclusive) of function code `fc` lie in one mapped span. */
export function inMappedSpan(mapped: readonly MappedSpan[] | undefined, fc: PlanFc, start: number, end: number): boolean {
  if (!mapped) return false;
  for (let i = 0; i < mapped.length; i++) {
    const m = mapped[i];
    if (m.fc === fc && m.from <= start && end - 1 <= m.to) return true;
  }
  return false;
}

export const DEFAULT_GROUPING: GroupingParams = { maxRegisters: 125, maxBits: 2000, maxGap: 10, maxBitGap: 64 };

/** Groups items into requests: FC order 1, 2, 3, 4, then address order. Throws on an item no request can hold. */
export function planReads<T extends ReadItem>(items: readonly T[], params: Partial<GroupingParams> = {}): ReadRequest<T>[] {
  const p = { ...DEFAULT_GROUPING, ...params };
  const requests: ReadRequest<T>[] = [];
  for (const fc of [1, 2, 3, 4] as const) {
    const bits = fc <= 2;
    const max = bits ? Math.min(p.maxBits, 2000) : Math.min(p.maxRegisters, 125);
    const gap = bits ? p.maxBitGap : p.maxGap;
    const sorted = items.filter((i) => i.fc === fc).sort((a, b) => a.address - b.address || b.length - a.length);
    let current: ReadRequest<T> | undefined;
    for (const item of sorted) {
      if (item.length < 1 || item.length > max) throw new RangeError(`cannot read ${item.length} at FC${fc} address ${item.address}`);
      if (item.address < 0 || item.address + item.length > 65536) throw new RangeError(`FC${fc} address ${item.address} out of range`);
      const end = item.address + item.length;
      if (current) {
        const currentEnd = current.address + current.count;
        const newCount = Math.max(currentEnd, end) - current.address;
        const joinable = item.address - currentEnd <= gap || inMappedSpan(p.mapped, fc, currentEnd, item.address);
        if (joinable && newCount <= max) {
          current.count = newCount;
          current.items.push(item);
          continue;
        }
      }
      current = { fc, address: item.address, count: item.length, items: [item] };
      requests.push(current);
    }
  }
  return requests;
}

/**
 * A coalesced request the slave refused (exception 02/03: an address inside it is not mapped) split into
 * its items, each item read alone (items that overlap stay together, a sample time with its value). The
 * result is in address order; a request of one item cannot be split and comes back as it is.
 */
export function splitRequest<T extends ReadItem>(request: ReadRequest<T>): ReadRequest<T>[] {
  const parts = planReads(request.items, { maxGap: -1, maxBitGap: -1 });
  return parts.length > 1 ? parts : [request];
}

/** How an analyzer's reads are coalesced (analyzer keys `coalesce` and `max_gap`). */
export type CoalesceMode = "gaps" | "contiguous" | "none";

/**
 * Grouping for a mode: gaps (the default: join over `maxGap` unwanted registers, and over any gap
 * inside a span the driver declares `mapped`), contiguous (adjacent only), none. A `max_gap` the
 * config sets is the installer's limit: then the driver's spans do not widen it.
 */
export function groupingFor(mode: CoalesceMode = "gaps", maxGap?: number, mapped?: readonly MappedSpan[]): Partial<GroupingParams> {
  if (mode === "none") return { maxGap: -1, maxBitGap: -1 };
  if (mode === "contiguous") return { maxGap: 0, maxBitGap: 0 };
  if (maxGap !== undefined) return { maxGap };
  return mapped?.length ? { mapped } : {};
}
