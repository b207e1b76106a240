// Pure builders of upload CP content: realtime (2011) from readings, N-minute/hour/day from aggregates.
// Unit conversion configured per channel is applied here, just before upload; stored values stay
// in the instrument's unit.
import type { Aggregate, Reading } from "../types.js";
import { formatHj212Time } from "../time.js";
import { formatValue } from "./hj212/cp.js";
import { zsPeriod, zsRealtime, type ZsSpec } from "./zs.js";
import { couItems, type CouSpec } from "../aggregate/totals.js";
import { noiseItems } from "./noise-cp.js";

/** How one analyzer channel is uploaded, from config: under which code, converted how. */
export interface UploadChannel {
  code: string;
  scale: number;
  offset: number;
  /** Converted concentration (-Zs…) settings of a pollution-source channel (uplink/zs.ts). */
  zs?: ZsSpec;
  /** Totals (-Cou) of a flow or of a pollutant tied to a flow (aggregate/totals.ts). */
  cou?: CouSpec;
  /** A sound level: minute/hour/day data as the noise items of HJ 212-2017 Table 4 (noise-cp.ts). */
  noise?: boolean;
}
export type ChannelLookup = (analyzer: string, channel: string) => UploadChannel | undefined;

const conv = (v: number | null, c: UploadChannel): number | null => (v === null ? null : v * c.scale + c.offset);

/** Realtime CP: `DataTime=…;code-Rtd=v,code-Flag=F;…`. Channels without a code are not uploaded. */
export function realtimeCp(readings: readonly Reading[], dataTime: number, tz: string, lookup: ChannelLookup): string | null {
  const items: string[] = [];
  for (const r of readings) {
    const c = lookup(r.analyzer, r.channel);
    if (!c || !c.code) continue;
    const v = conv(r.value, c);
    const parts = v === null ? [] : [`${c.code}-Rtd=${formatValue(v)}`];
    parts.push(...zsRealtime(c.code, v, c.zs, readings));
    parts.push(`${c.code}-Flag=${r.flag}`);
    items.push(parts.join(","));
  }
  if (!items.length) return null;
  return [`DataTime=${formatHj212Time(dataTime, tz)}`, ...items].join(";");
}

/**
 * Minute/hour/day CP: `DataTime=…;code-Min=…,code-Avg=…,code-Max=…,code-Flag=…;…`; a sound level
 * as `L5-Data=…;…;LMn-Data=…;code-Flag=…` (C.26–C.28).
 */
export function aggregateCp(aggs: readonly Aggregate[], tz: string, lookup: ChannelLookup): string | null {
  if (!aggs.length) return null;
  const items: string[] = [];
  for (const a of aggs) {
    const c = lookup(a.analyzer, a.channel);
    if (!c || !c.code) continue;
    if (c.noise) {
      items.push(...noiseItems(a, (v) => conv(v, c)), `${c.code}-Flag=${a.flag}`);
      continue;
    }
    const parts: string[] = [];
    const min = conv(a.min, c);
    const avg = conv(a.avg, c);
    const max = conv(a.max, c);
    // A scale below zero would swap min and max; keep them in order.
    if (min !== null && max !== null) {
      parts.push(`${c.code}-Min=${formatValue(Math.min(min, max))}`);
      parts.push(`${c.code}-Avg=${formatValue(avg as number)}`);
      parts.push(`${c.code}-Max=${formatValue(Math.max(min, max))}`);
      parts.push(...zsPeriod(c.code, { min: Math.min(min, max), avg: avg as number, max: Math.max(min, max) }, c.zs, aggs));
    }
    parts.push(...couItems(c.code, a, avg, c.cou, aggs, (ref) => lookup(ref.analyzer, ref.channel)));
    parts.push(`${c.code}-Flag=${a.flag}`);
    items.push(parts.join(","));
  }
  if (!items.length) return null;
  return [`DataTime=${formatHj212Time(aggs[0].periodStart, tz)}`, ...items].join(";");
}

/**
 * HJ 212-2017 equipment run state (RS, carried by 2021): 0 stopped, 1 running, 2 calibration,
 * 3 maintenance, 4 alarm (5 backflush). This is the RS table, not Table B.10: an analyzer's working
 * state i12001 (0 running, 1 maintenance…) is sent by 3020 (field-info.ts, working-state.ts).
 */
export const RUN_STATE: Record<string, number> = { N: 1, F: 0, C: 2, M: 3, S: 1, D: 4, T: 4, B: 4 };

/** Status CP (2021): `DataTime=…;code-RS=1;…`, one item per uploaded channel, from its latest reading. */
export function statusCp(readings: readonly Reading[], dataTime: number, tz: string, lookup: ChannelLookup): string | null {
  const items = new Map<string, string>();
  for (const r of readings) {
    const c = lookup(r.analyzer, r.channel);
    if (!c || !c.code || items.has(c.code)) continue;
    items.set(c.code, `${c.code}-RS=${RUN_STATE[r.flag] ?? 4}`);
  }
  if (!items.size) return null;
  return [`DataTime=${formatHj212Time(dataTime, tz)}`, ...items.values()].join(";");
}

/**
 * Equipment run-time day data (2041): `DataTime=…;<equipment>-RT=<hours>;…`. The equipment code
 * is the analyzer's `equipment` option, else its id; hours are the minutes it answered, / 60.
 */
export function runtimeCp(runMinutes: ReadonlyMap<string, number>, dayStart: number, tz: string, equipment: (analyzer: string) => string): string | null {
  const items = [...runMinutes].map(([a, m]) => `${equipment(a)}-RT=${formatValue(m / 60, 2)}`);
  return items.length ? [`DataTime=${formatHj212Time(dayStart, tz)}`, ...items].join(";") : null;
}
