// The HTTP(S) JSON uplink: the platform's packets from the same outbox, through the same cursor
// (`order`: oldest-first by default, see delivery.ts) and the same batched ack records as the HJ
// 212 session; only the wire differs. Each packet is POSTed as JSON (http-json.ts) and a 2xx
// answer is its ack.
//
// One packet at a time: a receiver sees packets in the cursor's order even when some POSTs fail,
// because a failed packet is sent again (after a back-off) before anything newer. A 5xx, a timeout, a
// refused connection, 408 and 429 are passing troubles; any other 4xx means the receiver refuses
// the request itself (bad token, wrong URL), which waiting will rarely fix: it is logged each time
// and tried ten times less often. The token and header values are secrets: errors are logged by
// status and code only, and the URL without credentials or query.
import type http from "node:http";
import type https from "node:https";
import { lazyHttp, lazyHttps } from "../builtin.js";
import type { AxiosInstance, CreateAxiosDefaults } from "axios";
import type { HttpPlatformConfig } from "../../config/schema.js";
import type { EventBus } from "../events.js";
import type { Logger } from "../log.js";
import type { Packet } from "../types.js";
import type { Outbox } from "./outbox.js";
import { AckBatch, DeliveryCursor, type SessionRuntime, type SessionState, type Uplink } from "./delivery.js";
import { jsonPacket, safeUrl } from "./http-json.js";
import { HTTP_LIMITS } from "./http-limits.js";

export interface HttpUplinkDeps {
  outbox: Outbox;
  events: EventBus;
  log: Logger;
  station: { mn: string; name: string };
  tz: string;
}

type Outcome = { ok: true } | { ok: false; reason: string; rejected: boolean; retryAfterMs?: number };

/** Back-off before try n+1 after n failures: 0.5 s doubling, capped, with ±20% jitter. */
export function retryDelayMs(failures: number, capS: number, rejected: boolean): number {
  const base = Math.min(500 * 2 ** Math.max(0, failures - 1), capS * 1000);
  return (rejected ? 10 : 1) * base * (0.8 + Math.random() * 0.4);
}

export class HttpUplink implements Uplink {
  readonly runtime: SessionRuntime;
  private readonly st: SessionState;
  private readonly cursor: DeliveryCursor;
  private readonly acks: AckBatch;
  private client: AxiosInstance | null = null;
  private clientOptions: CreateAxiosDefaults | null = null;
  private agents: { http: http.Agent; https: https.Agent } | null = null;
  private stopped = true;
  private loop: Promise<void> | null = null;
  private abort: AbortController | null = null;
  private wake: (() => void) | null = null;
  private again = false;

  constructor(
    readonly cfg: HttpPlatformConfig,
    private readonly deps: HttpUplinkDeps,
  ) {
    this.st = { platform: cfg.id, connected: false, since: null, lastError: null, inFlight: 0, sent: 0, retransmits: 0, acked: 0, badFrames: 0, reconnects: 0 };
    this.runtime = { realtime: cfg.uploads.includes("realtime"), status: cfg.uploads.includes("status") };
    this.cursor = new DeliveryCursor(deps.outbox, cfg.id, cfg.order);
    this.acks = new AckBatch(deps.outbox, cfg.id);
  }

  get connected(): boolean {
    return this.st.connected;
  }

  state(): SessionState {
    return { ...this.st };
  }

  start(): void {
    this.stopped = false;
    this.agents = { http: new (lazyHttp().Agent)({ keepAlive: true }), https: new (lazyHttps().Agent)({ keepAlive: true }) };
    const headers: Record<string, string> = { ...this.cfg.headers, "content-type": "application/json" };
    if (this.cfg.token) headers.authorization = `Bearer ${this.cfg.token}`;
    this.clientOptions = {
      headers,
      timeout: this.cfg.timeout_s * 1000,
      httpAgent: this.agents.http,
      httpsAgent: this.agents.https,
      // A redirect would turn the POST into a GET elsewhere: it is an answer to act on, not to follow.
      // Answers are read up to 1 MB (http-limits.ts).
      ...HTTP_LIMITS,
      validateStatus: () => true,
    };
    this.cursor.restart();
    // Until a POST fails the receiver counts as reachable, so realtime data is queued for it.
    this.st.connected = true;
    this.st.since = Date.now();
    this.kick();
  }

