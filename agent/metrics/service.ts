// Fleet metrics as a feature: an HTTP listener serving /metrics and/or a textfile rewritten every
// interval_s for node_exporter's textfile collector. Neither may hold up the agent: a port already
// in use or an unwritable file is logged with the reason at start (or when it happens), and
// polling, storing and uploading go on.
import type http from "node:http";
import { lazyHttp } from "../builtin.js";
import { renameSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { MetricsConfig } from "../../config/schema-metrics.js";
import type { EventBus } from "../events.js";
import type { Logger } from "../log.js";
import { collectMetrics, type MetricsAgent } from "./collect.js";
import { CONTENT_TYPE, renderText } from "./format.js";

export interface MetricsDeps {
  agent: MetricsAgent;
  events: EventBus;
  log: Logger;
  /** A relative textfile path is relative to this (the config file's directory). */
  baseDir: string;
}

/** "127.0.0.1:9464" / "[::1]:9464" → host and port. */
export function parseListen(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(":");
  return { host: listen.slice(0, i).replace(/^\[|\]$/g, ""), port: Number(listen.slice(i + 1)) };
}

export class MetricsService {
  private server: http.Server | null = null;
  private timer: NodeJS.Timeout | null = null;
  private offStored: (() => void) | null = null;
  private readonly stored = new Map<string, Map<string, number>>();
  private textfileError: string | null = null;
  /** Where the listener ended up (null when off or failed): tests and the log read it. */
  address: { host: string; port: number } | null = null;

  constructor(
    private readonly cfg: MetricsConfig | undefined,
    private readonly deps: MetricsDeps,
  ) {}

  /** The metrics text now. */
  render(now = Date.now()): string {
    return renderText(collectMetrics(this.deps.agent, this.stored, now));
  }

  async start(): Promise<void> {
    if (!this.cfg || (!this.cfg.listen && !this.cfg.textfile)) return;
    this.offStored = this.deps.events.on("readingsStored", (_n, _a, byFlag) => {
      for (const [analyzer, flags] of Object.entries(byFlag ?? {})) {
        const m = this.stored.get(analyzer) ?? new Map<string, number>();
        for (const [flag, n] of Object.entries(flags)) m.set(flag, (m.get(flag) ?? 0) + n);
        this.stored.set(analyzer, m);
      }
    });
    if (this.cfg.listen) await this.listen(this.cfg.listen);
    if (this.cfg.textfile) {
      const file = resolve(this.deps.baseDir, this.cfg.textfile);
      this.writeTextfile(file);
      this.timer = setInterval(() => this.writeTextfile(file), this.cfg.interval_s * 1000);
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.offStored?.();
    this.offStored = null;
    const srv = this.server;
    this.server = null;
    this.address = null;
    if (srv) await new Promise<void>((r) => { srv.closeAllConnections(); srv.close(() => r()); });
  }

  private async listen(listen: string): Promise<void> {
    const { host, port } = parseListen(listen);
    const srv = lazyHttp().createServer((req, res) => {
      const path = (req.url ?? "/").split("?")[0];
      if (req.method !== "GET" && req.method !== "HEAD") return void res.writeHead(405, { allow: "GET, HEAD" }).end();
      if (path !== "/metrics") return void res.writeHead(404, { "content-type": "text/plain" }).end("metrics are at /metrics\n");
      let body: string;
      try {
        body = this.render();
      } catch (err) {
        this.deps.log.warn(`metrics: cannot collect: ${(err as Error).message}`);
        return void res.writeHead(503, { "content-type": "text/plain" }).end("metrics unavailable\n");
      }
      res.writeHead(200, { "content-type": CONTENT_TYPE, "content-length": Buffer.byteLength(body) }).end(req.method === "HEAD" ? undefined : body);
    });
    // A scraper that opens connections and never finishes them cannot pile them up.
    srv.headersTimeout = 10_000;
    srv.requestTimeout = 10_000;
    srv.maxConnections = 16;
    try {
      await new Promise<void>((resolve, reject) => {
        srv.once("error", reject);
        srv.listen(port, host, () => {
          srv.off("error", reject);
          resolve();
        });
      });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const why = e.code === "EADDRINUSE" ? "the port is already in use" : e.code === "EADDRNOTAVAIL" ? "no such address on this machine" : e.code === "EACCES" ? "permission denied" : e.message;
      this.deps.log.error(`metrics: cannot listen on ${listen}: ${why} (${e.code ?? "error"}); metrics over HTTP are off, the rest of the agent runs`);
      return;
    }
    srv.on("error", (err) => this.deps.log.warn(`metrics: ${err.message}`));
    this.server = srv;
    const a = srv.address() as { address: string; port: number };
    this.address = { host: a.address, port: a.port };
    this.deps.log.info(`metrics served at http://${listen.replace(/:\d+$/, `:${a.port}`)}/metrics`);
  }

  /** Written to a temporary file in the same directory and renamed over the old one: a reader never sees half a file. */
  private writeTextfile(file: string): void {
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, this.render(), { mode: 0o644 });
      renameSync(tmp, file);
      if (this.textfileError) this.deps.log.info(`metrics: ${file} written again`);
      this.textfileError = null;
    } catch (err) {
      const msg = `metrics: cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} (in ${dirname(file)})`;
      if (msg !== this.textfileError) this.deps.log.error(msg);
      this.textfileError = msg;
    }
  }
}
