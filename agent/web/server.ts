// The local page, served by the agent itself (node:http): read-only (GET and HEAD only), three
// small files from assets/ and two JSON endpoints. Anyone on the hut's network is untrusted input:
// requests are bounded in size, time and number, a token guards any address but loopback, and a
// port already taken is logged clearly and leaves the rest of the agent running.
import { createHash, timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { lazyHttp, lazyZlib } from "../builtin.js";
import type { WebConfig } from "../../config/schema-web.js";
import type { Logger } from "../log.js";
import { PageData, type WebAgent } from "./data.js";
import { formatListen, parseListen } from "./listen.js";

const ASSETS: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
  "/style.css": { file: "style.css", type: "text/css; charset=utf-8" },
  "/favicon.svg": { file: "favicon.svg", type: "image/svg+xml" },
};
const COOKIE = "station_agent_token";
/** What the token form itself needs; nothing about the station. */
const PUBLIC = new Set(["/style.css", "/favicon.svg"]);
const SECURITY_HEADERS = {
  "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

interface Body {
  raw: Buffer;
  gz: Buffer;
  etag: string;
}

/** Level 1: the trend is rebuilt every minute on a Pi, and mostly repeated numbers compress well anyway. */
const body = (raw: Buffer, etag?: string): Body => ({ raw, gz: lazyZlib().gzipSync(raw, { level: 1 }), etag: etag ?? `"${createHash("sha1").update(raw).digest("base64url").slice(0, 20)}"` });

/** assets/ beside this file (source), or in the source tree beside dist/ (built, packaged). */
function assetsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, "assets"), join(here, "../../../agent/web/assets")];
  return candidates.find((d) => existsSync(join(d, "index.html"))) ?? candidates[0];
}

export class WebServer {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private assets = new Map<string, Body & { type: string }>();
  private data: PageData | null = null;
  private trendBody: (Body & { json: string }) | null = null;
  private trendVersion = 0;
  private refused = 0;
  private refusedLoggedAt = 0;

  constructor(
    private readonly cfg: WebConfig,
    private readonly agent: WebAgent,
    private readonly log: Logger,
  ) {}

  /** Where it listens (after start), or null when off or the port could not be had. */
  get address(): AddressInfo | null {
    return (this.server?.address() as AddressInfo | null) ?? null;
  }

