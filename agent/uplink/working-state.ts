// An analyzer's HJ 212 working state from its latest readings (pure, table-tested):
// i12001 on HJ 212-2017 Table B.10 (运行 0 · 维护 1 · 故障 2 · 校准 3 · 反吹 5 · 电源故障 6 · 测量 7 ·
// 标定 8 · 待机 9 · 运维 10), i12002 the analyzer↔logger link (0 normal, 1 abnormal), i12003 the
// analyzer's alarm (0/1) where its driver has one. C.42 reads `i12001-Info=1` as "in maintenance",
// so a normally working analyzer is 0 (or, for a water analyzer, 9 between cycles and 7 in one).
import { flagRank } from "../../config/flags.js";
import { WORK_STATE, type WorkingStates, type WorkState } from "../../drivers/types.js";

/** What a working state is read from: each channel's latest reading, with its effective flag. */
export interface StateReading {
  ts: number;
  flag: string;
  /** The instrument state the driver resolved ("ok", "no-answer", "zero", "measuring"…). */
  state: string;
}

export interface WorkingStateItems {
  i12001: WorkState;
  i12002: 0 | 1;
  i12003?: 0 | 1;
}

const DEFAULT: WorkingStates = { normal: WORK_STATE.running };

/**
 * Working states a flag allows a driver's own table to give: an effective flag set by the agent
 * (a technician's maintenance, a calibration window) over an instrument state that says "measuring"
 * must still read as maintenance or calibration.
 */
const BY_FLAG: Record<string, { fallback: WorkState; allowed: readonly WorkState[] }> = {
  F: { fallback: WORK_STATE.standby, allowed: [WORK_STATE.standby, WORK_STATE.powerFault, WORK_STATE.fault] },
  D: { fallback: WORK_STATE.fault, allowed: [WORK_STATE.fault, WORK_STATE.powerFault] },
  M: { fallback: WORK_STATE.maintenance, allowed: [WORK_STATE.maintenance, WORK_STATE.operation, WORK_STATE.backflush] },
  C: { fallback: WORK_STATE.calibration, allowed: [WORK_STATE.calibration, WORK_STATE.standardization] },
  B: { fallback: WORK_STATE.fault, allowed: [] },
};

const noAnswer = (r: StateReading) => r.flag === "B" || r.state === "no-answer";

/** The working state of one reading's flag and state under a driver's table. */
export function workStateOf(r: StateReading, working: WorkingStates = DEFAULT): WorkState {
  if (noAnswer(r)) return WORK_STATE.fault;
  const own = working.states?.[r.state];
  const rule = BY_FLAG[r.flag];
  if (!rule) return own ?? working.normal; // N, T, S: the instrument works
  return own !== undefined && rule.allowed.includes(own) ? own : rule.fallback;
}

/**
 * The analyzer's items from its channels' latest readings: the reading with the flag first in
 * the station's precedence (F > D > M > C > B > T > S > N) decides i12001; the newest reading says
 * whether the last poll was answered (i12002). No reading at all: it does not answer (2 and 1).
 */
export function workingState(readings: readonly StateReading[], working: WorkingStates = DEFAULT): WorkingStateItems {
  const alarm = (): Pick<WorkingStateItems, "i12003"> =>
    working.alarms ? { i12003: readings.some((r) => working.alarms!.includes(r.state)) ? 1 : 0 } : {};
  if (!readings.length) return { i12001: WORK_STATE.fault, i12002: 1, ...alarm() };
  let top = readings[0];
  let newest = readings[0];
  for (const r of readings) {
    if (flagRank(r.flag) < flagRank(top.flag)) top = r;
    if (r.ts > newest.ts) newest = r;
  }
  return { i12001: workStateOf(top, working), i12002: noAnswer(newest) ? 1 : 0, ...alarm() };
}
