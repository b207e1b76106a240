// Modbus RTU framing for the simulator: address + PDU + CRC-16 (low byte first), on a serial path
// opened with serialport (in tests, one end of a socat pty pair). Modbus over serial line v1.02 §2.5.1.
import { SerialPort } from "serialport";
import type { SimulatedDevice } from "./model.js";
import { answer, requestPduLength } from "./pdu.js";
import type { SimServer } from "./tcp.js";

/** CRC-16/MODBUS: polynomial 0xA001 (reflected 0x8005), initial value 0xFFFF. */
export function crc16(buf: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of buf) {
    crc ^= byte;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

export function rtuFrame(unit: number, pdu: Buffer): Buffer {
  const frame = Buffer.alloc(pdu.length + 3);
  frame[0] = unit;
  pdu.copy(frame, 1);
  frame.writeUInt16LE(crc16(frame.subarray(0, frame.length - 2)), frame.length - 2);
  return frame;
}

export interface RtuSerialOptions {
  path: string;
  baud: number;
  parity: "none" | "even" | "odd";
  dataBits: 7 | 8;
  stopBits: 1 | 2;
}

/** Opens `path` as the slave side of a line and answers for the slaves by address. */
export async function serveRtu(
  slaves: ReadonlyMap<number, SimulatedDevice>,
  opts: RtuSerialOptions,
  log: (msg: string) => void = () => {},
): Promise<SimServer> {
  const port = new SerialPort({
    path: opts.path,
    baudRate: opts.baud,
    parity: opts.parity,
    dataBits: opts.dataBits,
    stopBits: opts.stopBits,
    autoOpen: false,
  });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  port.on("error", (err) => log(`rtu sim ${opts.path}: ${err.message}`));

  let buf = Buffer.alloc(0);
  let idle: NodeJS.Timeout | undefined;
  port.on("data", (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    // A frame ends with silence: drop a partial frame left after a pause (t3.5, generously 50 ms here).
    clearTimeout(idle);
    idle = setTimeout(() => (buf = Buffer.alloc(0)), 50);
    while (buf.length >= 4) {
      const pduLength = requestPduLength(buf.subarray(1));
      if (pduLength === undefined) {
        if (buf.length >= 7 && ![1, 2, 3, 4, 5, 6, 15, 16].includes(buf[1])) buf = buf.subarray(1); // resync
        break;
      }
      const frameLength = 1 + pduLength + 2;
      if (buf.length < frameLength) break;
      const frame = buf.subarray(0, frameLength);
      if (crc16(frame.subarray(0, frameLength - 2)) !== frame.readUInt16LE(frameLength - 2)) {
        buf = buf.subarray(1); // not a frame boundary (or noise): slide one byte and try again
        continue;
      }
      buf = buf.subarray(frameLength);
      const unit = frame[0];
      const pdu = Buffer.from(frame.subarray(1, 1 + pduLength));
      // Address 0 is a broadcast: act on it, never answer (Modbus over serial line §2.2).
      if (unit === 0) {
        for (const d of slaves.values()) answer(d, pdu, () => {});
        continue;
      }
      answer(slaves.get(unit), pdu, (response) => {
        if (port.isOpen) port.write(rtuFrame(unit, response));
      });
    }
  });
  log(`rtu sim on ${opts.path} (slaves ${[...slaves.keys()].join(", ")})`);
  return {
    endpoint: opts.path,
    close: () =>
      new Promise<void>((resolve) => {
        clearTimeout(idle);
        if (!port.isOpen) return resolve();
        port.close(() => resolve());
      }),
  };
}
