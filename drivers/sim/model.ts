// One simulated instrument: the register and bit tables a driver definition implies, filled with
// plausible changing values (the fields' `sim` hints) and the controls tests use to misbehave it.
// Values are written with codec.encode, the same data the poller decodes with.
import { DEFAULT_TZ } from "../../agent/time.js";
import { decode, decodeBcdTime, encode, encodeBcdTime } from "../codec.js";
import { registerCount, type BitFc, type DriverDefinition, type FieldDef, type RegisterFc, type StateDef } from "../types.js";
import { prng } from "./prng.js";

/** A write the master made (calibration commands show up here). */
export interface WriteRecord {
  ts: number;
  fc: 5 | 6 | 15 | 16;
  address: number;
  values: number[] | boolean[];
}

/** What a test can do to one slave. */
export interface SlaveControls {
  /** Pin a channel to a value (null: back to the generated signal). */
  set(channel: string, value: number | null): void;
  /** Put the instrument in a state the driver defines ("zero", "fault"…), null for normal. */
  force(state: string | null): void;
  /** A dead slave never answers. */
  dead(on?: boolean): void;
  /** Answer this many ms late. */
  delay(ms: number): void;
  /** Answer every request with this Modbus exception code (null: answer normally). */
  exception(code: number | null): void;
  /** The value last served for a channel, exactly as the master decodes it. */
  lastServed(channel: string): number | undefined;
  /** Writes received, oldest first. */
  writes(): WriteRecord[];
}


function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

export class SimulatedDevice implements SlaveControls {
  isDead = false;
  delayMs = 0;
  exceptionCode: number | null = null;
  private forced: string | null = null;
  private readonly pinned = new Map<string, number>();
  private readonly served = new Map<string, number>();
  private readonly coils = new Map<number, boolean>();
  private readonly holding = new Map<number, number>();
  private readonly writeLog: WriteRecord[] = [];
  private readonly noise = new Map<string, () => number>();
  private readonly sampleTimes = new Map<string, number>();
  private readonly now: () => number;
  /** How far the instrument's clock is from `now` (set-clock). */
  private clockOffset = 0;
  private readonly t0: number;
  private readonly tz: string;

