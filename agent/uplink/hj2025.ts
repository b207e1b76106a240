// What the station does on its own towards HJ 212-2025 platforms: it tells a platform its hardware
// ids (1001) when it connects, uploads each standard check as it completes (2062), and raises an
// alarm when a platform's SM4 key is older than 90 days (§6.4.3). start()/stop() own the listener
// and the timer; the commands a platform sends are in commands-2025.ts.
import type { EventBus } from "../events.js";
import type { Logger } from "../log.js";
import { flagBits, buildSegment } from "./hj212/codec.js";
import { standardCheckCp, type StandardCheckRecord } from "./commands-2025.js";
import { hardwareIdsCp, type HardwareIds } from "./hardware-ids.js";
import { KEY_MAX_AGE_MS } from "./keys.js";
import type { Outbox } from "./outbox.js";
import type { PlatformSession } from "./session.js";

export interface KeyAgeAlarms {
  raise(o: { kind: "sm4-key-old"; subject: string; message: string; value?: number }): void;
  clear(kind: "sm4-key-old", subject: string): void;
}

export interface Hj2025Deps {
  sessions: () => Iterable<PlatformSession>;
  events: EventBus;
  outbox: Outbox;
  log: Logger;
  tz: string;
  hardwareIds: () => HardwareIds;
  alarms?: () => KeyAgeAlarms | null | undefined;
  now?: () => number;
}

const is2025 = (s: PlatformSession) => s.cfg.protocol === "hj212-2025";

export class Hj2025Station {
  private off: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: Hj2025Deps) {}

  start(): void {
    this.off = this.deps.events.on("platformConnected", (id) => {
      const s = [...this.deps.sessions()].find((x) => x.cfg.id === id);
      if (s && is2025(s)) this.identify(s);
    });
    this.checkKeyAges();
    this.timer = setInterval(() => this.checkKeyAges(), 6 * 3600_000);
    this.timer.unref();
  }

  stop(): void {
    this.off?.();
    this.off = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** 1001: the data logger's hardware ids, asking for the platform's 9013; the platform assigns the MN from them (1002). */
  identify(s: PlatformSession): void {
    const seg = buildSegment(
      { qn: this.deps.outbox.nextQn(), st: s.cfg.st, cn: "1001", pw: s.cfg.pw, mn: s.mn, flag: flagBits(s.cfg.protocol, { ack: true }) },
      hardwareIdsCp(this.deps.hardwareIds()),
    );
    if (s.sendSegment(seg)) this.deps.log.info(`platform ${s.cfg.id}: hardware ids sent (1001)`);
  }

  /** 2062 for each 2025 platform, through the outbox (acknowledged, kept across outages). */
  queueStandardCheck(r: StandardCheckRecord): void {
    const ids = [...this.deps.sessions()].filter(is2025).map((s) => s.cfg.id);
    if (!ids.length) return;
    try {
      this.deps.outbox.enqueue(ids.map((platform) => ({ platform, cn: "2062", dataTime: r.started, cp: standardCheckCp(r, this.deps.tz), ackRequired: true })));
      for (const id of ids) this.deps.events.emit("packetsQueued", id, 1);
    } catch (err) {
      this.deps.log.error(`standard check of ${r.analyzer} not queued for upload (2062): ${(err as Error).message}`);
    }
  }

  /** §6.4.3: keys are changed every 90 days; an older one is an alarm (cleared by the next 1014 or a new configured key). */
  checkKeyAges(now = (this.deps.now ?? Date.now)()): void {
    const alarms = this.deps.alarms?.();
    for (const s of this.deps.sessions()) {
      const info = s.codec.crypto.info();
      if (info.source === "none") continue;
      const subject = `platform ${s.cfg.id}`;
      const ageDays = info.since === null ? null : Math.floor((now - info.since) / 86_400_000);
      if (info.since !== null && now - info.since > KEY_MAX_AGE_MS) {
        const message = `the SM4 key of platform ${s.cfg.id} is ${ageDays} days old (${info.source === "platform" ? "sent by the platform" : "from the configuration"}); HJ 212-2025 §6.4.3 asks for a new key every 90 days`;
        if (alarms) alarms.raise({ kind: "sm4-key-old", subject, message, value: ageDays ?? undefined });
        else this.deps.log.warn(message);
      } else alarms?.clear("sm4-key-old", subject);
    }
  }
}
