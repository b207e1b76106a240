// A seal as it leaves the station (pure). HJ 212 platforms get a 3020 with the data logger's own
// log item (i21001, no PolId: the seal is the station's, not an instrument's), its text wrapped
// `//…//` as HJ 212-2017 writes log contents; HTTP/JSON platforms get the same packet, which
// http-json.ts turns into kind `audit-seal` with the seal's fields. The text carries every field
// the MAC covers, so the centre can check a seal it received with the verification key alone.
// CP separators (; , = &) never occur in it: fields are "name value" pairs separated by spaces.
import { formatHj212Time } from "../time.js";
import type { SealKind, SealPayload } from "./seal.js";

export interface SealRecord extends SealPayload {
  mac: string;
}

const MARK = "//audit seal ";

/** `//audit seal v 1 key … epoch 12 ts 1764… kind interval log 1532:ab… readings 877:ef… tables … prev … mac …//` */
export function sealText(s: SealRecord): string {
  const head = (h: { id: number; hash: string } | null) => (h ? `${h.id}:${h.hash}` : "-");
  return `${MARK}v 1 key ${s.keyId} epoch ${s.epoch} ts ${s.ts} kind ${s.kind} log ${head(s.audit)} readings ${head(s.readings)} tables ${s.tables} prev ${s.prev || "-"} mac ${s.mac}//`;
}

/** CP of the 3020 carrying a seal. */
export function sealCp(s: SealRecord, tz: string): string {
  return `DataTime=${formatHj212Time(s.ts, tz)};i21001-Info=${sealText(s)}`;
}

export function isSealText(text: string): boolean {
  return text.startsWith(MARK) && text.endsWith("//");
}

/** The seal back from its text (what the centre does with a 3020 it received); null if it is not one. */
export function parseSealText(text: string): SealRecord | null {
  if (!isSealText(text)) return null;
  const words = text.slice(2, -2).split(" ").slice(2);
  const f = new Map<string, string>();
  for (let i = 0; i + 1 < words.length; i += 2) f.set(words[i], words[i + 1]);
  const head = (v: string | undefined) => {
    if (!v || v === "-") return null;
    const [id, hash] = v.split(":");
    return { id: Number(id), hash };
  };
  const need = ["key", "epoch", "ts", "kind", "tables", "mac"];
  if (f.get("v") !== "1" || need.some((k) => !f.has(k))) return null;
  return {
    keyId: f.get("key")!, epoch: Number(f.get("epoch")), ts: Number(f.get("ts")), kind: f.get("kind") as SealKind,
    audit: head(f.get("log")), readings: head(f.get("readings")), tables: f.get("tables")!, prev: f.get("prev") === "-" ? "" : (f.get("prev") ?? ""), mac: f.get("mac")!,
  };
}

/** The seal in a CP, if the CP is a seal's 3020. */
export function sealOfCp(cp: string): SealRecord | null {
  const at = cp.indexOf("i21001-Info=");
  return at < 0 ? null : parseSealText(cp.slice(at + "i21001-Info=".length).split(";")[0]);
}
