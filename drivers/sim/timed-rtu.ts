// A Modbus RTU line with the timing of a real one, on the slave side of a pty pair. A pty moves bytes
// at once, so the simulator keeps the wire's clock itself: a request that arrives at t occupies the
// line for its bytes' time, the slave needs t3.5 of silence to see it ended, answers after a turnaround
// (uniform in [min, max]), and its answer takes its bytes' time, so it is written at
//   t + request bytes × char time + t3.5 + turnaround + response bytes × char time.
// It records every frame: the silence the master left before it (a gap below t3.5 is a protocol
// violation: real slaves would read two frames as one), and the physical least time of the exchange.
import { SerialPort } from "serialport";
import { crc16, rtuFrame, type RtuSerialOptions } from "./rtu.js";
import type { SimulatedDevice } from "./model.js";
import { handlePdu, requestPduLength } from "./pdu.js";
import type { SimServer } from "./tcp.js";
import { prng } from "./prng.js";

export interface TimedLineOptions extends RtuSerialOptions {
  /** Slave turnaround, drawn uniformly from [min, max] ms for each answer. */
  turnaroundMs: [number, number];
  seed?: number;
}

export interface LineFrame {
  slave: number;
  fc: number;
  address: number;
  count: number;
  /** performance.now() when the request's first byte arrived. */
  arrivedAt: number;
  /** Silence since the previous frame ended on the line (ms); Infinity for the first. */
  gapBefore: number;
  requestBytes: number;
  /** 0 when the slave did not answer. */
  responseBytes: number;
  turnaroundMs: number;
  /** performance.now() when the answer was written (its last byte "arrived" at the master), or undefined. */
  answeredAt?: number;
  /** request + response bytes × char time + 2 × t3.5 + turnaround: the least this exchange can take. */
  physicalMs: number;
}

export interface TimedRtuServer extends SimServer {
  readonly frames: LineFrame[];
  readonly charMs: number;
  readonly t35Ms: number;
}


export async function serveTimedRtu(slaves: ReadonlyMap<number, SimulatedDevice>, opts: TimedLineOptions, log: (msg: string) => void = () => {}): Promise<TimedRtuServer> {
  const bits = 1 + opts.dataBits + (opts.parity === "none" ? 0 : 1) + opts.stopBits;
  const charMs = (bits * 1000) / opts.baud;
  const t35Ms = opts.baud > 19200 ? 1.75 : 3.5 * charMs;
  const rnd = prng(opts.seed ?? 1);
  const frames: LineFrame[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const port = new SerialPort({ path: opts.path, baudRate: opts.baud, parity: opts.parity, dataBits: opts.dataBits, stopBits: opts.stopBits, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  port.on("error", (err) => log(`timed rtu sim ${opts.path}: ${err.message}`));

  /** When the last frame's last byte left the wire (performance.now()). */
  let lineFreeAt = -Infinity;
  let buf = Buffer.alloc(0);
  let frameStart = 0;
  port.on("data", (chunk: Buffer) => {
    const now = performance.now();
    if (buf.length === 0) frameStart = now;
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 4) {
      const pduLength = requestPduLength(buf.subarray(1));
      if (pduLength === undefined) {
        buf = buf.subarray(1);
        continue;
      }
      const length = 1 + pduLength + 2;
      if (buf.length < length) break;
      const frame = buf.subarray(0, length);
      buf = buf.subarray(length);
      if (crc16(frame.subarray(0, length - 2)) !== frame.readUInt16LE(length - 2)) continue;
      const arrivedAt = frameStart;
      frameStart = now;
      const unit = frame[0];
      const pdu = Buffer.from(frame.subarray(1, 1 + pduLength));
      const device = slaves.get(unit);
      const requestWire = length * charMs;
      const record: LineFrame = {
        slave: unit,
        fc: pdu[0],
        address: pdu.readUInt16BE(1),
        count: pdu.readUInt16BE(3),
        arrivedAt,
        gapBefore: arrivedAt - lineFreeAt,
        requestBytes: length,
        responseBytes: 0,
        turnaroundMs: 0,
        physicalMs: requestWire + t35Ms,
      };
      frames.push(record);
      lineFreeAt = arrivedAt + requestWire;
      if (!device || device.isDead || unit === 0) continue;
      const response = rtuFrame(unit, handlePdu(device, pdu));
      const turnaround = opts.turnaroundMs[0] + rnd() * (opts.turnaroundMs[1] - opts.turnaroundMs[0]);
      Object.assign(record, {
        responseBytes: response.length,
        turnaroundMs: turnaround,
        physicalMs: (length + response.length) * charMs + 2 * t35Ms + turnaround,
      });
      const due = arrivedAt + requestWire + t35Ms + turnaround + response.length * charMs + device.delayMs;
      lineFreeAt = due;
      // Node's timers run on the loop's cached millisecond clock: they fire up to ~1 ms early or late
      // against performance.now(). An early answer would flatter the master and a late one blame it, so
      // the timer takes the bulk and the last ~1.5 ms is waited out in setImmediate turns.
      const send = () => {
        const left = due - performance.now();
        if (left > 1.5) {
          const timer = setTimeout(() => {
            timers.delete(timer);
            send();
          }, left - 1.5);
          timers.add(timer);
          return;
        }
        if (left > 0) return void setImmediate(send);
        if (!port.isOpen) return;
        port.write(response);
        record.answeredAt = performance.now();
        lineFreeAt = Math.max(lineFreeAt, record.answeredAt);
      };
      send();
    }
  });
  log(`timed rtu sim on ${opts.path}: ${opts.baud} baud, ${bits} bits/char, t3.5 ${t35Ms.toFixed(2)} ms`);
  return {
    endpoint: opts.path,
    frames,
    charMs,
    t35Ms,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        if (!port.isOpen) return resolve();
        port.close(() => resolve());
      }),
  };
}
