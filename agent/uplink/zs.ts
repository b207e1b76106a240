// Converted concentrations (折算, HJ 212 `-Zs…` fields) of a pollution source, per HJ 75-2017: the
// measured concentration referred to the source type's reference O2,
//   Zs = C × (21 − O2ref) / (21 − O2),
// with C on a dry basis (a wet reading is C / (1 − Xsw), Xsw the flue gas humidity). Realtime uses the
// O2 reading of the same packet; minute/hour/day use the period's average O2 for Min, Avg and Max, as a
// CEMS data processor computes the period's converted value from its averages. Pure.
import type { ChannelRef, Aggregate, Reading } from "../types.js";
import { formatValue } from "./hj212/cp.js";

export type { ChannelRef } from "../types.js";

/** A channel's converted-concentration settings (channel keys reference_o2, o2_channel, basis, humidity_channel). */
export interface ZsSpec {
  /** Reference O2 of the source type, %. */
  referenceO2: number;
  o2: ChannelRef;
  basis: "dry" | "wet";
  /** Flue gas humidity (%), for a wet-basis concentration. */
  humidity?: ChannelRef;
}

/** (21 − O2ref) / (21 − O2), or null when O2 cannot be used (no value, at or above 21 %, negative). */
export function zsFactor(o2: number | null | undefined, referenceO2: number): number | null {
  if (o2 === null || o2 === undefined || !Number.isFinite(o2) || o2 < 0 || o2 >= 21) return null;
  return (21 - referenceO2) / (21 - o2);
}

/** The dry-basis factor: 1 on a dry basis, 1 / (1 − H/100) on a wet one (null without a usable humidity). */
function dryFactor(spec: ZsSpec, humidity: number | null | undefined): number | null {
  if (spec.basis === "dry") return 1;
  if (humidity === null || humidity === undefined || !Number.isFinite(humidity) || humidity < 0 || humidity >= 100) return null;
  return 1 / (1 - humidity / 100);
}

const same = (ref: ChannelRef) => (x: { analyzer: string; channel: string }) => x.analyzer === ref.analyzer && x.channel === ref.channel;

/** `<code>-ZsRtd=…` for an uploaded value (already converted), from the packet's O2 reading; [] when there is none. */
export function zsRealtime(code: string, value: number | null, spec: ZsSpec | undefined, readings: readonly Reading[]): string[] {
  if (!spec || value === null) return [];
  const f = zsFactor(readings.find(same(spec.o2))?.value, spec.referenceO2);
  const d = dryFactor(spec, spec.humidity ? readings.find(same(spec.humidity))?.value : null);
  return f === null || d === null ? [] : [`${code}-ZsRtd=${formatValue(value * d * f)}`];
}

/** `<code>-ZsMin/-ZsAvg/-ZsMax` for a period's uploaded min/avg/max, from the period's average O2. */
export function zsPeriod(code: string, v: { min: number; avg: number; max: number }, spec: ZsSpec | undefined, group: readonly Aggregate[]): string[] {
  if (!spec) return [];
  const f = zsFactor(group.find(same(spec.o2))?.avg, spec.referenceO2);
  const d = dryFactor(spec, spec.humidity ? group.find(same(spec.humidity))?.avg : null);
  if (f === null || d === null) return [];
  const k = f * d;
  return [`${code}-ZsMin=${formatValue(v.min * k)}`, `${code}-ZsAvg=${formatValue(v.avg * k)}`, `${code}-ZsMax=${formatValue(v.max * k)}`];
}
