// RTU line timing (Modbus over serial line v1.02 §2.5.1.1). A character on the wire is 1 start bit +
// data bits + 1 parity bit unless parity is none + stop bits: 11 bits for 8E1 or 8N2, 10 for 8N1.
// We count the bits of the configured format rather than assuming 11, so the silence we keep is the
// one the slaves on that line measure. Frames are separated by at least 3.5 character times; above
// 19200 baud the spec fixes it at 1.75 ms (fast UARTs cannot time shorter gaps reliably).
import type { RtuBusConfig } from "../../config/schema.js";

export type LineFormat = Pick<RtuBusConfig, "baud" | "parity" | "data_bits" | "stop_bits">;

export function bitsPerChar(f: LineFormat): number {
  return 1 + f.data_bits + (f.parity === "none" ? 0 : 1) + f.stop_bits;
}

/** Time one character takes on the wire (ms). */
export function charMs(f: LineFormat): number {
  return (bitsPerChar(f) * 1000) / f.baud;
}

/** The inter-frame silence t3.5 (ms). */
export function t35Ms(f: LineFormat): number {
  return f.baud > 19200 ? 1.75 : 3.5 * charMs(f);
}

/** Bytes of an RTU read request frame: address, FC, start, quantity, CRC. */
export const RTU_READ_REQUEST_BYTES = 8;

/** Bytes of the RTU response to a read of `count` registers (FC03/04) or bits (FC01/02). */
export function rtuReadResponseBytes(fc: number, count: number): number {
  const data = fc <= 2 ? Math.ceil(count / 8) : 2 * count;
  return 3 + data + 2; // address, FC, byte count, data, CRC
}

/**
 * The least time a read can take on the line: request and response bytes on the wire, the slave's
 * t3.5 to see the request end, its turnaround, and the master's t3.5 before the next request.
 */
export function rtuReadMinMs(f: LineFormat, fc: number, count: number, turnaroundMs: number): number {
  return (RTU_READ_REQUEST_BYTES + rtuReadResponseBytes(fc, count)) * charMs(f) + 2 * t35Ms(f) + turnaroundMs;
}
