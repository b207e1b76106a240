// The CP field of an HJ 212 data segment (the text between `CP=&&` and `&&`):
// `;` separates groups (items of different codes), `,` separates items of one code, `=` splits
// key from value, e.g. `DataTime=20240101120000;a34004-Rtd=35.2,a34004-Flag=N`.
import { DEFAULT_TZ, parseHj212Time } from "../../time.js";

/** CP text that cannot be parsed, or values that cannot be written into one. */
export class Hj212CpError extends Error {
  readonly hj212Cp = true as const;
  constructor(
    readonly item: string,
    readonly reason: string,
  ) {
    super(`CP ${JSON.stringify(item)}: ${reason}`);
    this.name = "Hj212CpError";
  }
}

export type CpPair = [key: string, value: string];

export interface ParsedCp {
  /** Every key once; when a key repeats, the first occurrence wins (DataTime comes first). */
  fields: Map<string, string>;
  /** The groups in order, each a list of key/value pairs. */
  groups: CpPair[][];
}

export function parseCp(cp: string): ParsedCp {
  const fields = new Map<string, string>();
  const groups: CpPair[][] = [];
  for (const groupText of cp.split(";")) {
    const group: CpPair[] = [];
    for (const item of groupText.split(",")) {
      // Empty items come from doubled or trailing separators; they carry nothing, so skip them.
      if (item === "") continue;
      // Split at the first `=` only: some i13xxx parameter values contain `=` themselves.
      const eq = item.indexOf("=");
      if (eq < 0) throw new Hj212CpError(item, "item has no '=' between key and value");
      if (eq === 0) throw new Hj212CpError(item, "item has an empty key");
      const pair: CpPair = [item.slice(0, eq), item.slice(eq + 1)];
      if (!fields.has(pair[0])) fields.set(pair[0], pair[1]);
      group.push(pair);
    }
    if (group.length) groups.push(group);
  }
  return { fields, groups };
}

const FORBIDDEN = /[;,=&\r\n]/;

/** Writes groups back to CP text; refuses keys or values that would change the structure. */
export function formatCp(groups: CpPair[][]): string {
  return groups
    .map((group) =>
      group
        .map(([k, v]) => {
          if (k === "" || FORBIDDEN.test(k)) throw new Hj212CpError(k, "key is empty or contains a separator (; , = & CR LF)");
          // `&` alone is legal in text, but `&&` would end the CP field early.
          if (/[;,\r\n]/.test(v) || v.includes("&&")) throw new Hj212CpError(`${k}=${v}`, "value contains a separator (; , && CR LF)");
          return `${k}=${v}`;
        })
        .join(","),
    )
    .join(";");
}

export interface RawTimeRange {
  begin: string;
  end: string;
}

/**
 * Finds BeginTime/EndTime without parsing the whole CP (so it never throws). Both separators are
 * the standard's: HJ 212-2017 C.19–C.21 print `BeginTime=…;EndTime=…`, C.22 `BeginTime=…,EndTime=…`.
 * (An earlier version called `;` a quirk; the standard's own text says otherwise.)
 */
export function findTimeRange(cp: string): RawTimeRange | undefined {
  let begin: { value: string } | undefined;
  let end: { value: string } | undefined;
  for (const groupText of cp.split(";")) {
    for (const item of groupText.split(",")) {
      if (!begin && item.startsWith("BeginTime=")) begin = { value: item.slice(10) };
      if (!end && item.startsWith("EndTime=")) end = { value: item.slice(8) };
    }
  }
  if (!begin || !end) return undefined;
  return { begin: begin.value, end: end.value };
}

/** BeginTime/EndTime of a history request as UTC ms; throws Hj212CpError or TimeFormatError. */
export function readTimeRange(cp: string, tz: string = DEFAULT_TZ): { begin: number; end: number } {
  const raw = findTimeRange(cp);
  if (!raw) throw new Hj212CpError(cp, "BeginTime and EndTime are both required");
  return { begin: parseHj212Time(raw.begin, tz), end: parseHj212Time(raw.end, tz) };
}

/**
 * A measured value as CP text: plain decimal (never `1e-7`, which platforms reject), rounded half
 * away from zero to `decimals` places, trailing zeros trimmed: 35.20 → "35.2", 3 → "3".
 */
export function formatValue(v: number, decimals = 3): string {
  if (!Number.isFinite(v)) throw new Hj212CpError(String(v), "value is not a finite number");
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 20) throw new RangeError(`formatValue: decimals must be 0–20, got ${decimals}`);
  // toFixed switches to exponent notation from 1e21 on; no instrument reads that high.
  if (Math.abs(v) >= 1e21) throw new Hj212CpError(String(v), "value is too large to write without an exponent");
  const scale = 10 ** decimals;
  let rounded = v;
  // toFixed rounds the binary value (1.005 → "1.00"); rounding the scaled value after trimming
  // float noise with toPrecision gives the decimal answer (1.01). Only safe below 2^53-ish.
  if (Math.abs(v * scale) < 1e15) {
    const scaled = Number((Math.abs(v) * scale).toPrecision(15));
    rounded = (Math.sign(v) * Math.round(scaled)) / scale;
  }
  let s = rounded.toFixed(decimals);
  if (s.includes(".")) s = s.replace(/\.?0+$/, "");
  return s === "-0" ? "0" : s;
}
