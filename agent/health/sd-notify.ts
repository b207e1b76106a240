// systemd notification (READY, STATUS, WATCHDOG, STOPPING), as zigbee2mqtt does it: a datagram to
// $NOTIFY_SOCKET through the optional native `unix-dgram` module; without it, the
// `systemd-notify` command (the unit sets NotifyAccess=all for that). Without $NOTIFY_SOCKET
// (not under systemd, tests, the demo) it does nothing at all.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import type { Logger } from "../log.js";

type Sender = (message: string) => void;

interface UnixDgram {
  createSocket(type: "unix_dgram"): {
    send(buf: Buffer, offset: number, length: number, path: string, cb?: (err?: Error) => void): void;
    on(ev: "error", cb: (err: Error) => void): void;
    close(): void;
  };
}

function nativeSender(socketPath: string): Sender | null {
  try {
    const ud = createRequire(import.meta.url)("unix-dgram") as UnixDgram;
    // An abstract socket is given as "@name" and sent as "\0name".
    const path = socketPath.startsWith("@") ? "\0" + socketPath.slice(1) : socketPath;
    return (message) => {
      const s = ud.createSocket("unix_dgram");
      s.on("error", () => s.close());
      const buf = Buffer.from(message);
      s.send(buf, 0, buf.length, path, () => s.close());
    };
  } catch {
    return null;
  }
}

function commandSender(): Sender {
  return (message) => {
    const child = spawn("systemd-notify", message.split("\n"), { stdio: "ignore" });
    child.on("error", () => {});
  };
}

export class SdNotify {
  private send: Sender | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly log: Logger,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** Whether the process runs under systemd with notification enabled. */
  get active(): boolean {
    return !!this.env.NOTIFY_SOCKET;
  }

  /** Half of WatchdogSec, or null when systemd set no watchdog. */
  get watchdogIntervalMs(): number | null {
    const usec = Number(this.env.WATCHDOG_USEC);
    return Number.isFinite(usec) && usec > 0 ? Math.max(500, usec / 2000) : null;
  }

  /**
   * Tells systemd the service is ready, then sends WATCHDOG=1 at half the watchdog interval as
   * long as `healthy()` says the poll loop is making progress: a hung loop gets restarted.
   */
  start(healthy: () => boolean): void {
    if (!this.active) return;
    this.send = nativeSender(this.env.NOTIFY_SOCKET!) ?? commandSender();
    this.notify("READY=1");
    const every = this.watchdogIntervalMs;
    if (every === null) return;
    this.timer = setInterval(() => {
      if (healthy()) this.notify("WATCHDOG=1");
      else this.log.warn("poll loop stalled: not feeding the systemd watchdog");
    }, every);
    this.timer.unref();
  }

  status(text: string): void {
    this.notify(`STATUS=${text}`);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.notify("STOPPING=1");
  }

  private notify(message: string): void {
    if (!this.active || !this.send) return;
    try {
      this.send(message);
    } catch (err) {
      this.log.debug(`sd_notify failed: ${(err as Error).message}`);
    }
  }
}