  async start(): Promise<void> {
    const at = parseListen(this.cfg.listen);
    if (!at || typeof at === "string") return; // off; a bad value never passes the config check
    this.data = new PageData(this.agent, { trendHours: this.cfg.trend_hours, auditEntries: this.cfg.audit_entries });
    const dir = assetsDir();
    for (const [path, a] of Object.entries(ASSETS)) this.assets.set(path, { ...body(readFileSync(join(dir, a.file))), type: a.type });
    const server = lazyHttp().createServer({ maxHeaderSize: 8192, requestTimeout: 10_000, headersTimeout: 5_000, keepAliveTimeout: 10_000 }, (req, res) => this.handle(req, res));
    server.maxConnections = 32;
    server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    const where = formatListen(at);
    await new Promise<void>((resolve) => {
      const onError = (err: NodeJS.ErrnoException) => {
        const why = err.code === "EADDRINUSE" ? "the port is already in use" : err.code === "EADDRNOTAVAIL" ? "no such address on this machine" : err.code === "EACCES" ? "permission denied" : err.message;
        this.log.error(`web page: cannot listen on ${where}: ${why} (${err.code ?? "error"}); the page is off, the rest of the agent runs`);
        resolve();
      };
      server.once("error", onError);
      server.listen(at.port, at.host, () => {
        server.off("error", onError);
        server.on("error", (err) => this.log.warn(`web page: ${err.message}`));
        this.server = server;
        this.data!.start();
        this.log.info(`web page on http://${where}/${this.cfg.token ? " (token required)" : ""}`);
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    this.data?.stop();
    if (!s) return;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      for (const sock of this.sockets) sock.destroy();
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    try {
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
      if (req.method !== "GET" && req.method !== "HEAD") return this.send(res, 405, "text/plain", "read-only: GET and HEAD only\n", { allow: "GET, HEAD" });
      const url = new URL(req.url ?? "/", "http://station");
      if (this.cfg.token) {
        const given = url.searchParams.get("token");
        if (given !== null && url.pathname === "/" && this.tokenOk(given)) {
          // Once from the address bar, then a cookie: the token does not stay in the URL or history.
          return this.send(res, 303, "text/plain", "", { location: "/", "set-cookie": `${COOKIE}=${encodeURIComponent(given)}; HttpOnly; SameSite=Strict; Path=/` });
        }
        if (!PUBLIC.has(url.pathname) && !this.authorised(req)) return this.refuse(req, res, url.pathname);
      }
      const asset = this.assets.get(url.pathname);
      if (asset) return this.sendBody(req, res, asset, asset.type, "no-cache");
      if (url.pathname === "/api/status") {
        return this.send(res, 200, "application/json", JSON.stringify(this.data!.status()), { "cache-control": "no-store" });
      }
      if (url.pathname === "/api/trend") return this.sendBody(req, res, this.trend(), "application/json", "no-cache");
      return this.send(res, 404, "text/plain", "not found\n");
    } catch (err) {
      this.log.warn(`web page: ${req.method} ${req.url}: ${(err as Error).message}`);
      if (!res.headersSent) this.send(res, 500, "application/json", JSON.stringify({ error: (err as Error).message }));
      else res.destroy();
    }
  }

  /** The trend's minute values change once a minute: compressed and tagged once, served to every poller. */
  private trend(): Body {
    const json = this.data!.trend.get();
    // A new string is a new trend: a counter tags it, no hash of 500 kB needed.
    if (this.trendBody?.json !== json) this.trendBody = { ...body(Buffer.from(json), `"t${process.pid.toString(36)}-${(++this.trendVersion).toString(36)}"`), json };
    return this.trendBody;
  }

  private tokenOk(given: string): boolean {
    const want = Buffer.from(this.cfg.token ?? "");
    const got = Buffer.from(given);
    return want.length > 0 && got.length === want.length && timingSafeEqual(got, want);
  }

  private authorised(req: IncomingMessage): boolean {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (bearer !== undefined) return this.tokenOk(bearer);
    for (const part of (req.headers.cookie ?? "").split(";")) {
      const [k, ...v] = part.trim().split("=");
      if (k === COOKIE) {
        try {
          return this.tokenOk(decodeURIComponent(v.join("=")));
        } catch {
          return false;
        }
      }
    }
    return false;
  }

  /** 401: the page asks for the token with a plain form; wrong tries are logged once a minute. */
  private refuse(req: IncomingMessage, res: ServerResponse, path: string): void {
    this.refused++;
    const now = Date.now();
    if (now - this.refusedLoggedAt > 60_000) {
      this.log.warn(`web page: ${this.refused} request(s) without a valid token, the last from ${req.socket.remoteAddress ?? "?"}`);
      this.refusedLoggedAt = now;
      this.refused = 0;
    }
    if (path !== "/") return this.send(res, 401, "application/json", JSON.stringify({ error: "token required" }));
    const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Station agent</title><link rel="stylesheet" href="/style.css"></head>
<body><main class="login"><h1>Station agent</h1><form method="get" action="/"><label>Access token <input name="token" type="password" autocomplete="current-password" required></label> <button>Open</button></form></main></body></html>\n`;
    this.send(res, 401, "text/html; charset=utf-8", page);
  }

  private sendBody(req: IncomingMessage, res: ServerResponse, b: Body, type: string, cache: string): void {
    if (req.headers["if-none-match"] === b.etag) return this.send(res, 304, type, "", { etag: b.etag, "cache-control": cache });
    const gz = /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? "")) && b.gz.length < b.raw.length;
    this.send(res, 200, type, gz ? b.gz : b.raw, { etag: b.etag, "cache-control": cache, vary: "accept-encoding", ...(gz ? { "content-encoding": "gzip" } : {}) });
  }

  private send(res: ServerResponse, status: number, type: string, payload: string | Buffer, headers: Record<string, string> = {}): void {
    const buf = typeof payload === "string" ? Buffer.from(payload) : payload;
    res.writeHead(status, { "content-type": type, "content-length": String(buf.length), ...headers });
    res.end(res.req.method === "HEAD" ? undefined : buf);
  }
}
