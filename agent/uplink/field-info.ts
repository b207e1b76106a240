// Field-machine info for 3020, from what the station really knows: the audit trail (i11001 logs),
// each analyzer's latest reading (i12001 working state), and the settings it is polled with
// (i13xxx parameters). Pure apart from the readers it is given, so main.ts wires real sources
// and tests wire stores of their own.
import type { Hj212Flag } from "../types.js";
import { RUN_STATE } from "./packets.js";

/** One item of a 3020 answer; `at` (ms) gives the item its own DataTime (a log entry's time). */
export type FieldInfoItem = [infoId: string, value: string, at?: number];
export type FieldInfo = (polId: string, infoId: string | undefined, range?: { begin: number; end: number }) => FieldInfoItem[];

/** An analyzer as configured: what is reported as its parameters. */
export interface FieldAnalyzer {
  id: string;
  driver: string;
  bus: string;
  slave: number;
  interval_s: number;
  timeout_ms?: number;
  retries: number;
}

/** The audit trail's reading side (agent/audit/log.ts); entries oldest first. */
export interface AuditReader {
  list(opts: { since?: number; until?: number; limit?: number }): Array<{ ts: number; actor: string; action: string; reason: string | null; details: Record<string, unknown> }>;
}

export interface FieldInfoSources {
  analyzers: readonly FieldAnalyzer[];
  /** HJ 212 codes each analyzer uploads: a 3020's PolId names the analyzer by one of them (or by its id). */
  codesOf: (analyzer: string) => readonly string[];
  /** Latest reading of each channel of an analyzer (flag and state as the instrument gave them). */
  latest: (analyzer: string) => ReadonlyArray<{ ts: number; flag: Hj212Flag; state: string }>;
  /** Station-level items (host health), answered when the PolId names no analyzer (or is empty). */
  station?: () => Array<[infoId: string, value: string]>;
  /** The audit trail, when there is one; a getter, because it may be opened after this is built. */
  audit?: () => AuditReader | undefined;
  now?: () => number;
}

/** Log entries sent when the request gives no time range. */
const LATEST_LOGS = 10;

/**
 * Parameters as i13xxx items. i13003 (measurement interval) is the standard's; the standard's table
 * has no codes for how the station talks to the instrument, so those take codes from the unused
 * end of the i13 range (i139xx), and are sent only to a request that names them by InfoId.
 */
const PARAMETERS: Array<[infoId: string, read: (a: FieldAnalyzer) => string | undefined, standard: boolean]> = [
  ["i13003", (a) => String(a.interval_s), true],
  ["i13901", (a) => a.driver, false],
  ["i13902", (a) => String(a.slave), false],
  ["i13903", (a) => a.bus, false],
  ["i13904", (a) => (a.timeout_ms === undefined ? undefined : String(a.timeout_ms)), false],
  ["i13905", (a) => String(a.retries), false],
];

/** Working state (i12001) from the analyzer's readings: the worst channel wins (a fault over normal). */
const STATE_RANK: Record<number, number> = { 1: 0, 0: 1, 2: 2, 3: 3, 4: 4 };

function workingState(readings: ReadonlyArray<{ flag: Hj212Flag }>): number | undefined {
  let worst: number | undefined;
  for (const r of readings) {
    const s = RUN_STATE[r.flag] ?? 4;
    if (worst === undefined || STATE_RANK[s] > STATE_RANK[worst]) worst = s;
  }
  return worst;
}

/** Whether an audit entry concerns this analyzer, or the station as a whole (it names no analyzer). */
function concerns(details: Record<string, unknown>, a: FieldAnalyzer, codes: readonly string[]): boolean {
  const named = [details.analyzer, details.polId, details.code, details.bus].filter((v): v is string => typeof v === "string");
  const list = Array.isArray(details.analyzers) ? details.analyzers.filter((v): v is string => typeof v === "string") : [];
  if (!named.length && !list.length) return true;
  return [...named, ...list].some((v) => v === a.id || v === a.bus || codes.includes(v));
}

export function fieldInfoSource(src: FieldInfoSources): FieldInfo {
  const find = (polId: string) => src.analyzers.find((a) => a.id === polId || src.codesOf(a.id).includes(polId));
  return (polId, infoId, range) => {
    const a = find(polId);
    if (!a) return (src.station?.() ?? []).filter(([id]) => infoId === undefined || infoId === id);
    const wants = (id: string, standard = true) => (infoId === undefined ? standard : infoId === id);
    const items: FieldInfoItem[] = [];

    if (wants("i11001")) {
      const audit = src.audit?.();
      const codes = src.codesOf(a.id);
      const entries = audit
        ? range
          ? audit.list({ since: range.begin, until: range.end + 1, limit: 1000 })
          : audit.list({ limit: 200 })
        : [];
      const logs = entries.filter((e) => concerns(e.details, a, codes));
      for (const e of range ? logs : logs.slice(-LATEST_LOGS)) items.push(["i11001", `${e.actor} ${e.action}${e.reason ? `: ${e.reason}` : ""}`, e.ts]);
    }
    if (wants("i12001")) {
      const state = workingState(src.latest(a.id));
      if (state !== undefined) items.push(["i12001", String(state)]);
    }
    for (const [id, read, standard] of PARAMETERS) {
      if (!wants(id, standard)) continue;
      const v = read(a);
      if (v !== undefined) items.push([id, v]);
    }
    return items;
  };
}
