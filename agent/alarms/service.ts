// Alarm conditions, evaluated on a timer from what the store holds (the poll loop is never asked):
// exceedances on hour values or a rolling mean, instruments in a fault state or silent for too long,
// low disk. Door and calibration alarms arrive as calls (door(), raise()/clear()). Every change goes
// through AlarmLog (stored, de-duplicated, audited); the notifier then sends it on.
import { dirname } from "node:path";
import type { StationConfig } from "../../config/schema.js";
import type { Logger } from "../log.js";
import { freePercent } from "../store/disk-guard.js";
import type { ReadingStore } from "../store/readings.js";
import type { Aggregate, StoredReading } from "../types.js";
import type { ChannelLookup } from "../uplink/packets.js";
import { exceeds, heldSince, mean, type AlarmKind } from "./state.js";
import type { AlarmLog, Observation } from "./store.js";
import { StateWindow } from "./state-window.js";

export interface AlarmServiceDeps {
  cfg: StationConfig;
  alarms: AlarmLog;
  readings: ReadingStore;
  aggregates: { list(periodS: number, from: number, to: number): Aggregate[] };
  /** Readings with their effective flag (QC applied): exceedances count valid (N) values only. */
  effective: (rows: StoredReading[]) => StoredReading[];
  /** Upload conversion of a channel: thresholds are in the uploaded unit. */
  lookup: ChannelLookup;
  log: Logger;
  /** Free space (%) of the filesystem holding a directory, null where unknown (default: statfs, store/disk-guard.ts). */
  freePct?: (dir: string) => number | null;
  /** Called after a raise or clear (the notifier sends it at once). */
  onChange?: () => void;
}

export class AlarmService {
  private timer: NodeJS.Timeout | null = null;
  /** Each analyzer's states over the fault and comms windows (state-window.ts). */
  private readonly states = new StateWindow();
  /** Start of the window at the last check. */
  private windowFrom = -Infinity;

  constructor(private readonly deps: AlarmServiceDeps) {}

