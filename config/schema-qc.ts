// Config of data quality: screening rules (qc) and aggregation validity presets (aggregation).
// Part of the station schema (config/schema.ts); kept apart so each file stays about one question.
// Rule keys are optional without zod defaults: a channel's qc overrides the station's qc.defaults
// key by key, and agent/qc/config.ts fills what neither sets with the built-in defaults.
import { z } from "zod";

/** Flags a rule may give; N would silently accept, H is for aggregates only. */
const ruleFlag = z.enum(["F", "D", "M", "C", "B", "T", "S"]);

export const qcRulesSchema = z
  .object({
    range: z
      .tuple([z.number(), z.number()])
      .optional()
      .describe("Physical range [min, max] in the instrument's unit; a value outside it is flagged (default: the usual range for the code and unit, when known)."),
    negative_tolerance: z
      .number()
      .min(0)
      .optional()
      .describe("A value below minus this is flagged (default 0 for concentrations in ppb, ppm, ug/m3, mg/m3 or mg/L; other units are not checked unless it is set)."),
    stuck_count: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe("A value repeated this many times in a row is flagged as stuck; 0 turns the check off (default 60)."),
    stuck_minutes: z
      .number()
      .min(0)
      .optional()
      .describe("A stuck value must also last this long (minutes), so instruments that update slowly are not flagged (default 120)."),
    max_rate_per_min: z
      .number()
      .positive()
      .optional()
      .describe("Largest plausible change per minute, in the instrument's unit; a faster change is flagged as a spike (default: not checked)."),
  })
  .strict();

export const qcSchema = z
  .object({
    defaults: qcRulesSchema.prefault({}).describe("Screening rules for every channel; a channel's qc overrides them key by key."),
    flags: z
      .object({
        range: ruleFlag.default("T").describe("Flag of a value outside its physical range."),
        negative: ruleFlag.default("T").describe("Flag of a value below the negative tolerance."),
        stuck: ruleFlag.default("D").describe("Flag of a stuck value."),
        spike: ruleFlag.default("D").describe("Flag of a spike."),
        pm_consistency: ruleFlag.default("D").describe("Flag of a PM2.5 value above PM10, and of that PM10 value."),
      })
      .strict()
      .prefault({})
      .describe("The flag each screening rule gives a value that trips it."),
    pm_consistency: z
      .object({
        enabled: z.boolean().default(true).describe("Check that PM2.5 (a34004) is not above PM10 (a34002), across analyzers."),
        tolerance: z.number().min(0).default(0.1).describe("Relative tolerance: PM2.5 may exceed PM10 by this fraction of PM10."),
        abs_tolerance: z.number().min(0).default(5).describe("Absolute tolerance in the PM unit, added to the relative one (instrument noise at low concentrations)."),
        window_s: z.number().int().min(1).max(3600).default(300).describe("Readings further apart than this (s) are not compared."),
      })
      .strict()
      .prefault({})
      .describe("PM2.5 > PM10 consistency check."),
  })
  .strict();

export const AGGREGATION_PRESETS = ["ambient-air", "pollution-source", "surface-water", "noise", "none"] as const;

const aggregationKeys = {
  minute_min_valid: z.number().int().min(1).optional().describe("Valid readings a minute value needs (default: the preset's)."),
  hour_min_valid_minutes: z.number().int().min(1).max(60).optional().describe("Valid minute values an hour value needs (default: the preset's)."),
  day_min_valid_hours: z.number().int().min(1).max(24).optional().describe("Valid hour values a day value needs (default: the preset's)."),
};

export const aggregationSchema = z
  .object({
    preset: z
      .enum(AGGREGATION_PRESETS)
      .default("ambient-air")
      .describe(
        "Validity rules of minute, hour and day values, by standard. ambient-air (HJ 663-2013 / GB 3095-2012: an hour needs 45 valid minutes, a day 20 valid hours, O3 8-hour 6 hours), " +
          "pollution-source (HJ 75-2017 CEMS: 45 minutes, 20 hours), surface-water (HJ 915-2017: one measurement per 4 h cycle), noise (GB 3096-2008 / HJ 906-2017: 45 minutes, 20 hours), none (any valid value).",
      ),
    ...aggregationKeys,
    invalid_flag: z
      .enum(["cause", "H", "F", "D", "M", "C", "B", "T", "S"])
      .default("cause")
      .describe(
        "Flag of a value that misses its validity rule; it is still produced and uploaded. cause: the flag of its main cause (HJ 212-2017 Table 8: the flag most of its invalid parts carry, missing parts counting as B). A letter: that letter, for a platform that asks for one (H is no HJ 212 flag).",
      ),
    noise_day_start_hour: z.number().int().min(0).max(23).default(6).describe("Sound levels: local hour day time starts (GB 3096-2008: 6); day data (2031) carries the day-time set from it."),
    noise_night_start_hour: z.number().int().min(0).max(23).default(22).describe("Sound levels: local hour night time starts (GB 3096-2008: 22)."),
  })
  .strict();

/** Per-analyzer override: any key of the station's aggregation, none required. */
export const aggregationOverrideSchema = z
  .object({ preset: z.enum(AGGREGATION_PRESETS).optional().describe("Validity preset of this analyzer (default: the station's)."), ...aggregationKeys })
  .strict();

export type QcRulesConfig = z.infer<typeof qcRulesSchema>;
export type QcConfig = z.infer<typeof qcSchema>;
export type AggregationConfig = z.infer<typeof aggregationSchema>;
export type AggregationOverride = z.infer<typeof aggregationOverrideSchema>;
