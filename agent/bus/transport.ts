// One Transport contract for Modbus RTU and Modbus TCP (style.md §3: one contract, several
// implementations), implemented over modbus-serial's client. The bus's scheduler (scheduler.ts) orders
// requests: one at a time with the t3.5 silence on an RTU line, concurrently across slaves on TCP.
// A port that closes (USB adapter unplugged, TCP peer gone) is reopened by itself (reopen.ts).
import modbusSerial from "modbus-serial";
import type { BusConfig } from "../../config/schema.js";
import { Reopener } from "./reopen.js";
import { ConcurrentScheduler, SerialLineScheduler, type RequestScheduler } from "./scheduler.js";
import { t35Ms } from "./timing.js";
import {
  BadResponseError,
  BusClosedError,
  DeviceTimeoutError,
  ModbusExceptionError,
  PortOpenError,
  classifyOpenError,
} from "./errors.js";

export type BitReadFc = 1 | 2;
export type RegisterReadFc = 3 | 4;
export type WriteFc = 5 | 6 | 15 | 16;

export type { BusLog } from "./bus-log.js";
import type { BusLog } from "./bus-log.js";

/**
 * A Modbus master on one bus. Reads resolve with registers (FC03/04) or bits (FC01/02); failures reject
 * with the typed errors of errors.ts: DeviceTimeoutError, ModbusExceptionError, BadResponseError,
 * BusClosedError (not open, or reopening after a loss).
 */
export interface Transport {
  readonly bus: string;
  readonly isOpen: boolean;
  /** Opens the port. On failure rejects with PortOpenError and keeps trying in the background until close(). */
  open(): Promise<void>;
  close(): Promise<void>;
  read(slave: number, fc: RegisterReadFc, address: number, count: number, timeoutMs: number): Promise<Uint16Array>;
  read(slave: number, fc: BitReadFc, address: number, count: number, timeoutMs: number): Promise<boolean[]>;
  read(slave: number, fc: BitReadFc | RegisterReadFc, address: number, count: number, timeoutMs: number): Promise<Uint16Array | boolean[]>;
  write(slave: number, fc: WriteFc, address: number, values: readonly number[] | readonly boolean[], timeoutMs: number): Promise<void>;
}

export interface TransportOptions {
  log?: BusLog;
  /** First reopen delay after a loss (ms, default 1000); doubles up to reconnectMaxMs (default 30000). */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
}

// modbus-serial is CommonJS; under NodeNext its class is the module's `default` property.
const ModbusRTU = modbusSerial.default;
type ModbusRTU = InstanceType<typeof ModbusRTU>;

/** TCP requests in flight per connection when the bus config does not say (config/schema.ts max_in_flight). */
export const DEFAULT_MAX_IN_FLIGHT = 8;

const noLog: BusLog = { debug() {}, info() {}, warn() {}, error() {} };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** modbus-serial's error shapes: `modbusCode` on exceptions, errno "ETIMEDOUT" on timeouts, name PortNotOpenError. */
type ClientError = Error & { modbusCode?: number; errno?: unknown };

export class ModbusSerialTransport implements Transport {
  readonly bus: string;
  /** Orders the requests: serial-line timing for RTU, concurrent per-slave lanes for TCP. */
  readonly scheduler: RequestScheduler;
  private client: ModbusRTU | null = null;
  /** Rejecters of the requests on the wire: close() and a lost port end them at once. */
  private readonly pending = new Set<(reason: Error) => void>();
  private readonly reopen: Reopener;
  private readonly log: BusLog;
  /** RTU: t3.5 between frames (timing.ts); 0 on TCP. */
  private readonly gapMs: number;

  constructor(
    private readonly config: BusConfig,
    opts: TransportOptions = {},
  ) {
    this.bus = config.id;
    this.log = opts.log ?? noLog;
    this.gapMs = config.type === "rtu" ? t35Ms(config) : 0;
    this.scheduler = config.type === "rtu" ? new SerialLineScheduler(this.gapMs) : new ConcurrentScheduler(config.max_in_flight ?? DEFAULT_MAX_IN_FLIGHT);
    this.reopen = new Reopener({
      bus: this.bus,
      target: this.target,
      log: this.log,
      minMs: opts.reconnectMinMs ?? 1000,
      maxMs: opts.reconnectMaxMs ?? 30_000,
      connect: () => this.connect(),
      isOpen: () => this.client !== null,
    });
  }

