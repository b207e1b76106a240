// Bus errors, typed by a marker field so callers never parse messages (style.md §3, agent/ habits).
// Each carries where it happened: the bus id and, for request errors, the slave.

export interface RequestContext {
  bus: string;
  slave: number;
  fc?: number;
  address?: number;
}

function where(c: RequestContext): string {
  const at = c.fc !== undefined ? ` FC${c.fc}${c.address !== undefined ? ` @${c.address}` : ""}` : "";
  return `bus ${c.bus} slave ${c.slave}${at}`;
}

/** The slave did not answer within the timeout. */
export class DeviceTimeoutError extends Error {
  readonly timeout = true as const;
  readonly bus: string;
  readonly slave: number;
  readonly fc?: number;
  readonly address?: number;
  readonly timeoutMs: number;
  constructor(ctx: RequestContext & { timeoutMs: number }, options?: ErrorOptions) {
    super(`no answer from ${where(ctx)} within ${ctx.timeoutMs} ms`, options);
    this.name = "DeviceTimeoutError";
    Object.assign(this, ctx);
    this.bus = ctx.bus;
    this.slave = ctx.slave;
    this.timeoutMs = ctx.timeoutMs;
  }
}

export const MODBUS_EXCEPTIONS: Record<number, string> = {
  1: "illegal function",
  2: "illegal data address",
  3: "illegal data value",
  4: "slave device failure",
  5: "acknowledge",
  6: "slave device busy",
  8: "memory parity error",
  10: "gateway path unavailable",
  11: "gateway target device failed to respond",
};

/** The slave answered with a Modbus exception. */
export class ModbusExceptionError extends Error {
  readonly exception = true as const;
  readonly code: number;
  readonly bus: string;
  readonly slave: number;
  readonly fc?: number;
  readonly address?: number;
  constructor(ctx: RequestContext & { code: number }, options?: ErrorOptions) {
    super(`exception ${ctx.code} (${MODBUS_EXCEPTIONS[ctx.code] ?? "unknown"}) from ${where(ctx)}`, options);
    this.name = "ModbusExceptionError";
    Object.assign(this, ctx);
    this.code = ctx.code;
    this.bus = ctx.bus;
    this.slave = ctx.slave;
  }
  /** Busy/acknowledge: the same request may succeed if sent again (Telegraf retries these). */
  get retryable(): boolean {
    return this.code === 5 || this.code === 6 || this.code === 11;
  }
}

/** An answer arrived but was not a valid response (CRC, length, wrong slave or function). */
export class BadResponseError extends Error {
  readonly badResponse = true as const;
  readonly bus: string;
  readonly slave: number;
  constructor(ctx: RequestContext & { detail: string }, options?: ErrorOptions) {
    super(`bad response from ${where(ctx)}: ${ctx.detail}`, options);
    this.name = "BadResponseError";
    this.bus = ctx.bus;
    this.slave = ctx.slave;
  }
}

/** The port or connection is not open (closed, unplugged, being reopened, or stopped). */
export class BusClosedError extends Error {
  readonly closed = true as const;
  readonly bus: string;
  constructor(ctx: { bus: string; detail?: string }, options?: ErrorOptions) {
    super(`bus ${ctx.bus} is not open${ctx.detail ? `: ${ctx.detail}` : ""}`, options);
    this.name = "BusClosedError";
    this.bus = ctx.bus;
  }
}

export type PortOpenReason = "permission" | "busy" | "missing" | "refused" | "other";

const HINTS: Record<PortOpenReason, string> = {
  permission: "permission denied; add the agent's user to the 'dialout' group (sudo usermod -aG dialout <user>, then log in again)",
  busy: "the port is in use by another program (another agent, ModemManager, a terminal); stop it or pick another port",
  missing: "no such device; check the cable/USB adapter and the path (prefer /dev/serial/by-id/…)",
  refused: "connection refused; check host, port and that the device or gateway is on",
  other: "could not open",
};

/** Opening the serial port or TCP connection failed; `reason` says why and the message says what to do. */
export class PortOpenError extends Error {
  readonly portOpen = true as const;
  readonly bus: string;
  readonly target: string;
  readonly reason: PortOpenReason;
  constructor(ctx: { bus: string; target: string; reason: PortOpenReason }, options?: ErrorOptions) {
    super(`bus ${ctx.bus}: cannot open ${ctx.target}: ${HINTS[ctx.reason]}`, options);
    this.name = "PortOpenError";
    this.bus = ctx.bus;
    this.target = ctx.target;
    this.reason = ctx.reason;
  }
}

/**
 * Why an open failed. node-serialport reports only strerror() text ("Error: Permission denied, cannot
 * open …", "Error Resource temporarily unavailable Cannot lock port"), so for serial errors the text is
 * all there is; `code` (EACCES, ECONNREFUSED…) is used first when present.
 */
export function classifyOpenError(e: unknown): PortOpenReason {
  const err = e as { code?: string; errno?: string; message?: string } | undefined;
  const code = err?.code ?? (typeof err?.errno === "string" ? err.errno : undefined);
  const msg = err?.message ?? String(e);
  if (code === "EACCES" || /permission denied/i.test(msg)) return "permission";
  if (code === "EBUSY" || /cannot lock port|resource busy|temporarily unavailable/i.test(msg)) return "busy";
  if (code === "ENOENT" || /no such file/i.test(msg)) return "missing";
  if (code === "ECONNREFUSED" || /ECONNREFUSED/.test(msg)) return "refused";
  return "other";
}

export type BusError = DeviceTimeoutError | ModbusExceptionError | BadResponseError | BusClosedError | PortOpenError;
