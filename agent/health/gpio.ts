// Raspberry Pi GPIO with `onoff`: door contact in, status LED out, analyzer power relays out.
// On a machine without GPIO (a PC, a VM, CI) the feature is off with one clear log line; nothing
// else changes. The `onoff` class is injectable because no real GPIO pin can exist off a Pi.
import type { GpioConfig } from "../../config/schema-field.js";
import type { Logger } from "../log.js";

export type LedPattern = "ok" | "comms-fault" | "uplink-down";

/** On/off durations (ms) of one LED cycle for each pattern, starting with "on". */
export const BLINK: Record<LedPattern, readonly number[]> = {
  ok: [100, 1900], // a slow heartbeat
  "comms-fault": [200, 200], // fast blink: an analyzer is not answering
  "uplink-down": [150, 150, 150, 1050], // double blink: a platform is unreachable
};

/** Which pattern the LED shows. An uplink that is down matters more than one silent analyzer. */
export function ledPattern(s: { analyzersFailing: number; platformsDown: number }): LedPattern {
  if (s.platformsDown > 0) return "uplink-down";
  if (s.analyzersFailing > 0) return "comms-fault";
  return "ok";
}

/**
 * Whether to power-cycle an analyzer now: it has not answered for `afterMin` minutes, and the
 * last cycle (if any) was at least as long ago, so a dead instrument is not cycled in a loop.
 */
export function shouldPowerCycle(lastOk: number | null, lastCycle: number | null, startedAt: number, afterMin: number, now: number): boolean {
  const silentSince = lastOk ?? startedAt;
  const limit = afterMin * 60_000;
  return now - silentSince >= limit && (lastCycle === null || now - lastCycle >= limit);
}

/** The part of onoff's Gpio the agent uses. */
export interface GpioPin {
  readSync(): 0 | 1;
  writeSync(v: 0 | 1): void;
  watch(cb: (err: Error | null | undefined, value: 0 | 1) => void): void;
  unexport(): void;
}
export interface GpioClass {
  new (pin: number, direction: "in" | "out" | "high" | "low", edge?: "both" | "none", opts?: { debounceTimeout?: number }): GpioPin;
  accessible: boolean;
}

export interface GpioDeps {
  log: Logger;
  /** The door opened (true) or closed (false). */
  onDoor?: (open: boolean) => void;
  /** An analyzer's power was cycled (for the audit trail). */
  onPowerCycle?: (analyzer: string, offS: number) => void;
  /** Last successful poll time of an analyzer, or null. */
  lastOk?: (analyzer: string) => number | null;
  /** What the LED should show now. */
  pattern?: () => LedPattern;
  /** How often relays check their analyzer (default 10 s). */
  relayCheckMs?: number;
}

export class StationGpio {
  private pins: GpioPin[] = [];
  private timers: NodeJS.Timeout[] = [];
  private ledTimer: NodeJS.Timeout | null = null;
  private readonly lastCycle = new Map<string, number>();
  available = false;
  doorOpen: boolean | null = null;

  constructor(
    private readonly cfg: GpioConfig | undefined,
    private readonly deps: GpioDeps,
    private readonly loadGpio: () => Promise<GpioClass> = async () => (await import("onoff")).Gpio as unknown as GpioClass,
  ) {}

  async start(now = Date.now()): Promise<void> {
    const cfg = this.cfg;
    if (!cfg || (!cfg.door && !cfg.led && !cfg.relays.length)) return;
    let Gpio: GpioClass;
    try {
      Gpio = await this.loadGpio();
    } catch (err) {
      this.deps.log.warn(`GPIO unavailable (${(err as Error).message}): door contact, status LED and relays are off`);
      return;
    }
    if (!Gpio.accessible) {
      this.deps.log.warn("no GPIO on this machine (/sys/class/gpio missing or not writable): door contact, status LED and relays are off");
      return;
    }
    this.available = true;
    if (cfg.door) this.startDoor(Gpio, cfg.door);
    if (cfg.led) this.startLed(Gpio, cfg.led.pin);
    for (const r of cfg.relays) this.startRelay(Gpio, r, now);
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    if (this.ledTimer) clearTimeout(this.ledTimer);
    this.ledTimer = null;
    for (const p of this.pins) {
      try {
        p.unexport();
      } catch {
        /* already released */
      }
    }
    this.pins = [];
  }

  private startDoor(Gpio: GpioClass, door: NonNullable<GpioConfig["door"]>): void {
    const pin = new Gpio(door.pin, "in", "both", { debounceTimeout: door.debounce_ms });
    this.pins.push(pin);
    const apply = (v: 0 | 1) => {
      const open = v === door.open_level;
      if (open === this.doorOpen) return;
      this.doorOpen = open;
      this.deps.log.info(`station door ${open ? "opened" : "closed"}`);
      this.deps.onDoor?.(open);
    };
    apply(pin.readSync());
    pin.watch((err, v) => {
      if (err) this.deps.log.warn(`door contact: ${err.message}`);
      else apply(v);
    });
  }

  private startLed(Gpio: GpioClass, pinNo: number): void {
    const pin = new Gpio(pinNo, "out");
    this.pins.push(pin);
    let step = 0;
    let pattern: LedPattern = "ok";
    const next = () => {
      if (step === 0) pattern = this.deps.pattern?.() ?? "ok";
      const seq = BLINK[pattern];
      pin.writeSync(step % 2 === 0 ? 1 : 0);
      this.ledTimer = setTimeout(next, seq[step]);
      this.ledTimer.unref();
      step = (step + 1) % seq.length;
    };
    next();
  }

  private startRelay(Gpio: GpioClass, r: GpioConfig["relays"][number], startedAt: number): void {
    const on: 0 | 1 = r.active_low ? 0 : 1;
    const off: 0 | 1 = r.active_low ? 1 : 0;
    const pin = new Gpio(r.pin, r.active_low ? "low" : "high"); // analyzer powered from the start
    this.pins.push(pin);
    const check = () => {
      const now = Date.now();
      if (shouldPowerCycle(this.deps.lastOk?.(r.analyzer) ?? null, this.lastCycle.get(r.analyzer) ?? null, startedAt, r.after_min, now)) {
        this.lastCycle.set(r.analyzer, now);
        this.deps.log.warn(`analyzer ${r.analyzer} silent for ${r.after_min} min: power-cycling it for ${r.off_s} s`);
        pin.writeSync(off);
        this.deps.onPowerCycle?.(r.analyzer, r.off_s);
        const t = setTimeout(() => pin.writeSync(on), r.off_s * 1000);
        this.timers.push(t);
      }
    };
    const t = setInterval(check, this.deps.relayCheckMs ?? 10_000);
    t.unref();
    this.timers.push(t);
  }
}
