// The MQTT uplink: the platform's packets from the same outbox, through the same cursor and the
// same batched ack records as the HJ 212 session and the HTTP uplink; only the wire differs. Each
// packet is published at QoS 1 to {prefix}/{mn}/{kind} and is delivered when its PUBACK arrives.
//
// One MQTT.js client per connection, with MQTT.js's own reconnect off: a broken connection is
// dropped whole (what was in flight stays pending in the outbox and goes out again, same QN, on
// the next connection) and the agent reconnects with capped back-off, ten times slower when the
// broker refuses the credentials. A PUBACK that does not come within ack_timeout_s drops the
// connection too: MQTT only resends on a new connection. {prefix}/{mn}/state is a retained
// `online`, with a retained `offline` as Last Will. Passwords never reach a log line.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { IClientOptions, MqttClient } from "mqtt";
import type { MqttPlatformConfig } from "../../config/schema.js";
import type { EventBus } from "../events.js";
import type { Logger } from "../log.js";
import type { Packet } from "../types.js";
import type { Outbox } from "./outbox.js";
import { AckBatch, DeliveryCursor, type SessionRuntime, type SessionState, type Uplink } from "./delivery.js";
import { safeUrl } from "./http-json.js";
import { mqttKind, mqttPayload, mqttTopic, type PayloadOptions } from "./mqtt-payload.js";

export interface MqttUplinkDeps {
  outbox: Outbox;
  events: EventBus;
  log: Logger;
  station: { mn: string; name: string };
  tz: string;
  /** Relative password_file and TLS file paths are relative to this (the config file's directory). */
  baseDir: string;
}

/** CONNACK codes that mean "these credentials will not do": waiting will rarely fix them. */
const REFUSED = new Set([4, 5, 134, 135, 138, 140]);

export class MqttUplink implements Uplink {
  readonly runtime: SessionRuntime;
  private readonly st: SessionState;
  private readonly cursor: DeliveryCursor;
  private readonly acks: AckBatch;
  private readonly payload: PayloadOptions;
  private client: MqttClient | null = null;
  private readonly inFlight = new Map<string, number>();
  private stopped = true;
  private backoffMs = 500;
  private refused = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private tickTimer: NodeJS.Timeout | null = null;
  private pumpScheduled = false;
  /** Taken from the cursor on this connection, not yet published. */
  private ready: Packet[] = [];

  constructor(
    readonly cfg: MqttPlatformConfig,
    private readonly deps: MqttUplinkDeps,
  ) {
    this.st = { platform: cfg.id, connected: false, since: null, lastError: null, inFlight: 0, sent: 0, retransmits: 0, acked: 0, badFrames: 0, reconnects: 0 };
    this.runtime = { realtime: cfg.uploads.includes("realtime"), status: cfg.uploads.includes("status") };
    this.cursor = new DeliveryCursor(deps.outbox, cfg.id, cfg.order);
    this.acks = new AckBatch(deps.outbox, cfg.id);
    this.payload = { payload: cfg.payload, st: cfg.st, pw: cfg.pw, hj212_version: cfg.hj212_version, mn: this.mn, station: deps.station, tz: deps.tz };
  }

  get mn(): string {
    return this.cfg.mn ?? this.deps.station.mn;
  }

  get connected(): boolean {
    return this.st.connected;
  }

  get stateTopic(): string {
    return mqttTopic(this.cfg.prefix, this.mn, "state");
  }

  state(): SessionState {
    return { ...this.st, inFlight: this.inFlight.size };
  }

  start(): void {
    this.stopped = false;
    const tickMs = Math.max(50, Math.min(1000, (this.cfg.ack_timeout_s * 1000) / 4));
    this.tickTimer = setInterval(() => this.checkTimeouts(), tickMs);
    void this.connect();
  }

  kick(): void {
    this.pump();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.tickTimer) clearInterval(this.tickTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const c = this.client;
    this.client = null;
    if (c) {
      // A clean DISCONNECT suppresses the Last Will, so the offline state is published first.
      if (this.st.connected) await within(2000, c.publishAsync(this.stateTopic, "offline", { qos: 1, retain: true }).then(() => undefined));
      await within(2000, c.endAsync(false));
      await within(1000, c.endAsync(true));
    }
    this.acks.flush();
    this.inFlight.clear();
    this.st.connected = false;
  }