  start(): void {
    const every = this.deps.cfg.alarms.check_interval_s * 1000;
    this.timer = setInterval(() => this.check(), every);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  raise(o: Observation, now = Date.now()): void {
    this.apply(o, true, now);
  }

  clear(kind: AlarmKind, subject: string, now = Date.now()): void {
    this.apply({ kind, subject, message: "" }, false, now);
  }

  /** The door contact (agent/health/gpio.ts onDoor) changed. */
  door(open: boolean, now = Date.now()): void {
    this.apply({ kind: "door-open", subject: "station", message: "the station door is open" }, open, now);
  }

  /** Evaluates every condition once. Never throws: a failing check is logged and tried at the next tick. */
  check(now = Date.now()): void {
    try {
      this.instruments(now);
      this.exceedances(now);
      this.disk(now);
    } catch (err) {
      this.deps.log.error(`alarm check failed: ${(err as Error).message}`);
    }
  }

  private apply(o: Observation, active: boolean, now: number): void {
    const step = this.deps.alarms.observe(o, active, now);
    if (step === "raise") this.deps.log.warn(`ALARM ${o.kind} ${o.subject}: ${o.message}`);
    if (step === "clear") this.deps.log.info(`alarm cleared: ${o.kind} ${o.subject}`);
    if (step === "raise" || step === "clear") this.deps.onChange?.();
  }

  /** Fault state (D) or no answer (B) held for the configured minutes, per analyzer. */
  private instruments(now: number): void {
    const { cfg } = this.deps;
    const faultMs = cfg.alarms.fault_after_min * 60_000;
    const commsMs = cfg.alarms.comms_after_min * 60_000;
    const analyzers = cfg.analyzers.filter((a) => a.enabled);
    if (!analyzers.length) return;
    const lookback = Math.max(60_000, 3 * Math.max(...analyzers.map((a) => a.interval_s)) * 1000);
    const from = now - Math.max(faultMs, commsMs) - lookback;
    // Only the rows stored since the last check are read; the window keeps the rest.
    const w = this.states;
    // A window that starts earlier than the last one (the clock stepped back) may need rows already forgotten.
    if (from < this.windowFrom) w.reset();
    this.windowFrom = from;
    w.add(w.lastId === 0 ? this.deps.readings.statesFrom(from) : this.deps.readings.statesAfter(w.lastId));
    w.prune(from);
    for (const a of analyzers) {
      const series = w.series(a.id, from, now + 1);
      const fault = heldSince(series, (r) => r.flag === "D");
      const silent = heldSince(series, (r) => r.flag === "B");
      const minutes = (since: number | null) => (since === null ? null : Math.round((now - since) / 6000) / 10);
      const faultState = series.at(-1)?.state ?? "";
      this.apply({ kind: "equipment-fault", subject: a.id, analyzer: a.id, message: `${a.id} has reported a fault (${faultState}) for at least ${minutes(fault)} min`, value: minutes(fault) }, fault !== null && now - fault >= faultMs, now);
      this.apply({ kind: "comms-lost", subject: a.id, analyzer: a.id, message: `${a.id} has not answered for at least ${minutes(silent)} min`, value: minutes(silent) }, silent !== null && now - silent >= commsMs, now);
    }
  }

  /** Thresholds per code, on each analyzer channel uploaded under it. No value (no data yet): left as it is. */
  private exceedances(now: number): void {
    const rules = this.deps.cfg.alarms.exceedance;
    if (!rules.length) return;
    const hourly = rules.some((r) => r.basis === "hour") ? this.deps.aggregates.list(3600, now - 3 * 3600_000, now) : [];
    const longest = Math.max(0, ...rules.filter((r) => r.basis === "rolling").map((r) => r.window_min));
    const recent = longest ? this.deps.effective(this.deps.readings.between(now - longest * 60_000, now + 1)) : [];
    for (const rule of rules) {
      const values = new Map<string, { analyzer: string; value: number; at: number }>();
      const upload = (a: string, ch: string, v: number) => {
        const c = this.deps.lookup(a, ch);
        return v * (c?.scale ?? 1) + (c?.offset ?? 0);
      };
      if (rule.basis === "hour") {
        for (const g of hourly.filter((x) => x.code === rule.code && x.avg !== null)) values.set(`${g.analyzer}/${g.channel}`, { analyzer: g.analyzer, value: upload(g.analyzer, g.channel, g.avg!), at: g.periodStart });
      } else {
        const from = now - rule.window_min * 60_000;
        const by = new Map<string, { analyzer: string; channel: string; vs: number[] }>();
        for (const r of recent) {
          if (r.code !== rule.code || r.ts < from || r.flag !== "N" || r.value === null) continue;
          const k = `${r.analyzer}/${r.channel}`;
          const e = by.get(k) ?? { analyzer: r.analyzer, channel: r.channel, vs: [] };
          e.vs.push(r.value);
          by.set(k, e);
        }
        for (const [k, e] of by) values.set(k, { analyzer: e.analyzer, value: upload(e.analyzer, e.channel, mean(e.vs)!), at: now });
      }
      // One subject per rule: an hourly and a rolling rule on one code must not clear each other's alarm.
      const basis = rule.basis === "hour" ? "hour" : `${rule.window_min}min`;
      for (const v of values.values()) {
        const limit = rule.above !== undefined && v.value > rule.above ? `above ${rule.above}` : `below ${rule.below}`;
        const value = Number(v.value.toPrecision(6));
        this.apply(
          { kind: "exceedance", subject: `${rule.code}@${v.analyzer}/${basis}`, analyzer: v.analyzer, code: rule.code, value, message: `${rule.code} of ${v.analyzer} is ${value}, ${limit} (${rule.basis === "hour" ? "hour value" : `${rule.window_min} min mean`})` },
          exceeds(v.value, rule),
          now,
        );
      }
    }
  }

  private disk(now: number): void {
    const dir = dirname(this.deps.cfg.storage.path);
    const free = (this.deps.freePct ?? freePercent)(dir);
    if (free === null) return;
    const pct = Math.round(free * 10) / 10;
    const min = this.deps.cfg.alarms.disk_min_free_pct;
    this.apply({ kind: "disk-low", subject: dir, value: pct, message: `only ${pct} % free on the filesystem of ${dir} (alarm below ${min} %)` }, pct < min, now);
  }
}
