// Field information about the station itself, for a 3020 without PolId (HJ 212-2017 C.40 note 2):
// the data logger's class-2 items (B.9) and the auxiliary equipment's class-3 items. Pure apart
// from the readers it is given (requests.ts wires the real ones).
//   i21001 data logger log · i22001 its state (0 run, 1 stopped, 2 fault, 3 maintenance) ·
//   i22003 logger↔platform link (0 normal, 1 abnormal) · i221nn channel nn's link (0 normal,
//   1 abnormal, 2 nothing connected; our channels are the configured buses, in config order) ·
//   i24xxx host figures (this project's extension, in the data logger's reserved category 4) ·
//   i31001 door log · i32001 door state (0 closed, 1 open).
import { logItems, type AuditReader, type FieldInfoItem } from "./info-log.js";

/** Host figures in the data logger's extension category (B.8: the fourth character 4–5 is reserved for extension). */
export const HOST_CODES = { diskFreePct: "i24001", cpuTempC: "i24002", memUsedPct: "i24003", loadPct: "i24004", uptimeH: "i24005" } as const;

export interface StationInfoSources {
  audit?: () => AuditReader | undefined;
  /** The data logger's own state: maintenance (a station-wide maintenance window), fault (storage failing). */
  logger: () => { maintenance: boolean; fault: boolean };
  /** Whether the logger's link to a platform is up. */
  uplinkOk: (platform: string | undefined) => boolean;
  /** Each channel (bus), in config order: 0 normal, 1 abnormal, 2 nothing connected. */
  channels: () => Array<0 | 1 | 2>;
  host?: () => Partial<Record<keyof typeof HOST_CODES, number | null>>;
  /** The door contact; null when there is none (no GPIO, or not configured). */
  doorOpen?: () => boolean | null;
  now?: () => number;
}

const LATEST_LOGS = 10;
const DOOR_ACTOR = "door-contact";

/** An audit entry about the station as a whole: it names no analyzer. */
function stationWide(details: Record<string, unknown>): boolean {
  return details.analyzer === undefined && details.polId === undefined && details.code === undefined && !Array.isArray(details.analyzers);
}

export function stationInfo(src: StationInfoSources, infoId: string | undefined, range?: { begin: number; end: number }, platform?: string): FieldInfoItem[] {
  const wants = (id: string) => infoId === undefined || infoId === id;
  const items: FieldInfoItem[] = [];
  if (wants("i21001") || wants("i31001")) {
    const audit = src.audit?.();
    const entries = audit ? (range ? audit.list({ since: range.begin, until: range.end + 1, limit: 1000 }) : audit.list({ limit: 200 })) : [];
    const text = (e: (typeof entries)[number]) => `${e.actor} ${e.action}${e.reason ? `: ${e.reason}` : ""}`;
    const pick = <T,>(list: T[]) => (range ? list : list.slice(-LATEST_LOGS));
    if (wants("i21001"))
      for (const e of pick(entries.filter((e) => e.actor !== DOOR_ACTOR && stationWide(e.details)))) for (const t of logItems(text(e))) items.push(["i21001", t, e.ts]);
    if (wants("i31001") && (src.doorOpen?.() ?? null) !== null)
      for (const e of pick(entries.filter((e) => e.actor === DOOR_ACTOR))) for (const t of logItems(text(e))) items.push(["i31001", t, e.ts]);
  }
  const logger = src.logger();
  if (wants("i22001")) items.push(["i22001", logger.fault ? "2" : logger.maintenance ? "3" : "0"]);
  if (wants("i22003")) items.push(["i22003", src.uplinkOk(platform) ? "0" : "1"]);
  src.channels().forEach((state, i) => {
    const id = `i221${String(i + 1).padStart(2, "0")}`;
    if (i < 99 && wants(id)) items.push([id, String(state)]);
  });
  const host = src.host?.() ?? {};
  for (const [k, code] of Object.entries(HOST_CODES)) {
    const v = host[k as keyof typeof HOST_CODES];
    if (v !== null && v !== undefined && wants(code)) items.push([code, String(v)]);
  }
  const door = src.doorOpen?.() ?? null;
  if (door !== null && wants("i32001")) items.push(["i32001", door ? "1" : "0"]);
  return items;
}
