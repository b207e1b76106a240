// The Modbus register vocabulary: value types, word orders and function codes. Pure data with no
// imports, so the config schema (generic-modbus `registers`) can use it below the drivers.
/** Register value types. 16-bit types take one register, 32-bit types two. */
export type RegisterType = "int16" | "uint16" | "int32" | "uint32" | "float32";
export const REGISTER_TYPES: readonly RegisterType[] = ["int16", "uint16", "int32", "uint32", "float32"];

/**
 * Byte order of a value, A = most significant byte. For 32-bit values: ABCD = high word first
 * (big-endian), CDAB = low word first, BADC = bytes swapped in each word, DCBA = little-endian.
 * For 16-bit values only the byte order inside the register counts: ABCD/CDAB read AB, BADC/DCBA read BA.
 */
export type WordOrder = "ABCD" | "CDAB" | "BADC" | "DCBA";
export const WORD_ORDERS: readonly WordOrder[] = ["ABCD", "CDAB", "BADC", "DCBA"];

export type BitFc = 1 | 2;
export type RegisterFc = 3 | 4;
export type ReadFc = BitFc | RegisterFc;

/**
 * Addresses of one function code that the instrument's manual maps without a hole, `from` to `to`
 * inclusive (a driver's `mapped`): a read across a gap there cannot be refused as an illegal address,
 * and it costs two bytes a register where a request of its own costs a header and the slave's
 * turnaround (on RS-485 also two t3.5 silences), so the request planner joins over such a gap of any
 * size (agent/bus/plan.ts).
 */
export interface MappedSpan {
  fc: ReadFc;
  from: number;
  to: number;
}

/** Registers a value of this type occupies. */
export function registerCount(type: RegisterType): 1 | 2 {
  return type === "int16" || type === "uint16" ? 1 : 2;
}