  constructor(
    readonly definition: DriverDefinition,
    opts: { seed?: number; now?: () => number; tz?: string } = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.tz = opts.tz ?? DEFAULT_TZ;
    this.t0 = this.now();
    const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 32);
    for (const f of definition.fields) this.noise.set(f.channel, prng(seed ^ hash(f.channel)));
  }

  set(channel: string, value: number | null): void {
    if (!this.definition.fields.some((f) => f.channel === channel))
      throw new Error(`${this.definition.id} has no channel "${channel}"`);
    if (value === null) this.pinned.delete(channel);
    else this.pinned.set(channel, value);
  }

  force(state: string | null): void {
    if (state !== null && !this.definition.states.some((s) => s.state === state))
      throw new Error(`${this.definition.id} defines no state "${state}" (has: ${[...new Set(this.definition.states.map((s) => s.state))].join(", ")})`);
    this.forced = state;
  }

  dead(on = true): void {
    this.isDead = on;
  }

  delay(ms: number): void {
    this.delayMs = ms;
  }

  exception(code: number | null): void {
    this.exceptionCode = code;
  }

  /**
   * Pin the sample time a field with `sampleTime` reports (null: back to the default, the start of the
   * current sampling cycle of `sim.sample_every_s`, default one hour, as a water analyzer measures hourly).
   */
  setSampleTime(channel: string, ms: number | null): void {
    if (!this.definition.fields.some((f) => f.channel === channel && f.sampleTime))
      throw new Error(`${this.definition.id} has no channel "${channel}" with a sample time`);
    if (ms === null) this.sampleTimes.delete(channel);
    else this.sampleTimes.set(channel, ms);
  }

  sampleTimeOf(f: FieldDef): number {
    const every = (f.sim?.sample_every_s ?? 3600) * 1000;
    return this.sampleTimes.get(f.channel) ?? Math.floor(this.now() / every) * every;
  }

  lastServed(channel: string): number | undefined {
    return this.served.get(channel);
  }

  writes(): WriteRecord[] {
    return [...this.writeLog];
  }

  /**
   * The states active now: the forced one, plus any whose same-named command is in force: its coil ON
   * (e.g. "zero"), or its value the last one written to its register (e.g. water-dbs "zero-check").
   */
  activeStates(): Set<string> {
    const active = new Set<string>();
    if (this.forced) active.add(this.forced);
    for (const [name, cmd] of Object.entries(this.definition.commands)) {
      if (cmd.kind === "coil" && this.coils.get(cmd.address) === true) active.add(name);
      if (cmd.kind === "register" && this.holding.get(cmd.address) === cmd.value) active.add(name);
    }
    return active;
  }

  /** The field's value now: pinned, or base + amplitude·sin(2πt/period) + gaussian noise. */
  valueOf(f: FieldDef): number {
    const pinned = this.pinned.get(f.channel);
    if (pinned !== undefined) return pinned;
    const hint = f.sim ?? { base: 0 };
    const t = (this.now() - this.t0) / 1000;
    let v = hint.base;
    if (hint.amplitude && hint.period_s) v += hint.amplitude * Math.sin((2 * Math.PI * t) / hint.period_s);
    if (hint.noise) {
      const rnd = this.noise.get(f.channel)!;
      // Box-Muller: one normal deviate from two uniforms.
      v += hint.noise * Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
    }
    return v;
  }

  readBits(fc: BitFc, address: number, count: number): boolean[] {
    const active = this.activeStates();
    const bits = new Array<boolean>(count).fill(false);
    for (const s of this.definition.states) {
      if (s.kind !== "bit" || s.fc !== fc || s.address < address || s.address >= address + count) continue;
      if (active.has(s.state) !== s.inverted) bits[s.address - address] = true;
    }
    if (fc === 1) for (const [a, v] of this.coils) if (a >= address && a < address + count) bits[a - address] = v;
    return bits;
  }

  readRegisters(fc: RegisterFc, address: number, count: number): number[] {
    const words = new Array<number>(count).fill(0);
    const active = this.activeStates();
    for (const s of this.definition.states) {
      if (s.kind !== "register" || s.fc !== fc || s.address < address || s.address >= address + count) continue;
      words[s.address - address] = applyRegisterState(words[s.address - address], s, active.has(s.state));
    }
    for (const f of this.definition.fields) {
      const n = registerCount(f.type);
      if (f.fc !== fc || f.address + n <= address || f.address >= address + count) continue;
      const value = this.valueOf(f);
      const encoded = encode(value, f.type, f.order, f.scale);
      encoded.forEach((w, i) => {
        const at = f.address + i - address;
        if (at >= 0 && at < count) words[at] = w;
      });
      if (f.address >= address && f.address + n <= address + count) this.served.set(f.channel, decode(encoded, f.type, f.order, f.scale));
    }
    for (const f of this.definition.fields) {
      const t = f.sampleTime;
      if (!t || t.fc !== fc || t.address + 3 <= address || t.address >= address + count) continue;
      encodeBcdTime(this.sampleTimeOf(f), this.tz).forEach((w, i) => {
        const at = t.address + i - address;
        if (at >= 0 && at < count) words[at] = w;
      });
    }
    if (fc === 3) for (const [a, v] of this.holding) if (a >= address && a < address + count) words[a - address] = v;
    // The instrument's clock runs from when it was last set.
    const clock = this.definition.clock?.read;
    if (clock && clock.fc === fc && clock.address + 3 > address && clock.address < address + count)
      encodeBcdTime(this.now() + this.clockOffset, this.tz).forEach((w, i) => {
        const at = clock.address + i - address;
        if (at >= 0 && at < count) words[at] = w;
      });
    return words;
  }

  writeCoils(fc: 5 | 15, address: number, values: boolean[]): void {
    values.forEach((v, i) => this.coils.set(address + i, v));
    this.writeLog.push({ ts: this.now(), fc, address, values });
  }

  writeRegisters(fc: 6 | 16, address: number, values: number[]): void {
    values.forEach((v, i) => this.holding.set(address + i, v));
    const set = this.definition.clock && this.definition.commands[this.definition.clock.set];
    if (set && set.kind === "register" && set.address === address && values[0] === set.value && values.length >= 4) {
      const at = decodeBcdTime(values.slice(1, 4), this.tz);
      if (at !== null) this.clockOffset = at - this.now();
    }
    this.writeLog.push({ ts: this.now(), fc, address, values });
  }
}

/** A register state's signal written into the register value (inverse of the poller's test). */
function applyRegisterState(word: number, s: Extract<StateDef, { kind: "register" }>, active: boolean): number {
  if (active === s.inverted) return word;
  const mask = s.mask ?? 0xffff;
  if (s.equals !== undefined) return ((word & ~mask) | (s.equals & mask)) & 0xffff;
  return (word | mask) & 0xffff;
}
