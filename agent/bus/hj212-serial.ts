// From HJ 212 frames an instrument sent by itself to Readings (driver kind "hj212", drivers/hj212-serial.ts).
// frameReadings is pure; pollHj212 takes what the port received since the last poll. The codec is the
// uplink's own (agent/uplink/hj212/), used as it is: CRC checked, tolerant of the named quirks.
import type { AnalyzerConfig } from "../../config/schema.js";
import type { Hj212SerialDefinition } from "../../drivers/types.js";
import { NO_ANSWER_STATE, OK_STATE } from "../../drivers/types.js";
import { DEFAULT_TZ, parseHj212Time } from "../time.js";
import { HJ212_FLAGS, type Hj212Flag, type Reading } from "../types.js";
import { decodeFrame, type Quirk } from "../uplink/hj212/codec.js";
import { parseCp } from "../uplink/hj212/cp.js";
import { BadResponseError, BusClosedError, DeviceTimeoutError } from "./errors.js";
import type { Hj212Port } from "./hj212-port.js";
import type { PollOutcome } from "./poll.js";

export interface Hj212Plan {
  analyzer: AnalyzerConfig;
  driver: Hj212SerialDefinition;
  source: string;
  timezone: string;
  /** Channels seen so far (and the configured ones): what a silent poll reports B for. */
  seen: Map<string, string>;
  /** Frames taken, frames dropped (bad CRC, unparsable), quirks accepted, by name. */
  stats: { frames: number; garbled: number; quirks: Partial<Record<Quirk, number>>; lastError: string | null };
}

export function planHj212(analyzer: AnalyzerConfig, driver: Hj212SerialDefinition): Hj212Plan {
  const seen = new Map<string, string>();
  for (const [name, c] of Object.entries(analyzer.channels)) if (c.enabled !== false) seen.set(name, c.code ?? name);
  return {
    analyzer,
    driver,
    source: `${driver.id}@${driver.version}`,
    timezone: String(analyzer.options.timezone ?? DEFAULT_TZ),
    seen,
    stats: { frames: 0, garbled: 0, quirks: {}, lastError: null },
  };
}

const FLAGS = new Set<string>(HJ212_FLAGS);

/**
 * The readings of one frame: every `<code>-Rtd` with its `<code>-Flag` (N when absent, an unknown
 * letter is D) at the frame's DataTime (else `now`). Throws Hj212FrameError / Hj212CpError on a
 * frame that cannot be accepted (bad CRC, broken structure).
 */
export function frameReadings(plan: Hj212Plan, frame: Buffer | string, now = Date.now()): Reading[] {
  const decoded = decodeFrame(frame, { tolerant: true });
  for (const q of decoded.quirks) plan.stats.quirks[q] = (plan.stats.quirks[q] ?? 0) + 1;
  const { fields } = parseCp(decoded.cp);
  let ts = now;
  const dataTime = fields.get("DataTime");
  if (dataTime) {
    try {
      ts = parseHj212Time(dataTime.replace(/[^0-9]/g, "").slice(0, 14), plan.timezone);
    } catch {
      ts = now; // an unreadable DataTime: the time it arrived
    }
  }
  const readings: Reading[] = [];
  for (const [key, text] of fields) {
    const m = /^([A-Za-z0-9]+)-Rtd$/.exec(key);
    if (!m) continue;
    const sent = m[1];
    const cfg = plan.analyzer.channels[sent];
    if (cfg?.enabled === false) continue;
    const n = Number(text);
    const flagText = fields.get(`${sent}-Flag`);
    const flag: Hj212Flag = flagText === undefined ? "N" : FLAGS.has(flagText) ? (flagText as Hj212Flag) : "D";
    const code = cfg?.code ?? sent;
    plan.seen.set(sent, code);
    readings.push({
      ts,
      analyzer: plan.analyzer.id,
      channel: sent,
      code,
      value: text !== "" && Number.isFinite(n) ? n : null,
      unit: cfg?.unit ?? "",
      flag,
      state: flag === "N" ? OK_STATE.state : `sent-${flag}`,
      raw: Buffer.from(`${key}=${text}${flagText === undefined ? "" : `,${sent}-Flag=${flagText}`}`, "latin1"),
      source: plan.source,
    });
  }
  return readings;
}

/** B readings for every channel seen so far (silence, a closed port). */
export function noAnswerHj212(plan: Hj212Plan, ts: number): Reading[] {
  return [...plan.seen].map(([channel, code]) => ({
    ts, analyzer: plan.analyzer.id, channel, code, value: null, unit: plan.analyzer.channels[channel]?.unit ?? "",
    flag: NO_ANSWER_STATE.flag, state: NO_ANSWER_STATE.state, raw: null, source: plan.source,
  }));
}

/** Takes the frames received since the last poll (waiting up to timeoutMs for one when there are none). */
export async function pollHj212(port: Hj212Port, plan: Hj212Plan, timeoutMs: number): Promise<PollOutcome> {
  let frames = port.take();
  if (frames.length === 0) {
    if (!port.isOpen) return fail(plan, new BusClosedError({ bus: port.bus, detail: "reopening" }));
    await port.wait(timeoutMs);
    frames = port.take();
  }
  const readings: Reading[] = [];
  for (const frame of frames) {
    plan.stats.frames++;
    try {
      readings.push(...frameReadings(plan, frame));
    } catch (e) {
      // A garbled frame is counted and dropped, never a crash; the next one may be fine.
      plan.stats.garbled++;
      plan.stats.lastError = (e as Error).message;
    }
  }
  if (readings.length === 0) {
    const ctx = { bus: port.bus, slave: plan.analyzer.slave };
    return fail(plan, frames.length ? new BadResponseError({ ...ctx, detail: `${frames.length} frame(s) dropped: ${plan.stats.lastError}` }) : new DeviceTimeoutError({ ...ctx, timeoutMs }));
  }
  return { ok: true, readings, state: { ...OK_STATE, active: [] } };
}

function fail(plan: Hj212Plan, error: Error): PollOutcome {
  return { ok: false, readings: noAnswerHj212(plan, Date.now()), error };
}
