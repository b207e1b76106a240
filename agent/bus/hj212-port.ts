// A serial line an instrument sends HJ 212 frames on (driver kind "hj212"): nothing is sent, every byte
// received goes through the uplink's FrameReader (agent/uplink/hj212/frames.ts), and complete frames wait
// in a bounded queue until the next poll takes them. Reopens by itself when the port goes away.
import { SerialPort } from "serialport";
import type { RtuBusConfig } from "../../config/schema.js";
import { FrameReader } from "../uplink/hj212/frames.js";
import { PortOpenError, classifyOpenError } from "./errors.js";
import { Reopener } from "./reopen.js";
import type { BusLog, TransportOptions } from "./transport.js";

export interface Hj212Port {
  readonly bus: string;
  readonly isOpen: boolean;
  open(): Promise<void>;
  close(): Promise<void>;
  /** The frames received since the last take, oldest first. */
  take(): Buffer[];
  /** Resolves when a frame is waiting, or after timeoutMs. */
  wait(timeoutMs: number): Promise<void>;
  /** Frames dropped because the queue was full, and the reader's delimiting counters. */
  readonly stats: { overflow: number; garbageBytes: number; dropped: number };
}

/** Frames kept between polls: a chatty sender cannot grow memory. */
const MAX_QUEUED = 256;
const noLog: BusLog = { debug() {}, info() {}, warn() {}, error() {} };

export class SerialHj212Port implements Hj212Port {
  readonly bus: string;
  private port: SerialPort | null = null;
  private readonly reader = new FrameReader();
  private queue: Buffer[] = [];
  private waiter: (() => void) | null = null;
  private readonly reopen: Reopener;
  private readonly log: BusLog;
  private overflow = 0;

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

  get stats() {
    return { overflow: this.overflow, garbageBytes: this.reader.stats.garbageBytes, dropped: this.reader.stats.dropped };
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
    this.wake();
    if (port?.isOpen) await new Promise<void>((r) => port.close(() => r()));
  }

  take(): Buffer[] {
    const frames = this.queue;
    this.queue = [];
    return frames;
  }

  wait(timeoutMs: number): Promise<void> {
    if (this.queue.length || !this.port) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake(), timeoutMs);
      this.waiter = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  private async connect(): Promise<void> {
    const c = this.config;
    const port = new SerialPort({ path: c.path, baudRate: c.baud, parity: c.parity, dataBits: c.data_bits, stopBits: c.stop_bits, autoOpen: false });
    port.on("error", (err) => this.log.warn("bus error", { bus: this.bus, error: err.message }));
    port.on("close", () => this.lost(port));
    port.on("data", (chunk: Buffer) => {
      for (const frame of this.reader.push(chunk)) {
        if (this.queue.length >= MAX_QUEUED) {
          this.queue.shift();
          this.overflow++;
        }
        this.queue.push(frame);
      }
      if (this.queue.length) this.wake();
    });
    try {
      await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    } catch (e) {
      throw new PortOpenError({ bus: this.bus, target: c.path, reason: classifyOpenError(e) }, { cause: e });
    }
    this.port = port;
    this.reopen.opened();
    this.log.info("bus open (listening for HJ 212 frames)", { bus: this.bus, target: c.path });
  }

  private lost(port: SerialPort): void {
    if (this.port !== port) return;
    this.port = null;
    this.wake();
    this.reopen.lost();
  }
}