  private options(): IClientOptions {
    const c = this.cfg;
    const file = (p: string) => readFileSync(resolve(this.deps.baseDir, p));
    const password = c.password_file ? file(c.password_file).toString("utf8").replace(/\r?\n$/, "") : c.password;
    return {
      clientId: c.client_id ?? this.mn,
      username: c.username,
      password,
      clean: true,
      protocolVersion: 4,
      keepalive: c.keepalive_s,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      will: { topic: this.stateTopic, payload: Buffer.from("offline"), qos: 1, retain: true },
      ...(c.tls
        ? {
            ca: c.tls.ca ? file(c.tls.ca) : undefined,
            cert: c.tls.cert ? file(c.tls.cert) : undefined,
            key: c.tls.key ? file(c.tls.key) : undefined,
            servername: c.tls.servername,
            rejectUnauthorized: c.tls.reject_unauthorized,
          }
        : {}),
    };
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    let opts: IClientOptions;
    try {
      opts = this.options();
    } catch (err) {
      // password_file or a TLS file unreadable: say which (never its content), and try again later.
      return this.failed(`cannot read a credentials or TLS file: ${(err as NodeJS.ErrnoException).code ?? "error"} ${(err as NodeJS.ErrnoException).path ?? ""}`.trim(), false);
    }
    // MQTT.js is loaded on the first connection: stations without an MQTT platform never load it.
    const { connect } = await import("mqtt");
    if (this.stopped) return;
    const c = connect(this.cfg.url, opts);
    this.client = c;
    c.on("connect", () => {
      if (this.client !== c) return;
      this.st.connected = true;
      this.st.since = Date.now();
      this.st.lastError = null;
      this.backoffMs = 500;
      this.refused = false;
      // MQTT.js leaves Nagle on: with a window of publishes and PUBACKs that stalls on delayed ACKs.
      (c.stream as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
      this.cursor.restart();
      this.ready = [];
      this.deps.log.info(`connected to MQTT broker ${this.cfg.id}`, { url: safeUrl(this.cfg.url), clientId: opts.clientId });
      this.deps.events.emit("platformConnected", this.cfg.id);
      c.publish(this.stateTopic, "online", { qos: 1, retain: true });
      this.pump();
    });
    c.on("error", (err: Error & { code?: number | string }) => {
      if (this.client !== c) return;
      const code = typeof err.code === "number" ? err.code : undefined;
      if (code !== undefined && !this.st.connected) {
        // The broker answered CONNACK with a refusal: its reason code says why.
        const reason = `broker refused the connection: ${err.message.replace(/^Connection refused: /, "")} (reason code ${code})`;
        this.refused = REFUSED.has(code);
        this.deps.log.error(`platform ${this.cfg.id}: ${reason}${this.refused ? "; tried again less often" : ""}`);
        this.st.lastError = reason;
      } else {
        const msg = typeof err.code === "string" ? `${err.code} ${safeUrl(this.cfg.url)}` : err.message;
        if (msg !== this.st.lastError) this.deps.log.warn(`platform ${this.cfg.id}: ${msg}`);
        this.st.lastError = msg;
      }
      c.end(true);
    });
    c.on("close", () => this.onClose(c));
    c.on("end", () => this.onClose(c));
  }

  private onClose(c: MqttClient): void {
    if (this.client !== c) return;
    this.client = null;
    c.removeAllListeners("connect");
    c.end(true);
    const was = this.st.connected;
    this.st.connected = false;
    this.st.since = Date.now();
    this.st.retransmits += this.inFlight.size;
    this.inFlight.clear(); // still pending in the outbox: published again, same QN, after reconnecting
    this.acks.flush();
    if (was) {
      this.deps.log.warn(`platform ${this.cfg.id} disconnected`);
      this.deps.events.emit("platformDisconnected", this.cfg.id, this.st.lastError ?? "closed");
    }
    this.failed(this.st.lastError ?? "connection closed", this.refused);
  }

  /** Schedules the next connection attempt: 0.5 s doubling to reconnect_max_s, ×10 after a refusal. */
  private failed(reason: string, refused: boolean): void {
    this.st.lastError = reason;
    if (this.stopped || this.reconnectTimer) return;
    this.st.reconnects++;
    const delay = (refused ? 10 : 1) * this.backoffMs * (0.8 + Math.random() * 0.4);
    this.backoffMs = Math.min(this.backoffMs * 2, this.cfg.reconnect_max_s * 1000);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, delay);
  }

  /**
   * Fills the window. Packets are fetched from the outbox a window at a time into `ready` and
   * published as PUBACKs free room: one query per window, and a publish right after each PUBACK,
   * whose TCP segment carries the ACK the broker's Nagle-delayed PUBACKs wait for (a half-empty
   * window would stall on the 40 ms delayed ACK).
   */
  private pump(): void {
    const c = this.client;
    if (!c || !this.st.connected || this.stopped) return;
    while (this.inFlight.size < this.cfg.window) {
      if (!this.ready.length) this.ready = this.cursor.take(this.cfg.window);
      const p = this.ready.shift();
      if (!p) return;
      this.publish(c, p);
    }
  }

  /** Many PUBACKs in one read refill the window with one outbox query, not one per ack. */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private publish(c: MqttClient, p: Packet): void {
    let body: string;
    try {
      body = mqttPayload(p, this.payload);
    } catch (err) {
      // Cannot be encoded (an HJ 212 item over 9999 bytes): kept pending, said once per connection.
      this.deps.log.error(`platform ${this.cfg.id}: packet ${p.qn} cannot be encoded: ${(err as Error).message}`);
      return;
    }
    this.st.sent++;
    this.inFlight.set(p.qn, performance.now());
    c.publish(mqttTopic(this.cfg.prefix, this.mn, mqttKind(p.cn, p.cp)), body, { qos: 1 }, (err) => {
      // Without an error the callback means the PUBACK arrived: the broker has the packet.
      if (err) return;
      const was = this.inFlight.delete(p.qn);
      this.acks.add(p.qn);
      this.st.acked++;
      this.deps.events.emit("packetAcked", this.cfg.id, p.qn, p.cn);
      if (was && this.client === c) this.schedulePump();
    });
  }

  private checkTimeouts(): void {
    const c = this.client;
    if (!c || !this.st.connected) return;
    const limit = this.cfg.ack_timeout_s * 1000;
    const now = performance.now();
    for (const [qn, sentAt] of this.inFlight) {
      if (now - sentAt < limit) continue;
      this.deps.log.warn(`platform ${this.cfg.id}: no PUBACK within ${this.cfg.ack_timeout_s} s for packet ${qn}; connecting anew`);
      this.st.lastError = "no PUBACK";
      c.end(true);
      return;
    }
  }
}

/** Waits for `p` at most `ms`: a broker that never answers cannot hold the agent's stop. */
async function within(ms: number, p: Promise<unknown>): Promise<void> {
  let t: NodeJS.Timeout | undefined;
  await Promise.race([p.catch(() => undefined), new Promise((r) => (t = setTimeout(r, ms)))]);
  clearTimeout(t);
}
