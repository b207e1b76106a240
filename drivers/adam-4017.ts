// Advantech ADAM-4017+ style 8-channel analog input module (and compatible 4-20 mA modules), Modbus RTU.
// Map: instruments.md §11.3, from the ADAM-4000 Series User Manual Appendix G (4X 40001.. values),
// star.ke.st's ADAM-4017/4018/4019 page (AI ch0-7 at PDU 0-7) and the data-logger drivers
// Yimning/Daily-Code rtuacq_protocol_ai_4017rc.c / …modbus_ai_4017rc.c. Confidence M.
//
// FC03 registers 0..7 hold each channel's counts. Counts → mA by the input range set in the module,
// `options.input`: "pm20" (±20 mA, the default the loggers assume: mA = counts × 40 / 65535 − 20, so
// 4 mA = 39321) or "4-20" (mA = 4 + counts × 16 / 65535). mA → engineering value per channel:
//   options: {"ch0.min": 0, "ch0.max": 30, "ch0.unit": "m/s", "ch0.code": "a01011"}
// gives value = min + (mA − 4) / 16 × (max − min) (12 mA → 15.0). A channel without min/max is stored
// in mA and not uploaded; a code without a range is a config error. Below `loop_fault_ma` (3.8) the
// loop is open → D; above `over_range_ma` (20.5) → T. Ranges are signal scalings, not calibrations
// against the connected transmitter. The stored raw words are the counts.
import { defineModbusDriver, uint16 } from "./define.js";
import { WORK_STATE, type DriverOptions, type FieldDef } from "./types.js";
import type { Reading } from "../agent/types.js";

const CHANNELS = 8;
const INPUTS = ["pm20", "4-20"] as const;
const KEYS = new Set(["min", "max", "unit", "code"]);
const CODE = /^[A-Za-z0-9]{1,12}$/;

interface ChannelRange {
  min: number;
  max: number;
  unit: string;
  code: string;
}

/** The engineering range of channel n, or null when it has none (stored in mA). */
function rangeOf(options: DriverOptions, n: number): ChannelRange | null {
  const min = options[`ch${n}.min`];
  const max = options[`ch${n}.max`];
  if (typeof min !== "number" || typeof max !== "number") return null;
  return { min, max, unit: String(options[`ch${n}.unit`] ?? ""), code: String(options[`ch${n}.code`] ?? "") };
}

const countsField = (n: number, range: ChannelRange | null): FieldDef =>
  uint16({ channel: `ch${n}`, fc: 3, address: n, unit: range ? range.unit : "mA", code: range ? range.code : "",
    description: `Channel ${n} (${range ? `${range.min}..${range.max} ${range.unit} over 4-20 mA` : "mA, no range"})`,
    // 12 mA on the ±20 mA range; a test pins the counts it wants.
    sim: { base: 52428, noise: 30 } });

function problemsOf(options: DriverOptions): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(options)) {
    const m = /^ch(\d+)\.([a-z_]+)$/.exec(key);
    if (m) {
      const n = Number(m[1]);
      if (n >= CHANNELS) problems.push(`options."${key}": the module has channels ch0..ch${CHANNELS - 1}`);
      else if (!KEYS.has(m[2])) problems.push(`options."${key}": a channel takes min, max, unit and code`);
      else if ((m[2] === "min" || m[2] === "max") && !(typeof value === "number" && Number.isFinite(value)))
        problems.push(`options."${key}" must be a number (the engineering value at ${m[2] === "min" ? 4 : 20} mA), got ${JSON.stringify(value)}`);
      else if (m[2] === "code" && !(typeof value === "string" && CODE.test(value))) problems.push(`options."${key}" must be an HJ 212 code such as a01011, got ${JSON.stringify(value)}`);
      continue;
    }
    if (key === "input" && !(INPUTS as readonly unknown[]).includes(value)) problems.push(`options.input must be one of ${INPUTS.join(", ")} (the module's input range), got ${JSON.stringify(value)}`);
    if ((key === "loop_fault_ma" || key === "over_range_ma") && !(typeof value === "number" && value >= 0 && value <= 25)) problems.push(`options.${key} must be a number of mA from 0 to 25, got ${JSON.stringify(value)}`);
  }
  for (let n = 0; n < CHANNELS; n++) {
    const has = (k: string) => options[`ch${n}.${k}`] !== undefined;
    if (has("min") !== has("max")) problems.push(`options."ch${n}.${has("min") ? "max" : "min"}" is missing: a channel's range needs both min (at 4 mA) and max (at 20 mA)`);
    else if ((has("code") || has("unit")) && !has("min")) problems.push(`options."ch${n}.${has("code") ? "code" : "unit"}" needs a range: set "ch${n}.min" and "ch${n}.max" (the engineering values at 4 and 20 mA)`);
    else if (has("min") && options[`ch${n}.min`] === options[`ch${n}.max`]) problems.push(`options."ch${n}.min" and "ch${n}.max" must differ`);
  }
  return problems;
}

/** Counts → mA on the module's input range. */
export function countsToMa(counts: number, input: string): number {
  return input === "4-20" ? 4 + (counts * 16) / 65535 : (counts * 40) / 65535 - 20;
}

function derive(readings: Reading[], options: DriverOptions): Reading[] {
  const input = String(options.input ?? "pm20");
  const low = typeof options.loop_fault_ma === "number" ? options.loop_fault_ma : 3.8;
  const high = typeof options.over_range_ma === "number" ? options.over_range_ma : 20.5;
  return readings.map((r) => {
    const n = Number(r.channel.slice(2));
    if (r.value === null) return r;
    const ma = countsToMa(r.value, input);
    const range = rangeOf(options, n);
    const value = range ? range.min + ((ma - 4) / 16) * (range.max - range.min) : ma;
    // A loop fault is this channel's, not the module's: only its reading is flagged.
    const own = r.flag !== "N" ? null : ma < low ? { flag: "D" as const, state: "loop-open" } : ma > high ? { flag: "T" as const, state: "over-range" } : null;
    return { ...r, value: Math.round(value * 1e6) / 1e6, ...(own ?? {}) };
  });
}

export default defineModbusDriver({
  id: "adam-4017",
  version: 1,
  models: ["ADAM-4017+", "ADAM-4017", "4-20 mA AI modules on the ADAM map"],
  description: "8-channel 4-20 mA analog input module (ADAM-4017+ map; per-channel ranges in options)",
  fields: Array.from({ length: CHANNELS }, (_, n) => countsField(n, null)),
  // Working state (Table B.10, i12001): the module has no state; a channel's loop fault is its reading's flag.
  working: { normal: WORK_STATE.running },
  hooks: {
    fromOptions: (options) => ({ fields: Array.from({ length: CHANNELS }, (_, n) => countsField(n, rangeOf(options, n))), problems: problemsOf(options) }),
    derive,
  },
});
