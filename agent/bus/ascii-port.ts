// A serial line to an ASCII instrument, through `serialport` directly (no Modbus framing): send a
// line of text, collect the lines of the answer until the caller says it is complete. One request at
// a time; input that arrives outside a request (late answers, prompts) is discarded before the next.
// Reopens by itself when the port goes away, like the Modbus transport.
import { SerialPort } from "serialport";
import type { RtuBusConfig } from "../../config/schema.js";
import { BusClosedError, DeviceTimeoutError, PortOpenError, classifyOpenError } from "./errors.js";
import { Reopener } from "./reopen.js";
import { SerialLineScheduler } from "./scheduler.js";
import type { BusLog, TransportOptions } from "./transport.js";

export interface AsciiAnswer {
  lines: string[];
  /** When the answer became complete (ms since the epoch). */
  ts: number;
}

export interface AsciiPort {
  readonly bus: string;
  readonly isOpen: boolean;
  open(): Promise<void>;
  close(): Promise<void>;
  /**
   * Sends `text` and resolves once `complete(lines, tail)` is true (`tail`: text after the last line
   * end, such as a prompt). Rejects with DeviceTimeoutError after timeoutMs, BusClosedError when not open.
   */
  request(slave: number, text: string, lineEnd: string, complete: (lines: readonly string[], tail: string) => boolean, timeoutMs: number): Promise<AsciiAnswer>;
}

const noLog: BusLog = { debug() {}, info() {}, warn() {}, error() {} };

export class SerialAsciiPort implements AsciiPort {
  readonly bus: string;
  private port: SerialPort | null = null;
  private received = "";
  private onData: (() => void) | null = null;
  private abort: ((e: Error) => void) | null = null;
  // No t3.5 for ASCII; 0 keeps the one-at-a-time order only.
  private readonly scheduler = new SerialLineScheduler(0);
  private readonly reopen: Reopener;
  private readonly log: BusLog;

  constructor(
    private readonly config: RtuBusConfig,
    opts: TransportOptions = {},
  ) {
    this.bus = config.id;
    this.log = opts.log ?? noLog;
    this.reopen = new Reopener({
      bus: this.bus,
      target: config.path,
      log: this.log,
      minMs: opts.reconnectMinMs ?? 1000,
      maxMs: opts.reconnectMaxMs ?? 30_000,
      connect: () => this.connect(),
      isOpen: () => this.port !== null,
    });
  }

  get isOpen(): boolean {
    return this.port?.isOpen === true;
  }

  async open(): Promise<void> {
    this.reopen.wanted = true;
    try {
      await this.connect();
    } catch (e) {
      this.reopen.schedule();
      throw e;
    }
  }

  async close(): Promise<void> {
    this.reopen.stop();
    const port = this.port;
    this.port = null;
    this.abort?.(new BusClosedError({ bus: this.bus, detail: "closed" }));
    if (port?.isOpen) await new Promise<void>((r) => port.close(() => r()));
  }

  request(slave: number, text: string, lineEnd: string, complete: (lines: readonly string[], tail: string) => boolean, timeoutMs: number): Promise<AsciiAnswer> {
    return this.scheduler.run(slave, () => {
      const port = this.port;
      if (!port?.isOpen) return Promise.reject(new BusClosedError({ bus: this.bus, detail: this.reopen.wanted ? "reopening" : "closed" }));
      this.received = "";
      return new Promise<AsciiAnswer>((resolve, reject) => {
        const finish = (e: Error | null, answer?: AsciiAnswer) => {
          clearTimeout(timer);
          this.onData = null;
          this.abort = null;
          if (e) reject(e);
          else resolve(answer!);
        };
        const timer = setTimeout(() => finish(new DeviceTimeoutError({ bus: this.bus, slave, timeoutMs })), timeoutMs);
        this.abort = (e) => finish(e);
        this.onData = () => {
          // Accept CR, LF or the definition's line end: instruments are not always consistent.
          const parts = this.received.split(lineEnd === "\r\n" ? /\r\n|\r|\n/ : lineEnd);
          const tail = parts.pop() ?? "";
          const lines = parts.filter((l) => l.trim() !== "");
          if (complete(lines, tail)) finish(null, { lines, ts: Date.now() });
        };
        port.write(Buffer.from(text, "latin1"));
      });
    });
  }

  private async connect(): Promise<void> {
    const c = this.config;
    const port = new SerialPort({ path: c.path, baudRate: c.baud, parity: c.parity, dataBits: c.data_bits, stopBits: c.stop_bits, autoOpen: false });
    port.on("error", (err) => this.log.warn("bus error", { bus: this.bus, error: err.message }));
    port.on("close", () => this.lost(port));
    port.on("data", (chunk: Buffer) => {
      this.received += chunk.toString("latin1");
      if (this.received.length > 65536) this.received = this.received.slice(-4096); // a chatty line cannot grow memory
      this.onData?.();
    });
    try {
      await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    } catch (e) {
      throw new PortOpenError({ bus: this.bus, target: c.path, reason: classifyOpenError(e) }, { cause: e });
    }
    if (!this.reopen.wanted) {
      await new Promise<void>((r) => port.close(() => r()));
      throw new BusClosedError({ bus: this.bus, detail: "closed while opening" });
    }
    this.port = port;
    this.reopen.opened();
    this.log.info("bus open", { bus: this.bus, target: c.path });
  }

  private lost(port: SerialPort): void {
    if (this.port !== port) return;
    this.port = null;
    this.abort?.(new BusClosedError({ bus: this.bus, detail: "port lost" }));
    this.reopen.lost();
  }
}
