// The Modbus application layer of the simulator: a request PDU in, a response PDU out
// (Modbus Application Protocol v1.1b3 §6). Framing (MBAP for TCP, address+CRC for RTU) is in tcp.ts/rtu.ts.
import type { SimulatedDevice } from "./model.js";

const exception = (fc: number, code: number) => Buffer.from([fc | 0x80, code]);

function packBits(bits: boolean[]): Buffer {
  const out = Buffer.alloc(Math.ceil(bits.length / 8));
  bits.forEach((b, i) => {
    if (b) out[i >> 3] |= 1 << (i & 7);
  });
  return out;
}

function unpackBits(bytes: Buffer, count: number): boolean[] {
  return Array.from({ length: count }, (_, i) => ((bytes[i >> 3] >> (i & 7)) & 1) === 1);
}

/** Answers one request PDU (function code first) for a device. */
export function handlePdu(device: SimulatedDevice, pdu: Buffer): Buffer {
  const fc = pdu[0];
  if (device.exceptionCode !== null) return exception(fc, device.exceptionCode);
  if (pdu.length < 5) return exception(fc, 3);
  const address = pdu.readUInt16BE(1);
  const qty = pdu.readUInt16BE(3);
  switch (fc) {
    case 1:
    case 2: {
      if (qty < 1 || qty > 2000) return exception(fc, 3);
      if (address + qty > 65536) return exception(fc, 2);
      const bytes = packBits(device.readBits(fc, address, qty));
      return Buffer.concat([Buffer.from([fc, bytes.length]), bytes]);
    }
    case 3:
    case 4: {
      if (qty < 1 || qty > 125) return exception(fc, 3);
      if (address + qty > 65536) return exception(fc, 2);
      const words = device.readRegisters(fc, address, qty);
      const out = Buffer.alloc(2 + words.length * 2);
      out[0] = fc;
      out[1] = words.length * 2;
      words.forEach((w, i) => out.writeUInt16BE(w, 2 + i * 2));
      return out;
    }
    case 5: {
      if (qty !== 0xff00 && qty !== 0x0000) return exception(fc, 3);
      device.writeCoils(5, address, [qty === 0xff00]);
      return Buffer.from(pdu.subarray(0, 5));
    }
    case 6: {
      device.writeRegisters(6, address, [qty]);
      return Buffer.from(pdu.subarray(0, 5));
    }
    case 15:
    case 16: {
      const byteCount = pdu[5];
      const max = fc === 15 ? 1968 : 123;
      const need = fc === 15 ? Math.ceil(qty / 8) : qty * 2;
      if (qty < 1 || qty > max || byteCount !== need || pdu.length < 6 + byteCount) return exception(fc, 3);
      if (address + qty > 65536) return exception(fc, 2);
      const data = pdu.subarray(6, 6 + byteCount);
      if (fc === 15) device.writeCoils(15, address, unpackBits(data, qty));
      else device.writeRegisters(16, address, Array.from({ length: qty }, (_, i) => data.readUInt16BE(i * 2)));
      return Buffer.from(pdu.subarray(0, 5));
    }
    default:
      return exception(fc, 1);
  }
}

/** Length of a complete request PDU starting at `buf[0]` (the function code), or undefined if unknown/incomplete. */
export function requestPduLength(buf: Buffer): number | undefined {
  if (buf.length < 1) return undefined;
  const fc = buf[0];
  if (fc >= 1 && fc <= 6) return 5;
  if (fc === 15 || fc === 16) return buf.length < 6 ? undefined : 6 + buf[5];
  return undefined;
}

/** Delivers a response after the device's delay; dead devices never answer. */
export function answer(device: SimulatedDevice | undefined, pdu: Buffer, send: (response: Buffer) => void): void {
  if (!device || device.isDead) return;
  const response = handlePdu(device, pdu);
  if (device.delayMs > 0) setTimeout(() => send(response), device.delayMs);
  else send(response);
}
