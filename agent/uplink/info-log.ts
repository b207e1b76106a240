// Log items of field-machine information (i11001 instrument log, i21001 data logger log, i31001
// door log): HJ 212-2017 B.8/B.9 give them as C890, the text between `//` and `//`, UTF-8. An
// entry longer than that becomes several items, each under 890 bytes, never cutting a character.

/** One item of a 3020 answer; `at` (ms) gives the item its own DataTime (a log entry's time). */
export type FieldInfoItem = [infoId: string, value: string, at?: number];

/** The audit trail's reading side (agent/audit/log.ts); entries oldest first. */
export interface AuditReader {
  list(opts: { since?: number; until?: number; limit?: number }): Array<{ ts: number; actor: string; action: string; reason: string | null; details: Record<string, unknown> }>;
}

/** Largest log item in bytes, `//` marks included ("under 890"). */
export const LOG_ITEM_BYTES = 889;

/** Text safe inside a CP value and a `//…//` item: separators and `//` would change the structure. */
export function logText(text: string): string {
  return text.replace(/[;,=&\r\n]/g, " ").replace(/\/{2,}/g, "/").trim();
}

/** One log entry as `//…//` items, each at most `maxBytes` UTF-8 bytes. */
export function logItems(text: string, maxBytes = LOG_ITEM_BYTES): string[] {
  const room = maxBytes - 6; // the marks, and a space each side at most
  const clean = logText(text);
  const out: string[] = [];
  let chunk = "";
  let bytes = 0;
  for (const ch of clean) {
    const n = Buffer.byteLength(ch, "utf8");
    if (bytes + n > room) {
      out.push(chunk);
      chunk = "";
      bytes = 0;
    }
    chunk += ch;
    bytes += n;
  }
  if (chunk || !out.length) out.push(chunk);
  // A `/` at either end would merge with the marks into `///`: pad it.
  return out.map((c) => `//${c.startsWith("/") ? " " : ""}${c}${c.endsWith("/") ? " " : ""}//`);
}
