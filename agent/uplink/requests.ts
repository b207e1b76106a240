// What answers a platform's requests (commands.ts): the HJ 212-2025 parts (keys, 1001/2062
// uploads: wire-2025.ts), history backfill in bounded slices (history.ts), calibration by 3011,
// the clock (1012), field-machine info (3020) from what the station really knows, and the
// `resend` control command. Everything above the uplink in the flow (calibration results aside,
// which come back through onCheckResult) is reached through the functions in RequestSources.
import type { StationConfig } from "../../config/schema.js";
import { getDriver } from "../../drivers/index.js";
import { periodStartOf } from "../aggregate/periods.js";
import type { AggregateStore } from "../aggregate/store.js";
import type { AuditLog } from "../audit/log.js";
import type { BusPoller } from "../bus/poller.js";
import type { CalibrationService } from "../calibration/service.js";
import { CalibrationStore } from "../calibration/store.js";
import type { EventBus } from "../events.js";
import type { AuditSink } from "../feature.js";
import type { Logger } from "../log.js";
import type { QcStore } from "../qc/store.js";
import type { Db } from "../store/db.js";
import type { ReadingStore } from "../store/readings.js";
import { dirname, join } from "node:path";
import { analyzerChannels } from "./channels.js";
import { requestFileClock } from "./clock.js";
import { RequestHandler } from "./commands.js";
import type { Uplink } from "./delivery.js";
import { fieldInfoSource, type AuditReader } from "./field-info.js";
import type { KeyAgeAlarms } from "./hj2025.js";
import { HistoryRequests } from "./history.js";
import { instrumentClock } from "./instrument-clock.js";
import type { Outbox } from "./outbox.js";
import type { OverrideStore } from "./overrides.js";
import { runtimeCp, type ChannelLookup } from "./packets.js";
import { queueResend, RESEND_KINDS, type ResendKind } from "./resend.js";
import { PlatformSession } from "./session.js";
import type { StationInfoSources } from "./station-info.js";
import { hj2025Parts } from "./wire-2025.js";

/** The station as the request handlers read it; getters, since some parts start after the uplink. */
export interface RequestSources {
  cfg: StationConfig;
  tz: string;
  events: EventBus;
  log: Logger;
  lookup: ChannelLookup;
  db: Db;
  readings: ReadingStore;
  audit: AuditLog;
  qc: () => QcStore;
  aggregates: AggregateStore;
  outbox: Outbox;
  overrides: OverrideStore;
  sessions: ReadonlyMap<string, Uplink>;
  pollers: () => readonly BusPoller[];
  calibration: () => Pick<CalibrationService, "forPlatform"> | null | undefined;
  alarms: () => KeyAgeAlarms | null | undefined;
  /** The data disk is critical: the logger reports a fault. */
  diskCritical: () => boolean;
  doorOpen: () => boolean | null;
  host: NonNullable<StationInfoSources["host"]>;
}

/** What each configured analyzer is to a platform: its HJ 212 codes, its serial number. */
export function instrumentsOf(cfg: StationConfig, lookup: ChannelLookup) {
  return cfg.analyzers.map((a) => ({
    analyzer: a.id, driver: a.driver, sn: a.options.sn === undefined ? undefined : String(a.options.sn),
    codes: analyzerChannels(a).map((ch) => lookup(a.id, ch.name)?.code ?? "").filter(Boolean),
  }));
}

