// An HJ 212-2025 station uplink against the project's receiver over real sockets, with its SM4 key
// store in a temp state directory and a logger whose lines the test can read.
import { join } from "node:path";
import { platformSchema } from "../../../config/schema.js";
import { EventBus } from "../../../agent/events.js";
import { createLogger } from "../../../agent/log.js";
import { openDb } from "../../../agent/store/db.js";
import { ReadingStore } from "../../../agent/store/readings.js";
import { AggregateStore } from "../../../agent/aggregate/store.js";
import { RequestHandler, type CommandDeps } from "../../../agent/uplink/commands.js";
import { commands2025 } from "../../../agent/uplink/commands-2025.js";
import { KEY_FILE, Sm4KeyStore } from "../../../agent/uplink/keys.js";
import { Outbox } from "../../../agent/uplink/outbox.js";
import { OverrideStore } from "../../../agent/uplink/overrides.js";
import { PlatformReceiver, type ReceiverOptions } from "../../../agent/uplink/receiver.js";
import { PlatformSession } from "../../../agent/uplink/session.js";
import { MN, tempDir, waitFor } from "../../helpers/station.js";

export const PW = "pw-secret";
export const KEY = "0000000000000000";

export interface LinkHarness {
  dir: string;
  db: ReturnType<typeof openDb>;
  outbox: Outbox;
  overrides: OverrideStore;
  keyStore: Sm4KeyStore;
  receiver: PlatformReceiver;
  session: PlatformSession;
  events: EventBus;
  logs: string[];
  audit: { actor: string; action: string; details?: Record<string, unknown> }[];
  /** Starts the session and waits until it is connected. */
  connect(): Promise<void>;
  /** A request from the platform; resolves with the station's answers to it once `until` holds. */
  ask(cn: string, cp: string, opts?: { until?: (cns: string[]) => boolean; mn?: string; flag?: number }): Promise<{ qn: string; cns: string[]; cps: string[] }>;
  close(): Promise<void>;
}

export async function linkHarness(opts: { receiver?: ReceiverOptions; platform?: Record<string, unknown>; deps?: Partial<CommandDeps>; now?: () => number } = {}): Promise<LinkHarness> {
  const { dir, cleanup } = tempDir();
  const db = openDb(join(dir, "s.db"));
  const outbox = new Outbox(db, "Asia/Shanghai");
  const overrides = new OverrideStore(db);
  const readings = new ReadingStore(db);
  const aggregates = new AggregateStore(db, readings, "Asia/Shanghai");
  const receiver = new PlatformReceiver({ keep: true, ...opts.receiver });
  const port = await receiver.start();
  const cfg = platformSchema.parse({ id: "city", host: "127.0.0.1", port, st: 22, pw: PW, protocol: "hj212-2025", ack_timeout_s: 0.3, reconnect_max_s: 1, heartbeat_s: 0, ...opts.platform });
  overrides.applyTo(cfg);
  const logs: string[] = [];
  const log = createLogger({ level: "debug", write: (l) => void logs.push(l) });
  const keyStore = new Sm4KeyStore(join(dir, KEY_FILE), opts.now).load();
  const audit: LinkHarness["audit"] = [];
  const events = new EventBus();
  const handler = new RequestHandler({
    log, tz: "Asia/Shanghai", outbox, aggregates, overrides, lookup: () => undefined,
    audit: { append: (e) => audit.push(e) },
    ...opts.deps,
  }, commands2025);
  const session = new PlatformSession(cfg, { outbox, events, log, stationMn: MN, keyStore, onRequest: (f, s) => handler.handle(f, s) });
  return {
    dir, db, outbox, overrides, keyStore, receiver, session, events, logs, audit,
    async connect() {
      session.start();
      await waitFor(() => session.connected && receiver.connections > 0, 5000, "station connected");
    },
    async ask(cn, cp, o = {}) {
      const qn = receiver.request({ cn, cp, pw: session.cfg.pw, mn: o.mn ?? session.mn, flag: o.flag ?? 9 });
      const answers = () => receiver.answersTo(qn).map((p) => p.frame.header.cn!);
      const until = o.until ?? ((cns: string[]) => cns.includes("9012") || cns.includes("9013"));
      await waitFor(() => until(answers()), 5000, `answers to CN=${cn}`);
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
