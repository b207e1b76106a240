// Checksums seen on HJ 212 links. The standard's CRC (hj212Crc) looks like Modbus CRC-16 but
// folds each byte in differently (the low byte of the register is shifted out before the XOR),
// so the two disagree on every non-empty input. modbusCrc exists only to recognise senders that
// use it by mistake (test/fixtures/hj212.md, "What real deployments get wrong").

/** HJ 212-2017 data-segment CRC: "123456789" → 0x2F80, "" → 0xFFFF. */
export function hj212Crc(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) {
    crc = (crc >> 8) ^ b;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >> 1) ^ 0xa001 : crc >> 1;
  }
  return crc;
}

/** CRC-16/MODBUS: "123456789" → 0x4B37 (sent low byte first on a Modbus wire). */
export function modbusCrc(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >> 1) ^ 0xa001 : crc >> 1;
  }
  return crc;
}

/** Swaps the two bytes of a 16-bit value (a Modbus CRC written in wire order: 4B37 → 374B). */
export function swapBytes(n: number): number {
  return ((n & 0xff) << 8) | ((n >> 8) & 0xff);
}

/** Four uppercase hex digits, as HJ 212 requires. */
export function crcHex(n: number): string {
  return (n & 0xffff).toString(16).toUpperCase().padStart(4, "0");
}
