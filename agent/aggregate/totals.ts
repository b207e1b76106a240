// Totals over a period (HJ 212 `-Cou`): the volume of a flow channel (w00000 wastewater, a00000 flue
// gas, in m³) and the emission of each pollutant channel tied to a flow (channel key flow_channel).
// A flow's volume comes from its totalizer where the meter has one (the totalizer's rise over the
// period: max − min of a counter that only grows), else from the integral of the flow (the period's
// average × its length). A pollutant's emission is its average concentration × that volume, in the
// units of HJ 212-2017 Appendix B: kg for gases in mg/m³ (× 1e-6) and for water in mg/L (× 1e-3). Pure.
import type { Aggregate, ChannelRef } from "../types.js";
import { formatValue } from "../uplink/hj212/cp.js";

export type CouSpec =
  /** A flow channel: its uploaded unit per second in m³ (L/s: 0.001), and its totalizer if it has one (m³). */
  | { kind: "flow"; m3PerUnitSecond: number; totalizer?: ChannelRef }
  /** A pollutant: the flow it is emitted with, and kg per (uploaded unit × m³). */
  | { kind: "pollutant"; flow: ChannelRef; kgPerUnitM3: number };

/** m³ per second of one unit of flow, by the uploaded unit (else by the code's HJ 212 unit). */
export function m3PerUnitSecond(unit: string, code: string): number | undefined {
  const u = unit.replace(/[³]/g, "3").replace(/\s/g, "").toLowerCase();
  const known: Record<string, number> = { "l/s": 0.001, "m3/s": 1, "m3/h": 1 / 3600, "m3/min": 1 / 60, "l/min": 0.001 / 60, "t/h": 1 / 3600 };
  if (u in known) return known[u];
  return code === "w00000" ? 0.001 : code === "a00000" ? 1 : undefined;
}

/** kg per (concentration unit × m³): gases in mg/m³, water in mg/L; undefined for another unit. */
export function kgPerUnitM3(unit: string, code: string): number | undefined {
  const u = unit.replace(/[³]/g, "3").replace(/\s/g, "").toLowerCase();
  if (u === "mg/m3") return 1e-6;
  if (u === "ug/m3" || u === "µg/m3") return 1e-9;
  if (u === "mg/l") return 1e-3;
  return code.startsWith("w") ? 1e-3 : code.startsWith("a") ? 1e-6 : undefined;
}

const same = (ref: ChannelRef) => (x: Aggregate) => x.analyzer === ref.analyzer && x.channel === ref.channel;

/** The volume (m³) a flow aggregate stands for over its period; null when it cannot be told. */
export function flowVolume(flow: Aggregate, spec: Extract<CouSpec, { kind: "flow" }>, uploadedAvg: number | null, group: readonly Aggregate[]): number | null {
  if (spec.totalizer) {
    const t = group.find(same(spec.totalizer));
    if (t && t.min !== null && t.max !== null) return t.max - t.min;
  }
  return uploadedAvg === null ? null : uploadedAvg * flow.periodS * spec.m3PerUnitSecond;
}

/**
 * The `-Cou` item of one aggregate: a flow's volume, or a pollutant's emission with the flow's volume
 * (`flowOf` gives the flow channel's spec and uploaded average). [] when either is missing.
 */
export function couItems(
  code: string,
  agg: Aggregate,
  uploadedAvg: number | null,
  spec: CouSpec | undefined,
  group: readonly Aggregate[],
  flowOf: (ref: ChannelRef) => { cou?: CouSpec; scale: number; offset: number } | undefined,
): string[] {
  if (!spec) return [];
  if (spec.kind === "flow") {
    const v = flowVolume(agg, spec, uploadedAvg, group);
    return v === null ? [] : [`${code}-Cou=${formatValue(v)}`];
  }
  const flowAgg = group.find(same(spec.flow));
  const flow = flowOf(spec.flow);
  if (!flowAgg || flow?.cou?.kind !== "flow" || uploadedAvg === null) return [];
  const flowAvg = flowAgg.avg === null ? null : flowAgg.avg * flow.scale + flow.offset;
  const volume = flowVolume(flowAgg, flow.cou, flowAvg, group);
  return volume === null ? [] : [`${code}-Cou=${formatValue(uploadedAvg * volume * spec.kgPerUnitM3, 6)}`];
}
