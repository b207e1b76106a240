// Serves an ASCII driver definition on a serial path (in tests, one end of a socat pty pair): an empty
// line (CR/LF on an idle port) gets the prompt, the definition's request gets a header line and a
// record line built from the fields' `sim` hints, anything else gets "?" and the prompt. The same
// definition is what agent/bus/ascii.ts parses with, so the two cannot drift apart.
import { SerialPort } from "serialport";
import type { AsciiDriverDefinition, AsciiFieldDef, SimHint } from "../types.js";
import type { SlaveControls, WriteRecord } from "./model.js";
import type { SimServer } from "./tcp.js";
import { prng } from "./prng.js";

const PROMPT = "*";


/** The BAM and its kin print three decimals (0.042 mg/m3 is 42 µg/m3); what is served is what was printed. */
const DECIMALS = 3;

/** One simulated ASCII instrument with the same controls as a Modbus slave. */
export class AsciiSimDevice implements SlaveControls {
  isDead = false;
  delayMs = 0;
  /** Answer garbage instead of a record (the ASCII counterpart of a Modbus exception). */
  garbled = false;
  private forced: string | null = null;
  private readonly pinned = new Map<string, number>();
  private readonly served = new Map<string, number>();
  private readonly sent: WriteRecord[] = [];
  private readonly rnd: () => number;
  private readonly t0 = Date.now();

  constructor(
    readonly definition: AsciiDriverDefinition,
    opts: { seed?: number } = {},
  ) {
    this.rnd = prng(opts.seed ?? Math.floor(Math.random() * 2 ** 32));
  }

  set(channel: string, value: number | null): void {
    if (!this.definition.fields.some((f) => f.channel === channel)) throw new Error(`${this.definition.id} has no channel "${channel}"`);
    if (value === null) this.pinned.delete(channel);
    else this.pinned.set(channel, value);
  }
  force(state: string | null): void {
    if (state !== null && !this.definition.states.some((s) => s.state === state)) throw new Error(`${this.definition.id} defines no state "${state}"`);
    this.forced = state;
  }
  dead(on = true): void {
    this.isDead = on;
  }
  delay(ms: number): void {
    this.delayMs = ms;
  }
  exception(code: number | null): void {
    this.garbled = code !== null;
  }
  lastServed(channel: string): number | undefined {
    return this.served.get(channel);
  }
  /** Lines received that were not record requests (commands), as fc 0 records. */
  writes(): WriteRecord[] {
    return [...this.sent];
  }

  private valueOf(f: AsciiFieldDef): number {
    const pinned = this.pinned.get(f.channel);
    if (pinned !== undefined) return pinned;
    const hint: SimHint = f.sim ?? { base: 0 };
    const t = (Date.now() - this.t0) / 1000;
    let v = hint.base;
    if (hint.amplitude && hint.period_s) v += hint.amplitude * Math.sin((2 * Math.PI * t) / hint.period_s);
    if (hint.noise) v += hint.noise * Math.sqrt(-2 * Math.log(1 - this.rnd())) * Math.cos(2 * Math.PI * this.rnd());
    return v;
  }

  /** The header line and the record line, as the instrument prints them. */
  record(now = new Date()): [string, string] {
    const d = this.definition;
    const width = Math.max(...d.fields.map((f) => f.index), ...d.states.map((s) => s.index)) + 1;
    const header = new Array<string>(width).fill("-");
    const values = new Array<string>(width).fill("0");
    header[0] = d.headerStart;
    values[0] = now.toISOString().slice(0, 19).replace("T", " ");
    for (const f of d.fields) {
      const text = (this.valueOf(f) / f.scale).toFixed(DECIMALS);
      header[f.index] = `${f.column}(${f.unit})`;
      values[f.index] = text;
      this.served.set(f.channel, Number((Number(text) * f.scale).toPrecision(12)));
    }
    for (const s of d.states) {
      header[s.index] = s.column;
      values[s.index] = this.forced === s.state ? (s.when?.[0] ?? "1") : "0";
    }
    return [header.join(d.separator), values.join(d.separator)];
  }

  /** The answer to one received line, or null for silence. */
  answer(received: string): string | null {
    if (this.isDead) return null;
    const d = this.definition;
    const eol = d.lineEnd;
    const text = received.trim();
    if (text === "") return `${eol}${PROMPT}`;
    if (text !== d.request.trim()) {
      this.sent.push({ ts: Date.now(), fc: 16, address: 0, values: [...Buffer.from(text)] });
      return `?${eol}${PROMPT}`;
    }
    if (this.garbled) return `\x15garbage${eol}${PROMPT}`;
    const [header, values] = this.record();
    return `${header}${eol}${values}${eol}${PROMPT}`;
  }
}

/** Opens `path` as the instrument's side of the line and answers line by line. */
export async function serveAscii(
  device: AsciiSimDevice,
  opts: { path: string; baud: number; parity: "none" | "even" | "odd"; dataBits: 7 | 8; stopBits: 1 | 2 },
  log: (msg: string) => void = () => {},
): Promise<SimServer> {
  const port = new SerialPort({ path: opts.path, baudRate: opts.baud, parity: opts.parity, dataBits: opts.dataBits, stopBits: opts.stopBits, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  port.on("error", (err) => log(`ascii sim ${opts.path}: ${err.message}`));
  let buf = "";
  port.on("data", (chunk: Buffer) => {
    buf += chunk.toString("latin1");
    // Lines end with CR, LF or CR/LF: a terminal sends CR alone.
    for (let m = /\r\n|\r|\n/.exec(buf); m; m = /\r\n|\r|\n/.exec(buf)) {
      const received = buf.slice(0, m.index);
      buf = buf.slice(m.index + m[0].length);
      const reply = device.answer(received);
      if (reply === null) continue;
      const send = () => port.isOpen && port.write(Buffer.from(reply, "latin1"));
      if (device.delayMs > 0) setTimeout(send, device.delayMs);
      else send();
    }
  });
  log(`ascii sim ${device.definition.id} on ${opts.path}`);
  return {
    endpoint: opts.path,
    close: () => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())),
  };
}