  get isOpen(): boolean {
    return this.client?.isOpen === true;
  }

  private get target(): string {
    return this.config.type === "tcp" ? `${this.config.host}:${this.config.port}` : this.config.path;
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
    const client = this.client;
    this.client = null;
    this.abortAll(new BusClosedError({ bus: this.bus, detail: "closed" }));
    if (client) await this.release(client);
  }

  read(slave: number, fc: RegisterReadFc, address: number, count: number, timeoutMs: number): Promise<Uint16Array>;
  read(slave: number, fc: BitReadFc, address: number, count: number, timeoutMs: number): Promise<boolean[]>;
  read(slave: number, fc: BitReadFc | RegisterReadFc, address: number, count: number, timeoutMs: number): Promise<Uint16Array | boolean[]>;
  read(slave: number, fc: BitReadFc | RegisterReadFc, address: number, count: number, timeoutMs: number): Promise<Uint16Array | boolean[]> {
    return this.enqueue(slave, fc, address, timeoutMs, (client, cb) => {
      const done = (err: ClientError | null, res?: { data: Array<number | boolean> }) =>
        err ? cb(err) : cb(null, fc <= 2 ? (res!.data as boolean[]).slice(0, count) : Uint16Array.from(res!.data as number[]));
      if (fc === 1) client.writeFC1(slave, address, count, done);
      else if (fc === 2) client.writeFC2(slave, address, count, done);
      else if (fc === 3) client.writeFC3(slave, address, count, done);
      else client.writeFC4(slave, address, count, done);
    });
  }

  async write(slave: number, fc: WriteFc, address: number, values: readonly number[] | readonly boolean[], timeoutMs: number): Promise<void> {
    await this.enqueue(slave, fc, address, timeoutMs, (client, cb) => {
      const done = (err: ClientError | null) => (err ? cb(err) : cb(null, undefined));
      if (fc === 5) client.writeFC5(slave, address, Boolean(values[0]), done);
      else if (fc === 6) client.writeFC6(slave, address, Number(values[0]), done);
      else if (fc === 15) client.writeFC15(slave, address, values.map(Boolean), done);
      else client.writeFC16(slave, address, values.map(Number), done);
    });
  }

  private abortAll(reason: Error): void {
    for (const abort of [...this.pending]) abort(reason);
    this.pending.clear();
  }

  /** Runs one request when the scheduler gives the slave its turn. */
  private enqueue<T>(
    slave: number,
    fc: number,
    address: number,
    timeoutMs: number,
    send: (client: ModbusRTU, cb: (err: ClientError | null, value?: T) => void) => void,
  ): Promise<T> {
    return this.scheduler.run(slave, async (): Promise<T> => {
      const client = this.client;
      if (!client || !client.isOpen) throw new BusClosedError({ bus: this.bus, detail: this.reopen.wanted ? "reopening" : "closed" });
      if (this.config.type === "rtu") discardReceived(client);
      let error: Error | undefined;
      let abort: ((reason: Error) => void) | undefined;
      try {
        return await new Promise<T>((resolve, reject) => {
          // close() and a lost port end the request at once (modbus-serial would cancel its timer and never call back).
          abort = reject;
          this.pending.add(reject);
          // modbus-serial reads its timeout when the request is written, which send() does synchronously:
          // concurrent TCP requests each keep their own.
          client.setTimeout(timeoutMs);
          send(client, (err, value) => (err ? reject(err) : resolve(value as T)));
        });
      } catch (e) {
        error = this.translate(e as ClientError, { bus: this.bus, slave, fc, address, timeoutMs }, client);
        throw error;
      } finally {
        if (abort) this.pending.delete(abort);
        // RTU frames carry no transaction id: a late answer could be taken for the answer to the next
        // request of the same shape to the same slave. After a timeout, keep the line quiet a little and
        // discard what arrived meanwhile (a quarter of the timeout, at most 100 ms: dead slaves cost bus time).
        if (this.config.type === "rtu" && error instanceof DeviceTimeoutError) {
          await sleep(Math.min(100, Math.max(2 * this.gapMs, timeoutMs / 4)));
          discardReceived(client);
        }
      }
    });
  }

