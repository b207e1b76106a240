// Sound levels are logarithmic: they are averaged as energy, not arithmetically (GB 3096-2008,
// GB 3785). Pure functions over levels in dB.

/** Equivalent continuous level of equally long samples: Leq = 10·log10(mean(10^(L/10))). */
export function energyMean(levels: readonly number[]): number | null {
  if (!levels.length) return null;
  let s = 0;
  for (const l of levels) s += 10 ** (l / 10);
  return 10 * Math.log10(s / levels.length);
}

/**
 * Statistical levels: Lx is the level exceeded x % of the time, i.e. the (100 − x)th percentile
 * (L10 is near the peaks, L90 the background). Nearest-rank on the sorted samples.
 */
export function percentileLevels(levels: readonly number[]): Record<"L5" | "L10" | "L50" | "L90" | "L95", number> | null {
  if (!levels.length) return null;
  const s = [...levels].sort((a, b) => a - b);
  const at = (exceededPct: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(((100 - exceededPct) / 100) * s.length) - 1))];
  return { L5: at(5), L10: at(10), L50: at(50), L90: at(90), L95: at(95) };
}

/** Day time in local hours [start, end): GB 3096-2008 §3.2 says 06–22 unless local rules differ. */
export interface DayHours {
  start: number;
  end: number;
}
export const DEFAULT_DAY_HOURS: DayHours = { start: 6, end: 22 };

export const isDayHour = (h: number, d: DayHours = DEFAULT_DAY_HOURS): boolean => (d.start <= d.end ? h >= d.start && h < d.end : h >= d.start || h < d.end);

/**
 * Day and night levels of one calendar day from its hourly Leq values keyed by local hour, and
 * Ldn with the 10 dB night penalty, weighted by the hours of each:
 * Ldn = 10·log10((hd·10^(Ld/10) + hn·10^((Ln+10)/10)) / 24) (16 and 8 with 06–22).
 */
export function dayNightLevels(hourly: ReadonlyMap<number, number>, d: DayHours = DEFAULT_DAY_HOURS): { Ld: number | null; Ln: number | null; Ldn: number | null } {
  const day: number[] = [];
  const night: number[] = [];
  for (const [h, l] of hourly) (isDayHour(h, d) ? day : night).push(l);
  const Ld = energyMean(day);
  const Ln = energyMean(night);
  let hd = 0;
  for (let h = 0; h < 24; h++) if (isDayHour(h, d)) hd++;
  const Ldn = Ld === null || Ln === null ? null : 10 * Math.log10((hd * 10 ** (Ld / 10) + (24 - hd) * 10 ** ((Ln + 10) / 10)) / 24);
  return { Ld, Ln, Ldn };
}

/**
 * The statistics of a set of samples under a prefix ("" for the whole period, "day."/"night."
 * for a day's two parts): L5…L95 (percentiles), LMx and LMn (extremes). Leq is the aggregate's avg.
 */
export function sampleStats(samples: readonly number[], prefix = ""): Record<string, number> {
  const p = percentileLevels(samples);
  if (!p) return {};
  let max = -Infinity;
  let min = Infinity;
  for (const v of samples) {
    if (v > max) max = v;
    if (v < min) min = v;
  }
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(p)) out[prefix + k] = v;
  out[`${prefix}LMx`] = max;
  out[`${prefix}LMn`] = min;
  return out;
}

/** Noise channels: by configuration, else by a unit in decibels. */
export function isSoundLevel(unit: string, configured?: boolean): boolean {
  return configured ?? /^db/i.test(unit.trim());
}
