// Field-machine info for 3020, from what the station really knows: the audit trail (i11001 logs,
// `//…//`), each analyzer's latest readings (i12001 working state on Table B.10, i12002 link,
// i12003 alarm: working-state.ts), and the settings it is polled with (i13xxx parameters). A 3020
// without PolId is about the station itself (station-info.ts). Pure apart from the readers it is
// given, so requests.ts wires real sources and tests wire stores of their own.
import type { WorkingStates } from "../../drivers/types.js";
import { logItems, type AuditReader, type FieldInfoItem } from "./info-log.js";
import { stationInfo, type StationInfoSources } from "./station-info.js";
import { workingState, type StateReading } from "./working-state.js";

export type { AuditReader, FieldInfoItem } from "./info-log.js";
/** Items for a PolId ("" or undefined: the station itself), one InfoId or all, logs over a range; `platform` asks. */
export type FieldInfo = (polId: string | undefined, infoId: string | undefined, range?: { begin: number; end: number }, platform?: string) => FieldInfoItem[];

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

export interface FieldInfoSources {
  analyzers: readonly FieldAnalyzer[];
  /** HJ 212 codes each analyzer uploads: a 3020's PolId names the analyzer by one of them (or by its id). */
  codesOf: (analyzer: string) => readonly string[];
  /** Latest reading of each channel of an analyzer: the effective flag (maintenance, calibration windows) and the instrument's state. */
  latest: (analyzer: string) => readonly StateReading[];
  /** The analyzer's driver's working-state table (drivers/types.ts); default: 0 running, states by flag. */
  working?: (analyzer: string) => WorkingStates | undefined;
  /** The station's own items, answered to a 3020 without PolId. */
  station?: StationInfoSources;
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

/** Whether an audit entry concerns this analyzer, or the station as a whole (it names no analyzer). */
function concerns(details: Record<string, unknown>, a: FieldAnalyzer, codes: readonly string[]): boolean {
  const named = [details.analyzer, details.polId, details.code, details.bus].filter((v): v is string => typeof v === "string");
  const list = Array.isArray(details.analyzers) ? details.analyzers.filter((v): v is string => typeof v === "string") : [];
  if (!named.length && !list.length) return true;
  return [...named, ...list].some((v) => v === a.id || v === a.bus || codes.includes(v));
}

export function fieldInfoSource(src: FieldInfoSources): FieldInfo {
  const find = (polId: string) => src.analyzers.find((a) => a.id === polId || src.codesOf(a.id).includes(polId));
  return (polId, infoId, range, platform) => {
    if (!polId) return src.station ? stationInfo(src.station, infoId, range, platform) : [];
    const a = find(polId);
    if (!a) return [];
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
      for (const e of range ? logs : logs.slice(-LATEST_LOGS))
        for (const text of logItems(`${e.actor} ${e.action}${e.reason ? `: ${e.reason}` : ""}`)) items.push(["i11001", text, e.ts]);
    }
    if (wants("i12001") || wants("i12002") || wants("i12003")) {
      const w = workingState(src.latest(a.id), src.working?.(a.id));
      if (wants("i12001")) items.push(["i12001", String(w.i12001)]);
      if (wants("i12002")) items.push(["i12002", String(w.i12002)]);
      if (w.i12003 !== undefined && wants("i12003")) items.push(["i12003", String(w.i12003)]);
    }
    for (const [id, read, standard] of PARAMETERS) {
      if (!wants(id, standard)) continue;
      const v = read(a);
      if (v !== undefined) items.push([id, v]);
    }
    return items;
  };
}
