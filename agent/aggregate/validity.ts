// Validity rules of aggregates as presets, each naming its standard. Pure: resolving the rule of
// an analyzer and the number of valid parts a period needs are table-tested.
// An aggregate that misses its rule is still produced, flagged with its main cause's flag (HJ 212
// Table 8: B, M, C, D, F…; a configured letter instead for a platform that asks), and uploaded.
import type { StationConfig } from "../../config/schema.js";
import type { AggregationOverride } from "../../config/schema-qc.js";
import type { InvalidFlag } from "./compute.js";

export type Preset = "ambient-air" | "pollution-source" | "surface-water" | "noise" | "none";

export interface ValidityRule {
  preset: Preset;
  /** The standard the thresholds come from, shown in trace output. */
  standard: string;
  /** Valid readings a minute value needs. */
  minuteMinValid: number;
  /** Valid minute values an hour value needs. */
  hourMinValidMinutes: number;
  /** Valid hour values a day value needs. */
  dayMinValidHours: number;
  /** Valid hour values an 8-hour (O3) moving average needs. */
  eightHourMinValidHours: number;
  invalidFlag: InvalidFlag;
}

type PresetRule = Omit<ValidityRule, "invalidFlag" | "preset">;

/**
 * The numbers. Ambient air: GB 3095-2012 §7 (table 4) and HJ 663-2013 — an hourly mean needs 45
 * minutes of data, a daily mean 20 hourly means, an O3 8-hour mean 6 hourly means. Pollution
 * sources: HJ 75-2017 (CEMS) uses the same 45 minutes and 20 hours. Surface water: analyzers
 * measure once per 4 h cycle (HJ 915-2017), so an hour with one valid measurement is valid and a
 * day needs 4 of its 6 cycles (our reading of "most cycles"; configurable). Noise: HJ 906-2017
 * automatic monitoring with the air thresholds (75 % coverage).
 */
export const PRESETS: Readonly<Record<Preset, PresetRule>> = {
  "ambient-air": { standard: "HJ 663-2013 / GB 3095-2012", minuteMinValid: 1, hourMinValidMinutes: 45, dayMinValidHours: 20, eightHourMinValidHours: 6 },
  "pollution-source": { standard: "HJ 75-2017", minuteMinValid: 1, hourMinValidMinutes: 45, dayMinValidHours: 20, eightHourMinValidHours: 6 },
  "surface-water": { standard: "HJ 915-2017", minuteMinValid: 1, hourMinValidMinutes: 1, dayMinValidHours: 4, eightHourMinValidHours: 1 },
  noise: { standard: "GB 3096-2008 / HJ 906-2017", minuteMinValid: 1, hourMinValidMinutes: 45, dayMinValidHours: 20, eightHourMinValidHours: 6 },
  none: { standard: "none", minuteMinValid: 1, hourMinValidMinutes: 1, dayMinValidHours: 1, eightHourMinValidHours: 1 },
};

/** An analyzer's rule: its own aggregation keys over the station's, over the preset's numbers. */
export function resolveValidity(station: StationConfig["aggregation"], own?: AggregationOverride): ValidityRule {
  const preset = own?.preset ?? station.preset;
  const base = PRESETS[preset];
  // A station-level number belongs to the station's preset; an analyzer with a preset of its own starts from that preset.
  const st: AggregationOverride = own?.preset && own.preset !== station.preset ? {} : station;
  return {
    ...base,
    preset,
    minuteMinValid: own?.minute_min_valid ?? st.minute_min_valid ?? base.minuteMinValid,
    hourMinValidMinutes: own?.hour_min_valid_minutes ?? st.hour_min_valid_minutes ?? base.hourMinValidMinutes,
    dayMinValidHours: own?.day_min_valid_hours ?? st.day_min_valid_hours ?? base.dayMinValidHours,
    invalidFlag: station.invalid_flag,
  };
}

export function validityLookup(cfg: StationConfig): (analyzer: string) => ValidityRule {
  const memo = new Map<string, ValidityRule>();
  return (analyzer) => {
    let r = memo.get(analyzer);
    if (!r) memo.set(analyzer, (r = resolveValidity(cfg.aggregation, cfg.analyzers.find((a) => a.id === analyzer)?.aggregation)));
    return r;
  };
}

/**
 * Valid parts a period needs: readings for a minute, minutes for an hour, hours for a day. An
 * N-minute period (HJ 212 MinInterval) needs the hour's share of its minutes, rounded up
 * (45/60 → 4 of 5 minutes). Other lengths are built from minutes the same way.
 */
export function requiredValid(rule: ValidityRule, periodS: number): number {
  if (periodS <= 60) return rule.minuteMinValid;
  if (periodS === 3600) return rule.hourMinValidMinutes;
  if (periodS === 86400) return rule.dayMinValidHours;
  return Math.max(1, Math.ceil((rule.hourMinValidMinutes / 60) * (periodS / 60)));
}

/** The period an aggregate of `periodS` is built from: day from hours, everything else from minutes. */
export function sourcePeriod(periodS: number): number | null {
  if (periodS <= 60) return null; // minutes come from readings
  return periodS === 86400 ? 3600 : 60;
}

/** A sentence saying whether the rule was met, stored with the aggregate and shown by `trace`. */
export function validityNote(rule: ValidityRule, periodS: number, valid: number): string {
  const need = requiredValid(rule, periodS);
  const part = periodS <= 60 ? "readings" : periodS === 86400 ? "hours" : "minutes";
  return `${valid} valid ${part}, ${rule.standard} needs ${need}: ${valid >= need ? "valid" : "insufficient"}`;
}
