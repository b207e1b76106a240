// Sends each alarm raised or cleared on: to the HJ 212 platforms as a field-machine log entry (3020
// upload, i11001, through the durable outbox like any packet), and to an optional HTTP endpoint with
// axios. Both work from alarm_events, so nothing is lost across a restart and an event recorded by
// the CLI without a service goes out when the service runs. HTTP is retried with a doubling back-off
// and runs on its own timer: a dead endpoint never holds up polling or the uplink.
import { logItems } from "../uplink/info-log.js";
import type { AlarmsConfig } from "../../config/schema-alarms.js";
import { cachedStatement, type Db } from "../store/db.js";
import type { Logger } from "../log.js";
import { formatHj212Time } from "../time.js";
import type { NewPacket } from "../uplink/outbox.js";
import type { AlarmEvent, AlarmLog, Sink } from "./store.js";
import { safeUrl } from "../uplink/http-json.js";
import { HTTP_LIMITS } from "../uplink/http-limits.js";
import type { Alarm } from "./store.js";

/** Events older than this when a sink first sees them are old news: marked done, not sent. */
const MAX_AGE_MS = 24 * 3600_000;
const TICK_MS = 2000;

export interface NotifierDeps {
  db: Db;
  alarms: AlarmLog;
  cfg: AlarmsConfig;
  station: { name: string; mn: string };
  tz: string;
  /** HJ 212 platforms that get alarms (the running sessions). */
  platforms: () => string[];
  outbox: { enqueue(p: readonly NewPacket[]): unknown };
  /** The PolId an analyzer's log entries go under (its first uploaded code); undefined: station-level. */
  polIdOf: (analyzer: string) => string | undefined;
  onQueued?: (platform: string, n: number) => void;
  log: Logger;
  /** For tests: the POST (default axios). */
  post?: (url: string, body: unknown, opts: { headers: Record<string, string>; timeout: number }) => Promise<unknown>;
}

/** The text of a log entry: separators of CP (; , = &) would change the packet's structure. */
export function alarmLogText(e: { event: "raise" | "clear"; alarm: Alarm }): string {
  const a = e.alarm;
  const text = e.event === "raise" ? `ALARM ${a.kind} ${a.subject}: ${a.message}` : `alarm cleared ${a.kind} ${a.subject} (seen ${a.count} times)`;
  return text.replace(/[;,=&\r\n]/g, " ").trim();
}

/**
 * CP of a 3020 upload with the alarm as a log entry (HJ 212-2017 B.8/B.9): an instrument's in its
 * log (i11001, with its PolId), the station's in the data logger's log (i21001, no PolId); as
 * `//…//` items under 890 bytes.
 */
export function alarmCp(e: AlarmEvent, tz: string, polId: string | undefined): string {
  const code = polId ? "i11001" : "i21001";
  const items = logItems(alarmLogText(e)).map((t) => `${code}-Info=${t}`);
  return [`DataTime=${formatHj212Time(e.ts, tz)}`, ...(polId ? [`PolId=${polId}`] : []), ...items].join(";");
}

export class AlarmNotifier {
  private timer: NodeJS.Timeout | null = null;
  private httpBusy = false;
  private httpFailures = 0;
  private httpNextAt = 0;
  /** Per sink: the database's state when that sink last found nothing pending (null: look again). */
  private readonly emptyAt: Record<Sink, string | null> = { uplink: null, http: null };

  constructor(private readonly deps: NotifierDeps) {}

  start(): void {
    this.timer = setInterval(() => this.kick(), TICK_MS);
    this.kick();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Delivers what is pending now (called after each raise/clear, and on the timer). */
  kick(now = Date.now()): void {
    // Every 2 s, and nearly always nothing to do: a sink that found nothing pending looks again
    // only once an event was recorded here (eventWrites) or another connection committed (the
    // CLI's `alarms check`, PRAGMA data_version). Its transaction and queries cost more than the
    // rest of this tick together.
    const state = this.dbState();
    try {
      if (this.emptyAt.uplink !== state) this.uplink(now, state);
    } catch (err) {
      this.deps.log.error(`alarms: could not queue for the platforms: ${(err as Error).message}`);
    }
    if (this.deps.cfg.http && !this.httpBusy && now >= this.httpNextAt && this.emptyAt.http !== state) void this.http(now, state);
  }

  private dbState(): string {
    const dv = (cachedStatement(this.deps.db, "PRAGMA data_version").get() as { data_version: number }).data_version;
    return `${this.deps.alarms.eventWrites}/${dv}`;
  }

  /** Waits for a POST in progress (tests, and stop in good order). */
  async idle(): Promise<void> {
    while (this.httpBusy) await new Promise((r) => setTimeout(r, 20));
  }

  private uplink(now: number, state: string): void {
    const { deps } = this;
    if (!deps.cfg.upload) return;
    const platforms = deps.platforms();
    const queued = new Map<string, number>();
    deps.db.transaction(() => {
      const events = deps.alarms.pending("uplink", now - MAX_AGE_MS);
      this.emptyAt.uplink = events.length ? null : state;
      for (const e of events) {
        const cp = alarmCp(e, deps.tz, e.alarm.analyzer ? deps.polIdOf(e.alarm.analyzer) : undefined);
        deps.outbox.enqueue(platforms.map((platform) => ({ platform, cn: "3020", dataTime: e.ts, cp, ackRequired: true })));
        for (const p of platforms) queued.set(p, (queued.get(p) ?? 0) + 1);
      }
      deps.alarms.markDone("uplink", events.map((e) => e.id));
    })();
    for (const [p, n] of queued) deps.onQueued?.(p, n);
  }

  private async http(now: number, state: string): Promise<void> {
    const { deps } = this;
    const http = deps.cfg.http!;
    this.httpBusy = true;
    // axios is loaded only where an endpoint is configured: it pulls in Node's fetch machinery,
    // megabytes a station without one should not carry.
    // No redirects (the headers would follow to another host), answers read up to 1 MB.
    const post = deps.post ?? (async (url, body, opts) => (await import("axios")).default.post(url, body, { ...opts, ...HTTP_LIMITS }));
    try {
      const events = deps.alarms.pending("http", now - MAX_AGE_MS, 20);
      this.emptyAt.http = events.length ? null : state;
      for (const e of events) {
        const body = { station: deps.station, event: e.event, at: new Date(e.ts).toISOString(), alarm: { ...e.alarm, raisedAt: new Date(e.alarm.raisedAt).toISOString(), clearedAt: e.alarm.clearedAt === null ? null : new Date(e.alarm.clearedAt).toISOString() } };
        await post(http.url, body, { headers: { "content-type": "application/json", ...http.headers }, timeout: http.timeout_ms });
        deps.alarms.markDone("http", [e.id]);
        this.httpFailures = 0;
      }
    } catch (err) {
      this.httpFailures++;
      const wait = Math.min(1000 * 2 ** (this.httpFailures - 1), http.retry_max_s * 1000);
      this.httpNextAt = Date.now() + wait;
      // The URL without user:password or query, and no error text: axios errors carry the request headers.
      const e = err as { code?: string; response?: { status?: number } };
      const why = e.response?.status ? `HTTP ${e.response.status}` : (e.code ?? "request failed");
      deps.log.warn(`alarms: POST to ${safeUrl(http.url)} failed (${why}); retrying in ${Math.round(wait / 1000)} s`);
    } finally {
      this.httpBusy = false;
    }
  }
}
