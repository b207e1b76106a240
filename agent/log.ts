// A small leveled logger: plain lines for people (the demo, a technician's terminal) or one JSON
// object per line for journald. Hand-written because the common libraries need a second package
// (and its dependency tree) just to print plain lines; this is the whole of what the agent needs.
// Secrets never reach it: fields named pw/password/newpw/token are masked, whatever the caller passes.

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(component: string): Logger;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_KEYS = /^(pw|password|newpw|secret|token|authorization|sm4_key|newsk)$/i;

export interface LogOptions {
  level?: LogLevel;
  format?: "plain" | "json";
  /** Where lines go; defaults to stderr so stdout stays clean for --json command output. */
  write?: (line: string) => void;
}

function redact(fields: LogFields | undefined): LogFields | undefined {
  if (!fields) return undefined;
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) {
    if (SECRET_KEYS.test(k)) out[k] = "******";
    else if (v instanceof Error) out[k] = v.message;
    else out[k] = v;
  }
  return out;
}

function plainValue(v: unknown): string {
  if (typeof v === "string") return /\s/.test(v) ? JSON.stringify(v) : v;
  return JSON.stringify(v) ?? String(v);
}

export function createLogger(opts: LogOptions = {}, component = "agent"): Logger {
  const min = ORDER[opts.level ?? "info"];
  const format = opts.format ?? "plain";
  const write = opts.write ?? ((line: string) => process.stderr.write(line + "\n"));
  const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (ORDER[level] < min) return;
    const f = redact(fields);
    if (format === "json") {
      write(JSON.stringify({ time: new Date().toISOString(), level, component, msg, ...f }));
    } else {
      const extra = f ? Object.entries(f).map(([k, v]) => `${k}=${plainValue(v)}`).join(" ") : "";
      const time = new Date().toISOString().slice(11, 23);
      write(`${time} ${level.padEnd(5)} [${component}] ${msg}${extra ? " " + extra : ""}`);
    }
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (c) => createLogger(opts, c),
  };
}

/** A logger that drops everything (tests, --json commands). */
export const silentLogger: Logger = createLogger({ write: () => {} });
