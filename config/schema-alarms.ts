// Config of alarms (`alarms`): exceedance thresholds per HJ 212 code, equipment fault and comms
// lost after a time, disk space, and where alarms go (platforms, an HTTP endpoint). Part of the
// station schema (config/schema.ts); kept apart so each file stays about one question.
import { z } from "zod";

export const exceedanceSchema = z
  .object({
    code: z.string().regex(/^[A-Za-z0-9]{1,12}$/, "an HJ 212 code such as a05024").describe("HJ 212 code the threshold applies to (every analyzer channel uploaded under it)."),
    above: z.number().optional().describe("Alarm when the value is above this, in the uploaded unit (after scale and offset)."),
    below: z.number().optional().describe("Alarm when the value is below this (e.g. dissolved oxygen), in the uploaded unit."),
    basis: z
      .enum(["hour", "rolling"])
      .default("hour")
      .describe("hour: the latest closed hour value (what the platform gets); rolling: the mean of the valid readings of the last window_min minutes."),
    window_min: z.number().min(1).max(1440).default(60).describe("Length of the rolling window (minutes)."),
  })
  .strict()
  .refine((e) => e.above !== undefined || e.below !== undefined, "an exceedance needs above or below");

export const alarmsSchema = z
  .object({
    exceedance: z.array(exceedanceSchema).default([]).describe("Concentration thresholds per HJ 212 code."),
    fault_after_min: z
      .number()
      .min(0.01)
      .max(1440)
      .default(10)
      .describe("An equipment-fault alarm is raised when an analyzer has reported a fault state (flag D) for this many minutes."),
    comms_after_min: z
      .number()
      .min(0.01)
      .max(1440)
      .default(5)
      .describe("A comms-lost alarm is raised when an analyzer has not answered (flag B) for this many minutes."),
    disk_min_free_pct: z.number().min(0).max(100).default(10).describe("A disk-low alarm is raised when the database's filesystem has less than this percentage free."),
    check_interval_s: z.number().min(1).max(3600).default(60).describe("How often the alarm conditions are evaluated (s)."),
    upload: z
      .boolean()
      .default(true)
      .describe("Send each alarm raised or cleared to the platforms as an HJ 212 field-machine log entry (3020, i11001)."),
    http: z
      .object({
        url: z.url().describe("Endpoint each alarm raised or cleared is POSTed to as JSON."),
        headers: z.record(z.string(), z.string()).default({}).describe("Extra request headers, e.g. an authorization token."),
        timeout_ms: z.number().int().min(100).max(60000).default(5000).describe("Timeout of one POST (ms)."),
        retry_max_s: z.number().min(1).max(86400).default(300).describe("Cap of the retry back-off (s): a failed POST is tried again, doubling from 1 s, until it succeeds."),
      })
      .strict()
      .optional()
      .describe("Optional HTTP endpoint for alarms (a monitoring system, a messaging bot); delivery never holds up polling."),
  })
  .strict();

export type AlarmsConfig = z.infer<typeof alarmsSchema>;
export type ExceedanceConfig = z.infer<typeof exceedanceSchema>;
