// The local control socket: a Unix socket in the state directory through which CLI commands
// reach the running service (status, and later maintenance, calibrate, resend…). One JSON
// request per line, one JSON answer per line. Only local users with access to the state
// directory can reach it: the socket is mode 0660, so its group (the state directory's) and the
// service user. Each request's `actor` is set by the service from the caller's uid as the kernel
// vouches for it (peer.ts), never taken from the request.
import net from "node:net";
import { dirname, join } from "node:path";
import { chmodSync, existsSync, unlinkSync } from "node:fs";
import { createProof, identify, prepareAuthDir } from "./peer.js";

import type { ControlHandler } from "../feature.js";

export type { ControlHandler } from "../feature.js";

export class ControlError extends Error {
  readonly controlError = true;
  constructor(message: string, readonly cmd: string) {
    super(message);
  }
}

/** Where the control socket of the agent using database `dbPath` lives. */
export function controlSocketPath(dbPath: string): string {
  return join(dirname(dbPath), "station-agent.sock");
}

export class ControlServer {
  private server: net.Server | null = null;
  private authDir: string | null = null;
  constructor(
    private readonly path: string,
    private readonly handle: ControlHandler,
  ) {}

  async start(): Promise<void> {
    // A socket file left by a killed agent would make listen() fail; a live agent would answer.
    if (existsSync(this.path)) {
      if (await isAlive(this.path)) throw new ControlError(`another agent is running (control socket ${this.path} answers)`, "start");
      unlinkSync(this.path);
    }
    const server = net.createServer((s) => this.onConnection(s));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.path, () => resolve());
    });
    chmodSync(this.path, 0o660);
    try {
      this.authDir = prepareAuthDir(this.path);
    } catch {
      this.authDir = null; // callers are then recorded as unverified
    }
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    if (existsSync(this.path)) {
      try {
        unlinkSync(this.path);
      } catch {
        /* already gone */
      }
    }
  }

  private onConnection(s: net.Socket): void {
    let buf = "";
    s.setEncoding("utf8");
    s.on("error", () => {});
    s.on("data", async (chunk: string) => {
      buf += chunk;
      if (buf.length > 1 << 20) return s.destroy();
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let reply: unknown;
        try {
          const req = JSON.parse(line) as { cmd: string; args?: Record<string, unknown>; proof?: unknown; claim?: Record<string, unknown> };
          const args = { ...(req.args ?? {}) };
          const peer = identify(this.authDir, req.proof, { ...(req.claim ?? {}), actor: typeof args.actor === "string" ? args.actor : undefined });
          args.actor = peer.actor;
          args.peer = { uid: peer.uid, user: peer.user, pid: peer.pid, verified: peer.verified };
          reply = { ok: true, result: await this.handle(req.cmd, args) };
        } catch (err) {
          reply = { ok: false, error: (err as Error).message };
        }
        s.write(JSON.stringify(reply) + "\n");
      }
    });
  }
}

async function isAlive(path: string): Promise<boolean> {
  try {
    await callControl(path, "ping", {}, 1000);
    return true;
  } catch {
    return false;
  }
}

/**
 * Sends one command to the running agent. Resolves with its result; rejects with a ControlError
 * when no agent answers (callers then fall back to reading the database, and say so).
 */
export function callControl(path: string, cmd: string, args: Record<string, unknown> = {}, timeoutMs = 5000): Promise<unknown> {
  // Only commands that act need to say who acts; status and ping stay one round trip without a file.
  const auth = cmd === "ping" || cmd === "status" ? null : createProof(path);
  const claim = { name: process.env.STATION_AGENT_ACTOR, sudoUser: process.env.SUDO_USER, pid: process.pid };
  return new Promise<unknown>((resolve, reject) => {
    const s = net.connect(path);
    let buf = "";
    const timer = setTimeout(() => {
      s.destroy();
      reject(new ControlError(`the agent did not answer "${cmd}" within ${timeoutMs} ms`, cmd));
    }, timeoutMs);
    s.setEncoding("utf8");
    s.on("connect", () => s.write(JSON.stringify({ cmd, args, proof: auth?.proof, claim }) + "\n"));
    s.on("data", (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf("\n");
      if (nl < 0) return;
      clearTimeout(timer);
      s.end();
      try {
        const reply = JSON.parse(buf.slice(0, nl)) as { ok: boolean; result?: unknown; error?: string };
        if (reply.ok) resolve(reply.result);
        else reject(new ControlError(reply.error ?? "failed", cmd));
      } catch (err) {
        reject(new ControlError(`bad answer from the agent: ${(err as Error).message}`, cmd));
      }
    });
    s.on("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new ControlError(err.code === "ENOENT" || err.code === "ECONNREFUSED" ? "the agent is not running" : err.message, cmd));
    });
  }).finally(() => auth?.cleanup());
}
