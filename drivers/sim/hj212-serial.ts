// Simulates an instrument that sends HJ 212 frames by itself (driver kind "hj212"): every `everyMs` it
// writes one 2011 realtime frame with a `<code>-Rtd`/`<code>-Flag` pair per code onto its serial path.
// Controls as any simulated slave: set(code, value) pins a value (any code: the instrument decides what
// it sends), force(flag) sends that flag letter, dead() stops sending, exception(n) garbles the frames
// (wrong CRC). `crc: "modbus"` sends the known Modbus-CRC quirk instead of the standard CRC.
import { SerialPort } from "serialport";
import { formatHj212Time } from "../../agent/time.js";
import { buildSegment, encodeFrame, type CrcVariant } from "../../agent/uplink/hj212/codec.js";
import { formatValue } from "../../agent/uplink/hj212/cp.js";
import type { Hj212SerialDefinition } from "../types.js";
import type { SlaveControls, WriteRecord } from "./model.js";
import type { SimServer } from "./tcp.js";

/** What the simulated analyzer sends when nothing is pinned: SO2, NOx, O2 of a CEMS. */
const DEFAULT_VALUES: Record<string, number> = { a21026: 35.2, a21002: 88.5, a19001: 9.6 };

export class Hj212SimDevice implements SlaveControls {
  isDead = false;
  delayMs = 0;
  garbled = false;
  crc: CrcVariant = "standard";
  private flag: string | null = null;
  private readonly values = new Map<string, number>();
  private readonly served = new Map<string, number>();
  private sentFrames = 0;

  constructor(
    readonly definition: Hj212SerialDefinition,
    opts: { codes?: string[] } = {},
  ) {
    const codes = opts.codes?.length ? opts.codes : Object.keys(DEFAULT_VALUES);
    for (const c of codes) this.values.set(c, DEFAULT_VALUES[c] ?? 1);
  }

  set(channel: string, value: number | null): void {
    if (value === null) this.values.delete(channel);
    else this.values.set(channel, value);
  }
  /** A flag letter every value is sent with ("C" during calibration…), null for N. */
  force(state: string | null): void {
    this.flag = state;
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
  writes(): WriteRecord[] {
    return [];
  }
  get frames(): number {
    return this.sentFrames;
  }

  /** The next frame, as the instrument writes it. */
  frame(now = Date.now()): string {
    const items = [...this.values].map(([code, v]) => {
      this.served.set(code, Number(formatValue(v)));
      return `${code}-Rtd=${formatValue(v)},${code}-Flag=${this.flag ?? "N"}`;
    });
    const cp = [`DataTime=${formatHj212Time(now)}`, ...items].join(";");
    const seg = buildSegment({ qn: formatHj212Time(now) + "000", st: "31", cn: "2011", pw: "123456", mn: "HJ212SIMULATED0001", flag: 4 }, cp);
    const frame = encodeFrame(seg, this.crc);
    this.sentFrames++;
    // A garbled frame: one CRC digit wrong, the kind of damage line noise does.
    return this.garbled ? frame.replace(/([0-9A-F])(\r\n)$/, (_, d: string, end: string) => `${d === "0" ? "1" : "0"}${end}`) : frame;
  }
}

/** Opens `path` as the instrument's side of the line and writes a frame every `everyMs`. */
export async function serveHj212(
  device: Hj212SimDevice,
  opts: { path: string; baud: number; parity: "none" | "even" | "odd"; dataBits: 7 | 8; stopBits: 1 | 2; everyMs: number },
  log: (msg: string) => void = () => {},
): Promise<SimServer> {
  const port = new SerialPort({ path: opts.path, baudRate: opts.baud, parity: opts.parity, dataBits: opts.dataBits, stopBits: opts.stopBits, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  port.on("error", (err) => log(`hj212 sim ${opts.path}: ${err.message}`));
  const timer = setInterval(() => {
    if (device.isDead || !port.isOpen) return;
    port.write(Buffer.from(device.frame(), "utf8"));
  }, opts.everyMs);
  log(`hj212 sim ${device.definition.id} on ${opts.path}`);
  return {
    endpoint: opts.path,
    close: () => {
      clearInterval(timer);
      return new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
    },
  };
}
