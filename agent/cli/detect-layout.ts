// `probe --detect`: for an analyzer that reads nonsense, which address offset (−1, 0, +1) and word order
// (ABCD, CDAB, BADC, DCBA) make its float channels plausible. Reads only (nothing is written to the
// instrument): per float channel one window of 4 registers around its address, decoded every way.
// Ranking is pure: each channel's value scores 2 inside its plausible range (the channel's qc range,
// else the station default for its code and unit, else a range around the driver's typical value),
// 1 when it is merely a sane number (or exactly 0), 0 for NaN, infinities, denormals and absurd magnitudes.
import { decode } from "../../drivers/codec.js";
import { WORD_ORDERS, type DriverDefinition, type FieldDef, type WordOrder } from "../../drivers/types.js";
import type { AnalyzerConfig } from "../../config/schema.js";
import { defaultRange } from "../qc/config.js";
import type { Transport } from "../bus/transport.js";

export const OFFSETS = [-1, 0, 1] as const;

export interface Candidate {
  offset: number;
  order: WordOrder;
  score: number;
  /** Channels whose value is inside its plausible range. */
  plausible: number;
  values: Record<string, number | null>;
}

export interface Detection {
  channels: string[];
  candidates: Candidate[];
  /** The `options` lines to paste for the best candidate (empty when the map as configured wins). */
  options: Record<string, number | string>;
}

/** The plausible range of a field's value: qc range, station default, or around its typical value. */
export function plausibleRange(f: FieldDef, analyzer: Pick<AnalyzerConfig, "channels">): readonly [number, number] {
  const qc = analyzer.channels[f.channel]?.qc?.range;
  if (qc) return qc as [number, number];
  const known = defaultRange(f.code, f.unit);
  if (known) return known;
  const h = f.sim ?? { base: 0 };
  const span = Math.max(Math.abs(h.base), h.amplitude ?? 0, h.noise ?? 0, 1);
  return [Math.min(0, h.base - 10 * span), h.base + 10 * span];
}

export function plausibility(v: number | null, range: readonly [number, number]): number {
  if (v === null || !Number.isFinite(v)) return 0;
  // An exact 0 is what half a float of zero bytes decodes to: sane, but no evidence of the layout.
  const a = Math.abs(v);
  if (a === 0) return 1;
  // Denormals and near-zero crumbs are what a float read across the wrong words looks like.
  if (a < 1e-6) return 0;
  if (v >= range[0] && v <= range[1]) return 2;
  return a < 1e7 ? 1 : 0;
}

/** Ranks every offset × order over the windows read (`windows[channel]`: 4 words from address − 1). */
export function rankLayouts(fields: readonly FieldDef[], analyzer: Pick<AnalyzerConfig, "channels">, windows: ReadonlyMap<string, readonly (number | null)[]>, current: WordOrder): Detection {
  const candidates: Candidate[] = [];
  for (const offset of OFFSETS)
    for (const order of WORD_ORDERS) {
      const c: Candidate = { offset, order, score: 0, plausible: 0, values: {} };
      for (const f of fields) {
        const w = windows.get(f.channel);
        const words = w?.slice(offset + 1, offset + 3);
        const v = words && words.length === 2 && words.every((x) => x !== null) ? decode(words as number[], f.type, order, f.scale) : null;
        const value = v === null || !Number.isFinite(v) ? null : v;
        const s = plausibility(value, plausibleRange(f, analyzer));
        c.values[f.channel] = value;
        c.score += s;
        if (s === 2) c.plausible++;
      }
      candidates.push(c);
    }
  // Best first; on a tie the map as configured (offset 0, its order) wins, then smaller shifts.
  const rank = (c: Candidate) => [-c.score, c.order === current && c.offset === 0 ? 0 : 1, Math.abs(c.offset), WORD_ORDERS.indexOf(c.order)];
  candidates.sort((a, b) => {
    const [x, y] = [rank(a), rank(b)];
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
    return 0;
  });
  const best = candidates[0];
  const options: Record<string, number | string> = {};
  if (best && best.offset !== 0) options.address_offset = best.offset;
  if (best && best.order !== current) options["*.order"] = best.order;
  return { channels: fields.map((f) => f.channel), candidates, options };
}

/** Reads the windows of an analyzer's 32-bit channels and ranks the layouts. Reads only. */
export async function detectLayout(transport: Transport, analyzer: AnalyzerConfig, def: DriverDefinition, timeoutMs: number): Promise<Detection> {
  const fields = def.fields.filter((f) => f.type === "float32" && (!f.optional || analyzer.channels[f.channel]));
  const windows = new Map<string, (number | null)[]>();
  for (const f of fields) {
    const start = Math.max(0, f.address - 1);
    try {
      const words = [...(await transport.read(analyzer.slave, f.fc, start, f.address - start + 3, timeoutMs))];
      windows.set(f.channel, f.address === 0 ? [null, ...words] : words);
    } catch {
      // A window over a hole in the map: read each candidate position alone.
      const w: (number | null)[] = [null, null, null, null];
      for (let i = 0; i < 4; i++) {
        const at = f.address - 1 + i;
        if (at < 0) continue;
        w[i] = await transport.read(analyzer.slave, f.fc, at, 1, timeoutMs).then((r) => r[0], () => null);
      }
      windows.set(f.channel, w);
    }
  }
  const orders = fields.map((f) => f.order);
  const current = orders.length && orders.every((o) => o === orders[0]) ? orders[0] : "ABCD";
  return rankLayouts(fields, analyzer, windows, current);
}
