// Identifier formats shared by the schema files: ids, HJ 212 MN, ST and codes, channel references.
import { z } from "zod";

export const id = z.string().regex(/^[A-Za-z0-9_.-]+$/, "an id of letters, digits, '_', '.' or '-'");
/** HJ 212 MN: up to 24 letters/digits (24 hex in 2017, 14 in 2005). */
export const mn = z.string().regex(/^[0-9A-Za-z]{14,24}$/, "an MN of 14 to 24 letters or digits");
/** HJ 212 ST, two digits; YAML may give it as a number (22) or a string ("22"). */
export const st = z
  .union([z.number().int().min(0).max(99), z.string().regex(/^\d{2}$/, "two digits")])
  .transform((v) => String(v).padStart(2, "0"));
export const hj212Code = z.string().regex(/^[A-Za-z0-9]{1,12}$/, "an HJ 212 code such as a05024");
/** Another analyzer's channel, `<analyzer>.<channel>` (an analyzer id may itself contain dots: the last one splits). */
export const channelRef = z.string().regex(/^[A-Za-z0-9_.-]+\.[A-Za-z0-9_]+$/, "<analyzer>.<channel>, e.g. cems.o2");
