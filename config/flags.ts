// The one flag precedence of the station, next to the schema because installers and platform
// operators read it: when several flags apply to one value (instrument state, screening rules,
// maintenance, a technician's manual flag), all are stored and the first in this list is the one
// uploaded. drivers/types.ts derives the instrument-state order from it, aggregation uses it to
// pick the flag of a period without valid data, and QC uses it for the effective flag.
//
//   F > D > M > C > B > T > S > N
//
// Why this order:
// - Any flag beats N: one reason to doubt a value makes it invalid.
// - The most fundamental reason the value is not a measurement comes first: the instrument was
//   stopped (F) or faulty (D), then it was taken out of service on purpose (M: maintenance, C:
//   calibration), then the value could not be read (B) or is beyond the range (T).
// - S (a technician's manual flag) is last before N. A manual flag can only ever make a value
//   stricter, never hide what the instrument or the screening said: a technician cannot turn a
//   D into an S (or into N) and so "clean" data (防止人为干预造假). The manual flag and its reason
//   are stored and audited all the same.
// - F > D > M > C > T is also the order instruments' own states resolve in (drivers/types.ts),
//   so the two cannot disagree.
import type { Hj212Flag } from "../agent/types.js";

export const FLAG_PRECEDENCE: readonly Hj212Flag[] = ["F", "D", "M", "C", "B", "T", "S", "N"];

/** What each flag means, for the CLI and the docs. */
export const FLAG_MEANING: Readonly<Record<Hj212Flag, string>> = {
  F: "stopped",
  D: "fault",
  M: "maintenance",
  C: "calibration",
  B: "communication abnormal",
  T: "over range",
  S: "manual setting",
  N: "normal",
};

/** Position of a flag in the precedence (0 = wins); letters that are no HJ 212 flag rank last. */
export function flagRank(f: string): number {
  const i = FLAG_PRECEDENCE.indexOf(f as Hj212Flag);
  return i < 0 ? FLAG_PRECEDENCE.length : i;
}

/** The flag uploaded for a value carrying all of `flags` (N when there is none). */
export function effectiveFlag(flags: Iterable<string>): Hj212Flag {
  let best: Hj212Flag = "N";
  for (const f of flags) if (FLAG_PRECEDENCE.includes(f as Hj212Flag) && flagRank(f) < flagRank(best)) best = f as Hj212Flag;
  return best;
}
