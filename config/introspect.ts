// Reads the zod schema as data: which schema sits at a key path, and what it accepts, in words
// ("an integer from 0 to 247"). Error texts are built from this so they can never disagree with the
// schema. It relies on zod v4's `_zod.def`, which is public but loosely typed, hence the Def shape.
import type { z } from "zod";
import type { KeyPath } from "./locate.js";

type Schema = z.core.$ZodType;

interface Def {
  type: string;
  innerType?: Schema;
  in?: Schema;
  shape?: Record<string, Schema>;
  element?: Schema;
  valueType?: Schema;
  options?: Schema[];
  discriminator?: string;
  entries?: Record<string, string | number>;
  values?: unknown[];
  checks?: Array<{ _zod: { def: CheckDef } }>;
}

interface CheckDef {
  check: string;
  format?: string;
  value?: number;
  inclusive?: boolean;
  minimum?: number;
  maximum?: number;
  error?: unknown;
}

export function defOf(schema: Schema): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** Wrappers that do not change what a key accepts, only its default or its output. */
const WRAPPERS = new Set(["default", "prefault", "optional", "nullable", "readonly", "catch", "nonoptional"]);

/** Peels defaults, optionals and transforms; picks the branch of a discriminated union that `data` selects. */
export function unwrap(schema: Schema, data?: unknown): Schema {
  let s = schema;
  for (;;) {
    const def = defOf(s);
    if (WRAPPERS.has(def.type) && def.innerType) s = def.innerType;
    else if (def.type === "pipe" && def.in) s = def.in;
    else if (def.type === "union" && def.discriminator && data && typeof data === "object") {
      const tag = (data as Record<string, unknown>)[def.discriminator];
      // No tag: the branch whose tag has a default (platforms without `protocol` are HJ 212 ones).
      const branch = def.options?.find((o) => literalValues(o, def.discriminator!).includes(tag) || (tag === undefined && tagDefaults(o, def.discriminator!)));
      if (!branch) return s;
      s = branch;
    } else return s;
  }
}

/** The schema for the value at `path` in `data`, still wrapped (so its `.describe()` text is kept). */
export function schemaAt(root: Schema, path: KeyPath, data: unknown): Schema | undefined {
  let s: Schema | undefined = root;
  let d = data;
  for (const seg of path) {
    const def = defOf(unwrap(s, d));
    if (def.type === "object") s = def.shape?.[String(seg)];
    else if (def.type === "array") s = def.element;
    else if (def.type === "record") s = def.valueType;
    else return undefined;
    if (!s) return undefined;
    d = d && typeof d === "object" ? (d as Record<PropertyKey, unknown>)[seg] : undefined;
  }
  return s;
}

/** The keys a mapping at this schema may have (after unwrapping), or [] when it is not an object. */
export function objectKeys(schema: Schema | undefined, data?: unknown): string[] {
  if (!schema) return [];
  const def = defOf(unwrap(schema, data));
  if (def.type === "object" && def.shape) return Object.keys(def.shape);
  // A discriminated union the data does not select: any branch's keys are candidates.
  if (def.type === "union" && def.discriminator) return [...new Set(def.options?.flatMap((o) => objectKeys(o)) ?? [])];
  return [];
}

export function description(schema: Schema | undefined): string | undefined {
  return (schema as { description?: string } | undefined)?.description;
}

/** What a schema accepts, as a noun phrase: "an integer from 1 to 65535", "one of rtu, tcp". */
export function describeSchema(schema: Schema): string | undefined {
  const s = unwrap(schema);
  const def = defOf(s);
  switch (def.type) {
    case "number":
      return describeNumber(def);
    case "string":
      return describeString(def);
    case "boolean":
      return "true or false";
    case "enum":
      return `one of ${Object.values(def.entries ?? {}).join(", ")}`;
    case "literal":
      return (def.values ?? []).map(String).join(" or ");
    case "union": {
      const parts = (def.options ?? []).map(describeSchema);
      return parts.every(Boolean) ? parts.join(" or ") : undefined;
    }
    case "object":
    case "record":
      return "a mapping (key: value lines)";
    case "array":
      return "a list ([a, b] or lines starting with \"- \")";
    default:
      return undefined;
  }
}

function describeNumber(def: Def): string {
  let integer = false;
  let lo: { value: number; inclusive: boolean } | undefined;
  let hi: { value: number; inclusive: boolean } | undefined;
  for (const c of def.checks ?? []) {
    const d = c._zod.def;
    // A refinement with a message ("one of 1, 2, 3, …") is narrower than any range: it says it all.
    const refined = d.check === "custom" ? customMessage(d.error) : undefined;
    if (refined) return refined;
    if (d.check === "number_format" && /int/.test(d.format ?? "")) integer = true;
    if (d.check === "greater_than" && d.value !== undefined) lo = { value: d.value, inclusive: !!d.inclusive };
    if (d.check === "less_than" && d.value !== undefined) hi = { value: d.value, inclusive: !!d.inclusive };
  }
  const noun = integer ? "an integer" : "a number";
  if (lo?.inclusive && hi?.inclusive) return `${noun} from ${lo.value} to ${hi.value}`;
  const bounds: string[] = [];
  if (lo) bounds.push(`${lo.inclusive ? "at least" : "greater than"} ${lo.value}`);
  if (hi) bounds.push(`${hi.inclusive ? "at most" : "less than"} ${hi.value}`);
  return bounds.length ? `${noun} ${bounds.join(" and ")}` : noun;
}

function describeString(def: Def): string {
  for (const c of def.checks ?? []) {
    // A regex check with its own message ("an MN of 14 to 24 letters or digits") says it best.
    const msg = c._zod.def.format === "regex" ? customMessage(c._zod.def.error) : undefined;
    if (msg) return msg;
  }
  const min = def.checks?.find((c) => c._zod.def.check === "min_length")?._zod.def.minimum;
  return min === 1 ? "a non-empty string" : "a string";
}

function customMessage(error: unknown): string | undefined {
  if (typeof error !== "function") return undefined;
  try {
    const msg: unknown = error({});
    return typeof msg === "string" ? msg : undefined;
  } catch {
    return undefined;
  }
}

function tagDefaults(schema: Schema, key: string): boolean {
  const field = defOf(schema).shape?.[key];
  return field !== undefined && ["default", "optional", "prefault"].includes(defOf(field).type);
}

function literalValues(schema: Schema, key: string): unknown[] {
  const shape = defOf(schema).shape;
  const field = shape?.[key];
  if (!field) return [];
  const def = defOf(unwrap(field));
  // A literal tag has `values`; an enum tag (protocol: hj212-2017 | hj212-2025) has `entries`.
  return def.values ?? (def.entries ? Object.values(def.entries) : []);
}
