// From config to each channel's screening rules: the channel's qc, else qc.defaults, else the
// built-in defaults below. Pure, so the table of defaults is tested like any other table.
import type { StationConfig } from "../../config/schema.js";
import type { QcRulesConfig } from "../../config/schema-qc.js";
import type { ChannelRules, PmCheck, RuleName } from "./rules.js";

/** Units of concentrations, which cannot be negative beyond noise. */
const CONCENTRATION_UNIT = /^(ppb|ppm|ppt|nmol\/mol|µmol\/mol|umol\/mol|[µu]g\/m3|[µu]g\/m³|mg\/m3|mg\/m³|mg\/l|[µu]g\/l|ntu)$/i;

/**
 * Usual measuring ranges, so the range check is on without configuration. Keyed by code and
 * unit: a range in the wrong unit would flag every value. From the instrument specifications
 * in HJ 653-2021 (PM: 0–1000 µg/m³) and HJ 654-2013 (gases: SO2/NO2/O3 0–500 nmol/mol,
 * CO 0–50 µmol/mol), doubled for SO2/NO2/O3 (the specification is a minimum, instruments go further).
 */
const DEFAULT_RANGES: Record<string, readonly [number, number]> = {
  "a34004 ug/m3": [0, 1000],
  "a34002 ug/m3": [0, 1000],
  "a05024 ppb": [0, 1000],
  "a21026 ppb": [0, 1000],
  "a21004 ppb": [0, 1000],
  "a21002 ppb": [0, 2000],
  "a21005 ppm": [0, 50],
  "a01002 %": [0, 100],
  "a01008 °": [0, 360],
  "w01001 ph": [0, 14],
};

const normUnit = (u: string) => u.trim().toLowerCase().replace("µ", "u").replace("³", "3");

export function defaultRange(code: string, unit: string): readonly [number, number] | null {
  return DEFAULT_RANGES[`${code} ${normUnit(unit)}`] ?? null;
}

export const BUILTIN = { stuckCount: 60, stuckMinutes: 120 } as const;

/** The rules of one channel. `own` (the channel's qc) wins over `defaults` (qc.defaults), key by key. */
export function resolveRules(
  code: string,
  unit: string,
  own: QcRulesConfig | undefined,
  defaults: QcRulesConfig,
  flags: Record<RuleName, ChannelRules["flags"][RuleName]>,
): ChannelRules {
  const pick = <K extends keyof QcRulesConfig>(k: K): QcRulesConfig[K] => (own?.[k] !== undefined ? own[k] : defaults[k]);
  return {
    range: pick("range") ?? defaultRange(code, unit),
    negativeTolerance: pick("negative_tolerance") ?? (CONCENTRATION_UNIT.test(unit.trim()) ? 0 : null),
    stuckCount: pick("stuck_count") ?? BUILTIN.stuckCount,
    stuckMinutes: pick("stuck_minutes") ?? BUILTIN.stuckMinutes,
    maxRatePerMin: pick("max_rate_per_min") ?? null,
    flags,
  };
}

/** Rules lookup for a station: memoised per analyzer channel, code and unit. */
export function rulesLookup(cfg: StationConfig): (analyzer: string, channel: string, code: string, unit: string) => ChannelRules {
  // Nested maps, not a joined key: this runs for every reading, and building a key string per
  // reading cost more than the screening itself.
  const memo = new Map<string, Map<string, { code: string; unit: string; rules: ChannelRules }>>();
  return (analyzer, channel, code, unit) => {
    let byChannel = memo.get(analyzer);
    if (!byChannel) memo.set(analyzer, (byChannel = new Map()));
    const hit = byChannel.get(channel);
    if (hit && hit.code === code && hit.unit === unit) return hit.rules;
    const own = cfg.analyzers.find((a) => a.id === analyzer)?.channels[channel]?.qc;
    const rules = resolveRules(code, unit, own, cfg.qc.defaults, cfg.qc.flags);
    byChannel.set(channel, { code, unit, rules });
    return rules;
  };
}

export function pmCheck(cfg: StationConfig): PmCheck | null {
  const p = cfg.qc.pm_consistency;
  return p.enabled ? { tolerance: p.tolerance, absTolerance: p.abs_tolerance, windowS: p.window_s } : null;
}
