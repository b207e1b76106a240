// Config for the station hut's hardware around the agent: GPIO (door contact, status LED,
// analyzer power relays). Part of the station schema (config/schema.ts); kept apart so each
// file stays about one question.
import { z } from "zod";

const pin = z.number().int().min(0).max(1023).describe("GPIO line number (BCM numbering on a Raspberry Pi).");

export const gpioSchema = z
  .object({
    door: z
      .object({
        pin,
        open_level: z.union([z.literal(0), z.literal(1)]).default(1).describe("Input level that means the door is open."),
        debounce_ms: z.number().int().min(0).max(5000).default(50).describe("Debounce time of the contact (ms)."),
      })
      .strict()
      .optional()
      .describe("Door contact: while the door is open the station is in maintenance (data flagged M), with an audit entry."),
    led: z
      .object({ pin })
      .strict()
      .optional()
      .describe("Status LED: slow heartbeat when all is well, fast blink on a comms fault, double blink when a platform is down."),
    relays: z
      .array(
        z
          .object({
            analyzer: z.string().min(1).describe("Analyzer whose power this relay switches."),
            pin,
            after_min: z.number().min(1).max(1440).default(10).describe("Power-cycle the analyzer after it has not answered for this many minutes."),
            off_s: z.number().min(1).max(600).default(10).describe("How long the power stays off (s)."),
            active_low: z.boolean().default(false).describe("Set true when the relay board switches on a low output."),
          })
          .strict(),
      )
      .default([])
      .describe("Relays that power-cycle an analyzer that stopped answering (each cycle is audited)."),
  })
  .strict();

export type GpioConfig = z.infer<typeof gpioSchema>;
