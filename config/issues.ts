// Turns zod issues into texts an installer can act on: what the key accepts and what the file has,
// e.g. `expected an integer from 0 to 247, got string "abc"`. The wording comes from the schema
// itself (see introspect.ts), so a changed limit changes the message too.
import type { z } from "zod";
import { describeSchema, description, objectKeys, schemaAt } from "./introspect.js";
import type { KeyPath } from "./locate.js";
import { didYouMean } from "./suggest.js";

type Schema = z.core.$ZodType;
type Issue = z.core.$ZodIssue;

/** A problem before it is given a place in the file. `key` points at the key rather than the value. */
export interface Problem {
  path: KeyPath;
  expected: string;
  key?: boolean;
}

/** Keys whose values are secrets: errors say what type was found, never the value. */
const SECRET_KEYS = new Set(["pw", "token", "url"]); // a URL may hold user:password or a token in its query

export function describeIssues(issues: readonly Issue[], root: Schema, data: unknown): Problem[] {
  return issues.flatMap((issue) => describeIssue(issue, root, data));
}

function describeIssue(issue: Issue, root: Schema, data: unknown): Problem[] {
  const path = issue.path as PropertyKey[];
  if (issue.code === "unrecognized_keys") {
    const parent = valueAt(data, path).value;
    const known = objectKeys(schemaAt(root, path, data), parent);
    return issue.keys.map((k) => ({
      path: [...path, k],
      key: true,
      expected: `unknown key "${k}"${didYouMean(k, known) || ` (known keys: ${known.join(", ")})`}`,
    }));
  }
  const { present, value } = valueAt(data, path);
  const schema = schemaAt(root, path, data);
  const secret = SECRET_KEYS.has(String(path[path.length - 1])) || path[path.length - 2] === "headers";
  const got = present ? `, got ${describeValue(value, secret, issue.code === "invalid_type")}` : " (required)";

  // zod v4 adds `options` (not in its issue type) when no branch of a discriminated union matches.
  const options = (issue as { options?: unknown[] }).options;
  if (issue.code === "invalid_union" && Array.isArray(options)) {
    // A branch whose tag has a default lists `undefined` among the options: not a value to write.
    return [{ path, expected: `expected one of ${options.filter((o) => o != null).map(String).join(", ")}${got}` }];
  }
  if (!present && (issue.code === "invalid_type" || issue.code === "invalid_union")) {
    const what = description(schema);
    return [{ path, expected: `expected a value (required)${what ? `: ${what}` : ""}` }];
  }
  const accepts = (schema && describeSchema(schema)) ?? undefined;
  switch (issue.code) {
    case "invalid_type":
      return [{ path, expected: `expected ${accepts ?? article(issue.expected)}${got}${hint(accepts, value)}` }];
    case "too_small":
    case "too_big":
      return [{ path, expected: `expected ${sizeText(issue, accepts)}${got}` }];
    case "invalid_value":
      return [{ path, expected: `expected one of ${issue.values.map(String).join(", ")}${got}` }];
    case "invalid_format":
      // Our own regex checks carry a readable message; zod's built-in ones start with "Invalid".
      return [{ path, expected: `expected ${/^Invalid/.test(issue.message) ? accepts ?? issue.message : issue.message}${got}` }];
    case "invalid_union":
      return [{ path, expected: `expected ${accepts ?? "a valid value"}${got}` }];
    case "not_multiple_of":
      return [{ path, expected: `expected a multiple of ${String(issue.divisor)}${got}` }];
    case "custom":
      return [{ path, expected: `expected ${issue.message}${got}` }];
    default:
      return [{ path, expected: issue.message }];
  }
}

function sizeText(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig, accepts: string | undefined): string {
  const small = issue.code === "too_small";
  const bound = Number(small ? (issue as z.core.$ZodIssueTooSmall).minimum : (issue as z.core.$ZodIssueTooBig).maximum);
  const word = small ? "at least" : "at most";
  switch (issue.origin) {
    case "string":
      return small && bound === 1 ? "a non-empty string" : `${word} ${bound} characters`;
    case "array":
      return `${word} ${bound} ${bound === 1 ? "entry" : "entries"}`;
    default:
      return accepts ?? `a number ${word} ${bound}`;
  }
}

/** A nudge for the two YAML surprises installers hit: numbers that should be text, and yes/no. */
function hint(accepts: string | undefined, value: unknown): string {
  if (accepts?.includes("string") && (typeof value === "number" || typeof value === "boolean")) {
    return " (put the value in quotes to make it a string)";
  }
  if (accepts?.startsWith("a mapping") && value === null) {
    return " (a section whose keys are all commented out is empty: comment out its name too)";
  }
  if (accepts === "true or false" && typeof value === "string" && /^(yes|no|on|off|y|n)$/i.test(value)) {
    return " (write true or false)";
  }
  return "";
}

function describeValue(value: unknown, secret: boolean, withType: boolean): string {
  if (value === null || value === undefined) return "an empty value";
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : `a list of ${value.length}`;
  if (typeof value === "object") return "a mapping";
  if (secret) return `a ${typeof value} (value hidden)`;
  if (typeof value === "string") {
    const shown = JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    return withType ? `string ${shown}` : shown;
  }
  return withType ? `${typeof value} ${String(value)}` : String(value);
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** The raw value at `path`, and whether the key is there at all (a missing key and `key:` differ). */
export function valueAt(data: unknown, path: KeyPath): { present: boolean; value: unknown } {
  let d: unknown = data;
  for (const seg of path) {
    if (d === null || typeof d !== "object" || !Object.prototype.hasOwnProperty.call(d, seg)) {
      return { present: false, value: undefined };
    }
    d = (d as Record<PropertyKey, unknown>)[seg];
  }
  return { present: true, value: d };
}
