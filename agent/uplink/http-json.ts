// A packet of the outbox as JSON (pure): what an operator's own system receives from the HTTP
// uplink. The packet's HJ 212 CP is the source, so both uplinks always carry the same values.
//   {station: {mn, name}, qn, cn, dataTime, kind, values: [{code, avg, min, max, flag…}]}
import type { Packet } from "../types.js";
import { formatLocal, tzOffsetMs } from "../time.js";
import { sealOfCp, type SealRecord } from "../audit/seal-packet.js";

export interface JsonValue {
  code: string;
  [field: string]: string | number;
}

export interface JsonPacket {
  station: { mn: string; name: string };
  qn: string;
  cn: string;
  /** Start of the period (realtime: time of the values), ISO 8601 in station local time with its offset. */
  dataTime: string;
  kind: string;
  values: JsonValue[];
  /** kind audit-seal: the seal, every field its MAC covers (audit/seal-packet.ts). */
  seal?: SealRecord;
}

export const KIND: Record<string, string> = { "2011": "realtime", "2051": "minute", "2061": "hour", "2031": "day", "2021": "status", "2041": "runtime" };

/** The URL as logs and `status` may show it: no user:password, no query (tokens hide there). */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "(invalid url)";
  }
}

/** "2026-01-01T08:00:00+08:00". */
export function isoLocal(ms: number, tz: string): string {
  const off = Math.round(tzOffsetMs(ms, tz) / 60_000);
  const a = Math.abs(off);
  const sign = off < 0 ? "-" : "+";
  return `${formatLocal(ms, tz).replace(" ", "T")}${sign}${String(Math.floor(a / 60)).padStart(2, "0")}:${String(a % 60).padStart(2, "0")}`;
}

/** `Rtd` → `rtd`, `ZsRtd` → `zsRtd`, `RS` → `rs`: JSON-style field names from CP suffixes. */
const fieldName = (suffix: string) => (/^[A-Z]+$/.test(suffix) ? suffix.toLowerCase() : suffix[0].toLowerCase() + suffix.slice(1));

/** Numbers stay numbers; flags, times and serial numbers stay text. */
function fieldValue(field: string, v: string): string | number {
  if (field === "flag" || /time$|^sn$|^info$/i.test(field)) return v;
  return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
}

/** Values of a CP, one entry per code in CP order: `a05024-Avg=1.5,a05024-Flag=N` → `{code: "a05024", avg: 1.5, flag: "N"}`. */
export function cpValues(cp: string): JsonValue[] {
  const byCode = new Map<string, JsonValue>();
  for (const item of cp.split(";")) {
    for (const pair of item.split(",")) {
      const eq = pair.indexOf("=");
      const key = eq < 0 ? pair : pair.slice(0, eq);
      const dash = key.lastIndexOf("-");
      if (dash <= 0) continue; // DataTime, PolId…: not a value of a code
      const code = key.slice(0, dash);
      const field = fieldName(key.slice(dash + 1));
      if (field === "code") continue;
      const entry = byCode.get(code) ?? { code };
      entry[field] = fieldValue(field, eq < 0 ? "" : pair.slice(eq + 1));
      byCode.set(code, entry);
    }
  }
  return [...byCode.values()];
}

export function jsonPacket(p: Packet, station: { mn: string; name: string }, tz: string): JsonPacket {
  const seal = p.cn === "3020" ? sealOfCp(p.cp) : null;
  if (seal) return { station, qn: p.qn, cn: p.cn, dataTime: isoLocal(p.dataTime, tz), kind: "audit-seal", values: [], seal };
  return { station, qn: p.qn, cn: p.cn, dataTime: isoLocal(p.dataTime, tz), kind: KIND[p.cn] ?? "other", values: cpValues(p.cp) };
}