export function platformRequests(s: RequestSources) {
  const { cfg, tz, log, lookup, outbox, aggregates } = s;
  const audit: AuditSink = s.audit;
  const instruments = instrumentsOf(cfg, lookup);
  const codesOf = (id: string) => instruments.find((i) => i.analyzer === id)?.codes ?? [];
  const pollerStats = (analyzer: string) => s.pollers().map((p) => p.stats()[analyzer]).find(Boolean);
  const hj2025 = hj2025Parts({
    stateDir: dirname(cfg.storage.path), log, tz, outbox, events: s.events,
    sessions: () => [...s.sessions.values()].filter((x): x is PlatformSession => x instanceof PlatformSession),
    readingsBetween: (from, to, limit) => s.readings.between(from, to, limit),
    calibrations: () => new CalibrationStore(s.db).list({ limit: 1000 }),
    standardCheck: (pol) => s.calibration()?.forPlatform(pol, "standard") ?? 2,
    codesOf, alarms: s.alarms,
  });
  const runtime = (d: number) => runtimeCp(s.readings.runMinutes(d, d + 86_400_000), d, tz, (a) => String(cfg.analyzers.find((x) => x.id === a)?.options.equipment ?? a));
  const dayStart = (ms: number) => periodStartOf(ms, 86400, tz);
  const history = new HistoryRequests({
    log, tz, outbox, aggregates, lookup, runtime, dayStart, db: s.db,
    readings: (from, to) => s.qc().withEffectiveFlags(s.readings.between(from, to)),
  });
  const requests = new RequestHandler({
    ...hj2025.deps,
    log, tz, outbox, aggregates, lookup, overrides: s.overrides, audit,
    instruments, history, runtime, dayStart,
    instrumentClock: instrumentClock(cfg.analyzers, getDriver, (id) => s.pollers().find((p) => p.stats()[id])),
    // 3011: the PolId (code or analyzer id) → the analyzer's configured checks; ExeRtn when they end.
    calibrate: (pol, kind) => s.calibration()?.forPlatform(pol, kind) ?? 2,
    setClock: requestFileClock(join(dirname(cfg.storage.path), "settime.request"), log, { maxStepS: cfg.clock.max_step_s, audit }),
    // 3020: audit entries as logs, the latest readings' state, the settings each analyzer is polled with.
    fieldInfo: fieldInfoSource({
      station: {
        audit: () => s.audit as AuditReader | undefined,
        logger: () => ({ maintenance: s.qc().windows({ kind: "maintenance", open: true }).some((w) => w.analyzer === null), fault: s.diskCritical() }),
        uplinkOk: (p) => (p ? s.sessions.get(p)?.state().connected ?? false : false),
        channels: () => cfg.buses.map((b) => {
          const on = cfg.analyzers.filter((a) => a.bus === b.id && a.enabled);
          return !on.length ? 2 : on.some((a) => (pollerStats(a.id)?.consecutiveFailures ?? 0) > 0) ? 1 : 0;
        }),
        host: s.host,
        doorOpen: s.doorOpen,
      },
      analyzers: cfg.analyzers,
      codesOf,
      working: (id) => getDriver(cfg.analyzers.find((a) => a.id === id)?.driver ?? "")?.working,
      latest: (id) => {
        const now = Date.now();
        const every = cfg.analyzers.find((a) => a.id === id)?.interval_s ?? 10;
        return s.qc().withEffectiveFlags(s.readings.latest(now - Math.max(300, 10 * every) * 1000, now).filter((r) => r.analyzer === id));
      },
      audit: () => s.audit as AuditReader | undefined,
    }),
  }, hj2025.commands);
  return { hj2025, history, requests, instruments };
}

/** Control command `resend`: re-queues a range of stored data for one platform (see resend.ts). */
export function resendCommand(s: Pick<RequestSources, "cfg" | "tz" | "lookup" | "db" | "outbox" | "aggregates" | "sessions"> & { audit: AuditSink }) {
  return (_cmd: string, a: Record<string, unknown>): unknown => {
    const kind = String(a.kind ?? "minute") as ResendKind;
    if (!RESEND_KINDS.includes(kind)) throw new Error(`unknown kind "${kind}" (one of ${RESEND_KINDS.join(", ")})`);
    const r = queueResend(
      { outbox: s.outbox, aggregates: s.aggregates, lookup: s.lookup, tz: s.tz, platforms: s.cfg.platforms, transaction: (fn) => s.db.transaction(fn)() },
      { platform: String(a.platform), from: Number(a.from), to: Number(a.to), kind },
    );
    s.audit.append({ actor: String(a.actor ?? "cli"), action: "uplink.resend", reason: a.reason ? String(a.reason) : undefined, details: { ...r } });
    s.sessions.get(r.platform)?.kick();
    return r;
  };
}
