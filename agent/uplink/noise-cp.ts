// Noise data as HJ 212-2017 defines it (B.3 Table 4, C.26–C.28): codes L5 L10 L50 L90 L95 Leq LMx
// LMn Ldn Ld Ln, dB, N3.1. Minute and hour data (2051/2061) carry
//   L5-Data;L10-Data;L50-Data;L90-Data;L95-Data;Leq-Data;LMx-Data;LMn-Data
// day data (2031) adds Ldn-Data, and the same statistics of the day time as `-DayData` (with
// Ld-DayData) and of the night time as `-NightData` (with Ln-NightData). Realtime keeps LA-Rtd.
// The channel's flag follows as `<code>-Flag` (LA-Flag by default): the standard's examples show
// none, and a flag per statistic would say the same thing nine times.
import type { Aggregate } from "../types.js";

const PERCENTILES = ["L5", "L10", "L50", "L90", "L95"] as const;

/** N3.1: one decimal, always written ("53.0"), rounded half away from zero. */
export function dB(v: number): string {
  const r = Math.sign(v) * Math.round(Math.abs(v) * 10 + 1e-9) / 10;
  return (Object.is(r, -0) ? 0 : r).toFixed(1);
}

/** The CP items of one sound-level aggregate; `conv` applies the channel's upload conversion. */
export function noiseItems(a: Aggregate, conv: (v: number | null) => number | null): string[] {
  const s = a.stats ?? {};
  const items: string[] = [];
  const put = (code: string, suffix: string, v: number | null | undefined) => {
    const c = v === undefined ? null : conv(v);
    if (c !== null && Number.isFinite(c)) items.push(`${code}-${suffix}=${dB(c)}`);
  };
  const set = (prefix: string, suffix: string) => {
    for (const p of PERCENTILES) put(p, suffix, s[prefix + p]);
  };
  set("", "Data");
  put("Leq", "Data", a.avg);
  put("LMx", "Data", a.max);
  put("LMn", "Data", a.min);
  if (a.periodS === 86400) {
    put("Ldn", "Data", s.Ldn);
    set("day.", "DayData");
    put("LMx", "DayData", s["day.LMx"]);
    put("LMn", "DayData", s["day.LMn"]);
    put("Ld", "DayData", s.Ld);
    set("night.", "NightData");
    put("LMx", "NightData", s["night.LMx"]);
    put("LMn", "NightData", s["night.LMn"]);
    put("Ln", "NightData", s.Ln);
  }
  return items;
}
