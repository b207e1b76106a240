// The arithmetic of a check, pure: what the reading is (the mean of the stabilised values), how far it
// drifted from the reference, and whether that passes. Zero drift is absolute (in the channel's unit,
// because a zero has no scale to be relative to); span and standard drift are relative to the
// concentration, as the limit is given as a fraction.
import type { CheckKind } from "../../config/schema-calibration.js";

export interface Verdict {
  reading: number | null;
  reference: number;
  /** Zero: reading − reference (unit of the channel); span/standard: (reading − reference) / reference. null without a reading. */
  drift: number | null;
  limit: number;
  pass: boolean;
}

/** Rounds away float noise (0.1 + 0.2) so the stored and printed drift is the one that was compared. */
const tidy = (v: number) => Number(v.toPrecision(12));

export function judge(kind: CheckKind, reading: number | null, reference: number, limit: number): Verdict {
  if (reading === null || !Number.isFinite(reading)) return { reading: null, reference, drift: null, limit, pass: false };
  const drift = kind === "zero" ? tidy(reading - reference) : tidy((reading - reference) / reference);
  return { reading, reference, drift, limit, pass: Math.abs(drift) <= limit };
}

/**
 * The value a check reads: the mean of the valid values at or after `from` (the last average_s of the
 * stabilisation), or the last valid value when none falls in that span; null when there is none.
 */
export function stabilisedValue(values: ReadonlyArray<{ ts: number; value: number | null }>, from: number): number | null {
  const valid = values.filter((v): v is { ts: number; value: number } => v.value !== null && Number.isFinite(v.value));
  if (!valid.length) return null;
  const tail = valid.filter((v) => v.ts >= from);
  if (!tail.length) return valid[valid.length - 1].value;
  return tidy(tail.reduce((s, v) => s + v.value, 0) / tail.length);
}

/** How many of the latest results (newest first) failed in a row. */
export function consecutiveFailures(newestFirst: ReadonlyArray<{ pass: boolean | null }>): number {
  let n = 0;
  for (const r of newestFirst) {
    if (r.pass !== false) break;
    n++;
  }
  return n;
}
