// The life of an alarm, pure. One alarm per (kind, subject) is open at a time: a condition that
// persists or comes back while the alarm is open only counts up (no flood of alarms, audit entries or
// POSTs); it is cleared once the condition is gone, and a later one opens a new alarm.

export const ALARM_KINDS = ["exceedance", "equipment-fault", "comms-lost", "calibration-failed", "door-open", "disk-low", "sm4-key-old"] as const;
export type AlarmKind = (typeof ALARM_KINDS)[number];

export type AlarmStep = "raise" | "repeat" | "clear" | "none";

/** What to do with an alarm given whether one is open and whether its condition holds now. */
export function alarmStep(open: boolean, active: boolean): AlarmStep {
  if (active) return open ? "repeat" : "raise";
  return open ? "clear" : "none";
}

/**
 * Since when a condition has held without a break, in rows ordered by time (rows: an analyzer's readings).
 * null when the newest row does not meet it (or there are none). The rows must reach back far enough:
 * the answer is at most as old as the first row.
 */
export function heldSince<T extends { ts: number }>(rows: readonly T[], holds: (r: T) => boolean): number | null {
  if (!rows.length || !holds(rows[rows.length - 1])) return null;
  let i = rows.length - 1;
  while (i > 0 && holds(rows[i - 1])) i--;
  return rows[i].ts;
}

export interface Threshold {
  above?: number;
  below?: number;
}

/** Whether a value is beyond a threshold (strictly: a value at the limit is not an exceedance). */
export function exceeds(value: number | null, t: Threshold): boolean {
  if (value === null || !Number.isFinite(value)) return false;
  return (t.above !== undefined && value > t.above) || (t.below !== undefined && value < t.below);
}

/** Mean of the values, null when there are none. */
export function mean(values: readonly number[]): number | null {
  return values.length ? values.reduce((s, v) => s + v, 0) / values.length : null;
}
