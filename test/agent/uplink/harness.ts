// A station's uplink against the project's platform receiver over loopback: an SQLite file with
// ten minutes of stored data (2026-01-01 08:00–08:10 Beijing time), a session, its request handler.
import { join } from "node:path";
import { platformSchema } from "../../../config/schema.js";
import { AggregateStore } from "../../../agent/aggregate/store.js";
import { EventBus } from "../../../agent/events.js";
import { silentLogger } from "../../../agent/log.js";
import { openDb } from "../../../agent/store/db.js";
import { ReadingStore } from "../../../agent/store/readings.js";
import { parseHj212Time } from "../../../agent/time.js";
import { RequestHandler, type CommandDeps } from "../../../agent/uplink/commands.js";
import { HistoryRequests } from "../../../agent/uplink/history.js";
import { Outbox } from "../../../agent/uplink/outbox.js";
import { OverrideStore } from "../../../agent/uplink/overrides.js";
import { PlatformReceiver, type ReceiverOptions } from "../../../agent/uplink/receiver.js";
import { PlatformSession } from "../../../agent/uplink/session.js";
import { MN, tempDir, waitFor } from "../../helpers/station.js";

export const PW = "pw-secret";
export const T0 = parseHj212Time("20260101080000", "Asia/Shanghai");

export function platformConfig(port: number, extra: Record<string, unknown> = {}) {
  return platformSchema.parse({ id: "city", host: "127.0.0.1", port, st: 22, pw: PW, ack_timeout_s: 0.3, reconnect_max_s: 1, ...extra });
}

export interface Harness {
  db: ReturnType<typeof openDb>;
  outbox: Outbox;
  overrides: OverrideStore;
  aggregates: AggregateStore;
  readings: ReadingStore;
  receiver: PlatformReceiver;
  session: PlatformSession;
  handler: RequestHandler;
  audit: { actor: string; action: string; details?: Record<string, unknown> }[];
  /** Sends a request as the platform; resolves with the station's answers once `until` holds. */
  ask(cn: string, cp: string, opts?: { pw?: string; mn?: string; until?: (cns: string[]) => boolean; timeoutMs?: number }): Promise<{ qn: string; cns: string[]; cps: string[] }>;
  close(): Promise<void>;
}

export async function harness(opts: { receiver?: ReceiverOptions; platform?: Record<string, unknown>; deps?: Partial<CommandDeps>; minutes?: number } = {}): Promise<Harness> {
  const { dir, cleanup } = tempDir();
  const db = openDb(join(dir, "s.db"));
  const readings = new ReadingStore(db);
  const minutes = opts.minutes ?? 10;
  readings.insert(
    Array.from({ length: minutes * 6 }, (_, i) => ({
      ts: T0 + i * 10_000, analyzer: "o3", channel: "o3", code: "a05024", value: Math.floor(i / 6) + 0.5,
      unit: "ppb", flag: "N" as const, state: "ok", raw: null, source: "test@1",
    })),
  );
  const aggregates = new AggregateStore(db, readings, "Asia/Shanghai");
  if (minutes) db.transaction(() => aggregates.closePeriods(60, T0 + minutes * 60_000 + 1, 0))();
  const outbox = new Outbox(db, "Asia/Shanghai");
  const overrides = new OverrideStore(db);
  const receiver = new PlatformReceiver({ keep: true, ...opts.receiver });
  const port = await receiver.start();
  const cfg = platformConfig(port, opts.platform);
  const audit: Harness["audit"] = [];
  const lookup: CommandDeps["lookup"] = (a, c) => (a === "o3" && c === "o3" ? { code: "a05024", scale: 1, offset: 0 } : undefined);
  // As the agent builds it: answers remembered in the database, 2011 ranges from the stored readings.
  const history = new HistoryRequests({
    outbox, log: silentLogger, tz: "Asia/Shanghai", aggregates, lookup, db, readings: (from, to) => readings.between(from, to),
    runtime: opts.deps?.runtime, dayStart: opts.deps?.dayStart,
  });
  const handler = new RequestHandler({
    log: silentLogger, tz: "Asia/Shanghai", outbox, aggregates, overrides, lookup, history,
    instruments: [{ analyzer: "o3", driver: "teledyne-t400", codes: ["a05024"], sn: "T400-1234" }],
    audit: { append: (e) => audit.push(e) },
    ...opts.deps,
  });
  const session = new PlatformSession(cfg, {
    outbox, events: new EventBus(), log: silentLogger, stationMn: MN,
    onRequest: (f, s) => handler.handle(f, s), onBadCrc: (seg, s) => handler.onBadCrc(seg, s), onBadFrame: (why, s) => handler.onBadFrame(why, s),
  });
  session.start();
  await waitFor(() => session.connected && receiver.connections > 0, 5000, "station connected");
  return {
    db, outbox, overrides, aggregates, readings, receiver, session, handler, audit,
    async ask(cn, cp, o = {}) {
      const qn = receiver.request({ cn, cp, pw: o.pw ?? session.cfg.pw, mn: o.mn ?? MN });
      const answers = () => receiver.answersTo(qn).map((p) => p.frame.header.cn!);
      const until = o.until ?? ((cns: string[]) => cns.includes("9012") || cns.includes("9013"));
      await waitFor(() => until(answers()), o.timeoutMs ?? 5000, `answers to CN=${cn}`);
      return { qn, cns: answers(), cps: receiver.answersTo(qn).map((p) => p.frame.cp) };
    },
    async close() {
      await session.stop();
      await receiver.stop();
      db.close();
      cleanup();
    },
  };
}