  private translate(e: ClientError, ctx: { bus: string; slave: number; fc: number; address: number; timeoutMs: number }, client: ModbusRTU): Error {
    if (e instanceof BusClosedError) return e;
    if (typeof e?.modbusCode === "number") return new ModbusExceptionError({ ...ctx, code: e.modbusCode }, { cause: e });
    // A port that closed under a request is the bus's failure, not the slave's.
    if (!client.isOpen || e?.name === "PortNotOpenError") return new BusClosedError({ bus: this.bus, detail: e?.message }, { cause: e });
    if (e?.errno === "ETIMEDOUT") return new DeviceTimeoutError(ctx, { cause: e });
    // modbus-serial reports CRC/length/address mismatches as plain Errors; RTU stray bytes land here.
    return new BadResponseError({ ...ctx, detail: e?.message ?? String(e) }, { cause: e });
  }

  private async connect(): Promise<void> {
    const client = new ModbusRTU();
    // Listeners first: an "error" without a listener would crash the process.
    client.on("error", (err: unknown) => {
      this.log.warn("bus error", { bus: this.bus, error: err instanceof Error ? err.message : String(err) });
      if (!client.isOpen) this.lost(client);
    });
    client.on("close", () => this.lost(client));
    const c = this.config;
    try {
      if (c.type === "tcp") {
        // Bound the connect: a host that drops SYNs would otherwise hang for minutes.
        const limit = Math.max(3000, c.timeout_ms);
        await Promise.race([
          client.connectTCP(c.host, { port: c.port }),
          sleep(limit).then(() => {
            throw Object.assign(new Error(`connect timed out after ${limit} ms`), { code: "ETIMEDOUT" });
          }),
        ]);
      } else {
        await client.connectRTUBuffered(c.path, { baudRate: c.baud, parity: c.parity, dataBits: c.data_bits, stopBits: c.stop_bits });
      }
    } catch (e) {
      void this.release(client);
      throw new PortOpenError({ bus: this.bus, target: this.target, reason: classifyOpenError(e) }, { cause: e });
    }
    if (!this.reopen.wanted) {
      await this.release(client);
      throw new BusClosedError({ bus: this.bus, detail: "closed while opening" });
    }
    this.client = client;
    this.reopen.opened();
    this.log.info("bus open", { bus: this.bus, target: this.target });
  }

  private lost(client: ModbusRTU): void {
    if (this.client !== client) return;
    this.client = null;
    this.abortAll(new BusClosedError({ bus: this.bus, detail: "port lost" }));
    void this.release(client);
    this.reopen.lost();
  }

  /** Closes a client whatever its state; never rejects, never waits more than a second. */
  private release(client: ModbusRTU): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      try {
        if (this.config.type === "tcp") client.destroy(done);
        else if (client.isOpen) client.close(done);
        else done();
      } catch {
        done();
      }
    });
  }
}

/**
 * Drops bytes modbus-serial's RTU port buffered outside a transaction (stale or stray answers). The
 * buffer is internal to RTUBufferedPort (`_port._buffer`, modbus-serial 8.x); if it moves, this is a no-op.
 */
function discardReceived(client: ModbusRTU): void {
  const port = (client as unknown as { _port?: { _buffer?: unknown } })._port;
  if (port && Buffer.isBuffer(port._buffer)) port._buffer = Buffer.alloc(0);
}

/** The transport for a configured bus. */
export function createTransport(bus: BusConfig, opts?: TransportOptions): Transport {
  return new ModbusSerialTransport(bus, opts);
}
