// Shapes every kind of driver shares (Modbus, ASCII, HJ 212 serial): the flags an instrument's
// states imply, HJ 212 working states, channels as listed, and the simulator's hints.
import type { Hj212Flag } from "../agent/types.js";
import { FLAG_PRECEDENCE as STATION_FLAG_PRECEDENCE } from "../config/flags.js";

/** Flags a state can imply. B (no answer) and S (manual input) come from the agent, never from an instrument. */
export type StateFlag = Extract<Hj212Flag, "F" | "D" | "M" | "C" | "T">;
/** When several states are active the reading takes the flag first in this list. */
/** (The station's one precedence, config/flags.ts, restricted to the flags an instrument can imply.) */
export const FLAG_PRECEDENCE: readonly StateFlag[] = STATION_FLAG_PRECEDENCE.filter((f): f is StateFlag => "FDMCT".includes(f));
/**
 * A state that sets no flag ("N"): it only names what the instrument is doing (a water analyzer
 * idle between cycles or measuring one), for its working state (i12001). A flagged state wins over it.
 */
export type StateDefFlag = StateFlag | "N";

/** HJ 212-2017 Table B.10, the working state of a monitoring instrument (i12001-Info). */
export const WORK_STATE = {
  running: 0, // 运行
  maintenance: 1, // 维护
  fault: 2, // 故障
  calibration: 3, // 校准 (zero/span check)
  backflush: 5, // 反吹
  powerFault: 6, // 电源故障
  measuring: 7, // 测量
  standardization: 8, // 标定
  standby: 9, // 待机
  operation: 10, // 运维
} as const;
export type WorkState = (typeof WORK_STATE)[keyof typeof WORK_STATE];

/**
 * How a driver's states read as working states (i12001). Each driver file documents its table.
 * A state not named here maps by its flag: C → 3 calibration, M → 1 maintenance, D → 2 fault,
 * F → 9 standby, T → `normal`; no answer → 2.
 */
export interface WorkingStates {
  /** With no (flagged) state active: 0 running for a continuous analyzer. */
  normal: WorkState;
  /** Driver state name → working state. */
  states?: Record<string, WorkState>;
  /** States that are the instrument's alarm (i12003 = 1); a driver without them sends no i12003. */
  alarms?: string[];
}

/** The state of an instrument with no active state. */
export const OK_STATE = { state: "ok", flag: "N" } as const;
/** The state of a reading whose poll failed (timeout, exception, closed port). */
export const NO_ANSWER_STATE = { state: "no-answer", flag: "B" } as const;

/** How the simulator makes a plausible value: base + amplitude·sin(2πt/period) + gaussian noise. */
export interface SimHint {
  base: number;
  amplitude?: number;
  period_s?: number;
  /** Standard deviation of the noise. */
  noise?: number;
  /** For a field with a sample time: the simulated instrument samples this often (s, default 3600). */
  sample_every_s?: number;
}

/** What a channel is, for listings, config validation and upload. */
export interface ChannelInfo {
  name: string;
  unit: string;
  code: string;
  description?: string;
}
