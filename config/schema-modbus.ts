// The `registers` and `states` keys of an analyzer: a Modbus instrument described in YAML, for the
// generic-modbus driver (drivers/configure.ts turns them into a driver definition; the simulator serves
// the same). Shapes follow drivers/types.ts FieldDef and StateDef, with the same words.
import { z } from "zod";
import { REGISTER_TYPES, WORD_ORDERS, type RegisterType, type WordOrder } from "../drivers/registers.js";

const address = z.number().int().min(0).max(65535);

export const registerSchema = z
  .object({
    channel: z.string().regex(/^[a-z0-9_]+$/, "a snake_case channel name such as flow_rate").describe("Channel name of this value (snake_case): the key used under channels, in the store and by the CLI."),
    fc: z.union([z.literal(3), z.literal(4)]).default(3).describe("Function code that reads it: 3 holding registers or 4 input registers."),
    address: address.describe("0-based PDU address, the number sent on the wire (a manual's 40001 is usually 0)."),
    type: z.enum(REGISTER_TYPES as [RegisterType, ...RegisterType[]]).default("uint16").describe("Value type: int16, uint16 (one register), int32, uint32 or float32 (two registers)."),
    order: z.enum(WORD_ORDERS as [WordOrder, ...WordOrder[]]).default("ABCD").describe("Byte order: ABCD high word first, CDAB low word first, BADC and DCBA byte-swapped."),
    scale: z
      .number()
      .refine((v) => v !== 0 && Number.isFinite(v), "a finite non-zero number")
      .default(1)
      .describe("The value is the raw number times this (0.1 for a register in tenths)."),
    unit: z.string().default("").describe("Unit of the value as the instrument gives it."),
    code: z.string().regex(/^[A-Za-z0-9]{1,12}$/, "an HJ 212 code such as w01018").optional().describe("HJ 212 code the value is uploaded under (none: stored, not uploaded)."),
    description: z.string().optional().describe("What the value is, for station-agent probe and drivers."),
  })
  .strict();

const stateFlag = z.enum(["F", "D", "M", "C", "T"]);

export const registerStateSchema = z
  .object({
    state: z
      .string()
      .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "a kebab-case state name such as fault")
      .refine((s) => s !== "ok" && s !== "no-answer", "a name other than ok and no-answer")
      .describe("Name of the instrument state (kebab-case), shown by probe and stored with each reading."),
    flag: stateFlag.describe("HJ 212 flag the state gives the readings: F stopped, D fault, M maintenance, C calibration, T over range."),
    fc: z
      .union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)])
      .describe("Where the state is signalled: 1 coil, 2 discrete input (a bit: the state is on when it is 1), 3 or 4 a register."),
    address: address.describe("0-based PDU address of the bit or register."),
    bit: z.number().int().min(0).max(15).optional().describe("Registers only: the state is on when this bit (0 = least significant) is 1."),
    equals: z.number().int().min(0).max(65535).optional().describe("Registers only: the state is on when the register (masked by mask) equals this value."),
    mask: z.number().int().min(1).max(65535).optional().describe("Registers only: bits compared with equals; without equals the state is on when any of them is 1."),
    inverted: z.boolean().default(false).describe("The signal is positive (\"system OK\"): the state is on when it is off."),
  })
  .strict()
  .superRefine((s, ctx) => {
    const registerKeys = ["bit", "equals", "mask"].filter((k) => s[k as "bit"] !== undefined);
    if (s.fc <= 2 && registerKeys.length > 0)
      ctx.addIssue({ code: "custom", path: [registerKeys[0]], message: `no ${registerKeys[0]} for a coil or discrete input (fc ${s.fc}): the bit itself is the signal` });
    if (s.fc >= 3 && registerKeys.length === 0) ctx.addIssue({ code: "custom", path: ["fc"], message: "bit, equals or mask for a register state" });
    if (s.bit !== undefined && (s.equals !== undefined || s.mask !== undefined))
      ctx.addIssue({ code: "custom", path: ["bit"], message: "either bit, or equals/mask, not both" });
  });

export type RegisterConfig = z.infer<typeof registerSchema>;
export type RegisterStateConfig = z.infer<typeof registerStateSchema>;
