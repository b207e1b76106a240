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

/**
 * Day (06–22) and night (22–06) levels of one calendar day from its hourly Leq values keyed by
 * local hour, and Ldn with the 10 dB night penalty: Ldn = 10·log10((16·10^(Ld/10) + 8·10^((Ln+10)/10)) / 24).
 */
export function dayNightLevels(hourly: ReadonlyMap<number, number>): { Ld: number | null; Ln: number | null; Ldn: number | null } {
  const day: number[] = [];
  const night: number[] = [];
  for (const [h, l] of hourly) (h >= 6 && h < 22 ? day : night).push(l);
  const Ld = energyMean(day);
  const Ln = energyMean(night);
  const Ldn = Ld === null || Ln === null ? null : 10 * Math.log10((16 * 10 ** (Ld / 10) + 8 * 10 ** ((Ln + 10) / 10)) / 24);
  return { Ld, Ln, Ldn };
}

/** Noise channels: by configuration, else by a unit in decibels. */
export function isSoundLevel(unit: string, configured?: boolean): boolean {
  return configured ?? /^db/i.test(unit.trim());
}