  kick(): void {
    this.again = true;
    if (this.stopped || this.loop) return;
    // A kick that lands after the loop found nothing, but before it ended, starts it again.
    this.loop = this.run().finally(() => {
      this.loop = null;
      if (this.again) this.kick();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort?.abort();
    this.wake?.();
    await this.loop;
    this.acks.flush();
    this.agents?.http.destroy();
    this.agents?.https.destroy();
    this.st.connected = false;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      this.again = false;
      const [p] = this.cursor.take(1);
      if (!p) return;
      await this.deliver(p);
    }
  }

  /** POSTs one packet until a 2xx acknowledges it (or the uplink stops; it stays pending then). */
  private async deliver(p: Packet): Promise<void> {
    const body = jsonPacket(p, { mn: this.cfg.mn ?? this.deps.station.mn, name: this.deps.station.name }, this.deps.tz);
    for (let failures = 0; !this.stopped; ) {
      this.st.inFlight = 1;
      const r = await this.post(body);
      this.st.inFlight = 0;
      if (r.ok) {
        this.acks.add(p.qn);
        this.st.acked++;
        this.deps.events.emit("packetAcked", this.cfg.id, p.qn, p.cn);
        if (!this.st.connected) this.deps.log.info(`platform ${this.cfg.id}: ${safeUrl(this.cfg.url)} accepts packets again`);
        this.setReachable(true, null);
        return;
      }
      failures++;
      if (this.stopped) return;
      this.st.retransmits++;
      if (r.rejected) this.deps.log.error(`platform ${this.cfg.id}: ${safeUrl(this.cfg.url)} refused packet ${p.qn}: ${r.reason}; tried again less often`);
      else if (r.reason !== this.st.lastError) this.deps.log.warn(`platform ${this.cfg.id}: ${safeUrl(this.cfg.url)}: ${r.reason}; retrying`);
      this.setReachable(false, r.reason);
      await this.sleep(r.retryAfterMs ?? retryDelayMs(failures, this.cfg.retry_max_s, r.rejected));
    }
  }

  private setReachable(ok: boolean, error: string | null): void {
    if (this.st.connected !== ok) {
      this.st.since = Date.now();
      if (ok) this.deps.events.emit("platformConnected", this.cfg.id);
      else this.deps.events.emit("platformDisconnected", this.cfg.id, error ?? "failed");
    }
    this.st.connected = ok;
    this.st.lastError = error;
  }

  private async post(body: unknown): Promise<Outcome> {
    this.abort = new AbortController();
    this.st.sent++;
    try {
      // axios is loaded on the first POST, not at start: stations without an HTTP platform never load it.
      this.client ??= (await import("axios")).default.create(this.clientOptions!);
      const res = await this.client.post(this.cfg.url, body, { signal: this.abort.signal });
      if (res.status >= 200 && res.status < 300) return { ok: true };
      const reason = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`;
      if (res.status === 408 || res.status === 429 || res.status >= 500) {
        const after = Number(res.headers["retry-after"]);
        return { ok: false, reason, rejected: false, retryAfterMs: res.status === 429 && after > 0 ? Math.min(after, 3600) * 1000 : undefined };
      }
      return { ok: false, reason, rejected: true };
    } catch (err) {
      // Never the error itself: axios errors carry the request config, headers and token included.
      const e = err as { code?: string };
      return { ok: false, reason: e.code === "ECONNABORTED" ? `no answer within ${this.cfg.timeout_s} s` : (e.code ?? "request failed"), rejected: false };
    } finally {
      this.abort = null;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }
}
