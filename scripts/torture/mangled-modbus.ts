// Bad input, Modbus: a raw responder on the slave end of an RTU pty answers the agent's poller, and
// every other poll it mangles the answer (wrong CRC, wrong length, wrong slave, an exception code, a
// partial frame, line noise). Each mangled poll must yield B readings, never a crash, and the next
// good answer must be decoded to exactly the value served.
import { SerialPort } from "serialport";
import { configSchema } from "../../config/schema.js";
import { BusPoller } from "../../agent/bus/poller.js";
import type { Reading } from "../../agent/types.js";
import { configureDriver } from "../../drivers/configure.js";
import { getModbusDriver } from "../../drivers/index.js";
import { SimulatedDevice } from "../../drivers/sim/model.js";
import { handlePdu, requestPduLength } from "../../drivers/sim/pdu.js";
import { crc16, rtuFrame } from "../../drivers/sim/rtu.js";
import { openPtyPair, socatMissing } from "../../test/helpers/pty.js";
import { sleep, until } from "./harness.js";
import { rng } from "./downlink-fuzz.js";

export const MANGLES = ["bad-crc", "short-length", "long-length", "wrong-slave", "exception", "partial", "noise"] as const;
export type Mangle = (typeof MANGLES)[number];

export interface MangledModbusResult {
  skipped: string | null;
  polls: number;
  byKind: Record<Mangle, number>;
  /** Mangled answers whose poll did not yield B readings. */
  notFlagged: number;
  goodAnswers: number;
  /** Good answers not decoded to the value served. */
  misdecoded: number;
  /** Polls whose outcome could not be matched to what was served. */
  unmatched: number;
}

const SLAVE = 7;

/** The mangled variant of a good RTU answer `good` (address + PDU + CRC) to request `req`. */
function mangle(kind: Mangle, good: Buffer, req: Buffer, r: () => number): Buffer {
  const withCrc = (body: Buffer) => rtuFrame(body[0], body.subarray(1));
  switch (kind) {
    case "bad-crc": {
      const b = Buffer.from(good);
      b[b.length - 1] ^= 1 + Math.floor(r() * 255);
      return b;
    }
    case "short-length": // byte count kept, data cut by one register, CRC right for what is sent
      return withCrc(good.subarray(0, good.length - 4));
    case "long-length": {
      // two extra data bytes, byte count and CRC consistent with them: the wrong register count
      const body = Buffer.concat([good.subarray(0, good.length - 2), Buffer.from([0x12, 0x34])]);
      body[2] += 2;
      return withCrc(body);
    }
    case "wrong-slave": {
      const body = Buffer.from(good.subarray(0, good.length - 2));
      body[0] = SLAVE + 1;
      return withCrc(body);
    }
    case "exception":
      // Not 02/03: those tell the poller an address is unmapped, and it splits the read from then on
      // (a different request sequence, tested with a real slave in test/agent/bus/holes.test.ts).
      return rtuFrame(SLAVE, Buffer.from([req[1] | 0x80, [1, 4, 6][Math.floor(r() * 3)]]));
    case "partial":
      return good.subarray(0, 1 + Math.floor(r() * (good.length - 2)));
    case "noise":
      return Buffer.from(Array.from({ length: 1 + Math.floor(r() * 12) }, () => Math.floor(r() * 256)));
  }
}

export async function mangledModbus(polls: number, log: (s: string) => void): Promise<MangledModbusResult> {
  const byKind = Object.fromEntries(MANGLES.map((k) => [k, 0])) as Record<Mangle, number>;
  const result: MangledModbusResult = { skipped: socatMissing(), polls: 0, byKind, notFlagged: 0, goodAnswers: 0, misdecoded: 0, unmatched: 0 };
  if (result.skipped) return result;
  const pty = await openPtyPair();
  const cfg = configSchema.parse({
    station: { name: "mangle", mn: "010000A8900016F000169DC0" },
    storage: { path: "unused.db" },
    buses: [{ id: "rtu", type: "rtu", path: pty.b, baud: 9600, timeout_ms: 300 }],
    // One coalesced request per poll (a float and an int16), no retries: one answer decides one poll.
    analyzers: [{
      id: "flow", driver: "generic-modbus", bus: "rtu", slave: SLAVE, interval_s: 0.1, retries: 0,
      registers: [
        { channel: "flow_rate", fc: 3, address: 0, type: "float32", order: "ABCD", unit: "m3/h" },
        { channel: "level", fc: 3, address: 2, type: "int16", unit: "cm" },
      ],
    }],
    platforms: [],
  });
  const analyzer = cfg.analyzers[0];
  const device = new SimulatedDevice(configureDriver(analyzer, getModbusDriver("generic-modbus")!), { seed: 1 });
  // What the responder did for each request, in order: a mangle, or the good value it served.
  const served: ({ mangled: Mangle } | { value: number })[] = [];
  const r = rng(485);
  const port = new SerialPort({ path: pty.a, baudRate: 9600, autoOpen: false });
  await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
  let buf = Buffer.alloc(0);
  port.on("data", (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 8) {
      const len = 1 + (requestPduLength(buf.subarray(1)) ?? 0) + 2;
      const req = buf.subarray(0, len);
      if (len < 4 || crc16(req.subarray(0, len - 2)) !== req.readUInt16LE(len - 2)) {
        buf = buf.subarray(1);
        continue;
      }
      buf = buf.subarray(len);
      const n = served.length;
      // Odd requests are mangled, kinds in turn; even ones answered well with a value never seen before.
      if (n % 2 === 1) {
        const kind = MANGLES[((n - 1) / 2) % MANGLES.length];
        device.set("flow_rate", 0);
        const good = rtuFrame(SLAVE, handlePdu(device, Buffer.from(req.subarray(1, len - 2))));
        served.push({ mangled: kind });
        byKind[kind]++;
        port.write(mangle(kind, good, req, r));
      } else {
        const value = 1000 + n / 2 + 0.25;
        device.set("flow_rate", value);
        served.push({ value });
        port.write(rtuFrame(SLAVE, handlePdu(device, Buffer.from(req.subarray(1, len - 2)))));
      }
    }
  });
  const outcomes: Reading[][] = [];
  const poller = new BusPoller(cfg.buses[0], [analyzer], { onReadings: (rows) => outcomes.push(rows), backoffMinMs: 100, backoffMaxMs: 200 });
  try {
    await poller.start();
    await until(() => served.length >= polls, polls * 1000);
    await poller.stop();
    await sleep(200);
    // Polls that ran on the wire are in order; B readings emitted while backed off (none expected
    // when failures alternate with successes) would show as unmatched.
    let i = 0;
    for (const rows of outcomes) {
      const s = served[i++];
      if (!s) break;
      result.polls++;
      const flow = rows.find((x) => x.channel === "flow_rate");
      if ("mangled" in s) {
        if (!rows.every((x) => x.flag === "B")) result.notFlagged++;
      } else {
        result.goodAnswers++;
        if (!flow || flow.flag === "B") result.unmatched++;
        else if (flow.value !== s.value) result.misdecoded++;
      }
    }
    log(`modbus: ${result.polls} polls, ${result.goodAnswers} good answers, ${result.polls - result.goodAnswers} mangled`);
  } finally {
    await poller.stop();
    await new Promise<void>((res) => (port.isOpen ? port.close(() => res()) : res()));
    await pty.close();
  }
  return result;
}
