// HJ 212's return codes (pure vocabulary): QnRtn answers whether a request is taken (9011),
// ExeRtn how its execution ended (9012). Kept apart from answers.ts so that modules below the
// uplink (calibration) can speak them without importing the uplink.
export const QN_RTN = { ready: 1, rejected: 2, badPw: 3, badMn: 4, badSt: 5, badFlag: 6, badQn: 7, badCn: 8, badCrc: 9, unknown: 100 } as const;
export const EXE_RTN = { ok: 1, failed: 2, conditionError: 3, timeout: 4, busy: 5, fault: 6, noData: 100 } as const;
