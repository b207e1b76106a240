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

/** Registers a value of this type occupies. */
export function registerCount(type: RegisterType): 1 | 2 {
  return type === "int16" || type === "uint16" ? 1 : 2;
}
