// Config of scheduled zero/span/standard checks (per analyzer, `calibration`). Part of the station
// schema (config/schema.ts); kept apart so each file stays about one question. Cron expressions are
// checked here with node-cron's own parser, so a typo fails at `config check`, not at 3 a.m.
import { validateDetailed } from "node-cron";
import { z } from "zod";

/**
 * A cron expression node-cron accepts. The message is phrased as what was expected (config/issues.ts
 * shows it as "expected …, got …") and ends with node-cron's own word on the field that is wrong.
 */
export const cronExpression = z.string().superRefine((v, ctx) => {
  const r = validateDetailed(v);
  if (r.valid) return;
  const why = r.errors.map((e) => e.message).join("; ");
  ctx.addIssue({
    code: "custom",
    message: `a cron expression of 5 fields "minute hour day-of-month month day-of-week" (6 with seconds first) such as "0 3 * * *"${why ? ` (${why})` : ""}`,
  });
});

const STABILISE =
  "Seconds the instrument is left on zero or span gas before its reading is taken (for an instrument that reports its own check result, the longest wait for it).";
const stabilise = (s: number) => z.number().min(0).max(7200).default(s).describe(STABILISE);

const common = {
  schedule: cronExpression
    .optional()
    .describe("When the check runs by itself: a cron expression in station local time, e.g. \"0 3 * * *\" (03:00 every day). Without it the check runs only from the CLI or a platform (3011)."),
  purge_s: z.number().min(0).max(7200).default(300).describe("Seconds after the check during which readings are still flagged C (the sample line flushes the check gas)."),
  average_s: z
    .number()
    .min(0)
    .max(3600)
    .default(60)
    .describe("The reading is the mean of the values of the last this many seconds of stabilisation (0: the last value only)."),
  channel: z.string().optional().describe("Channel whose value is checked (default: the driver's check-result channel where it has one, else the analyzer's first uploaded channel)."),
  command: z.string().optional().describe("Driver command that starts the check (default: zero/span, or zero-check/span-check/standard-check where the driver has those)."),
  end_command: z
    .string()
    .optional()
    .describe("Driver command written after the check, for register commands (a coil command is simply switched off). Default: none, the instrument ends its check by itself."),
};

export const zeroCheckSchema = z
  .object({
    ...common,
    stabilise_s: stabilise(600),
    limit: z.number().positive().describe("Largest zero drift that passes, in the channel's unit (|reading − reference| ≤ limit)."),
    reference: z.number().default(0).describe("What the instrument should read on zero gas (0)."),
  })
  .strict();

export const spanCheckSchema = z
  .object({
    ...common,
    stabilise_s: stabilise(900),
    concentration: z.number().positive().describe("Concentration of the span gas or standard sample, in the channel's unit: the reference."),
    limit: z.number().positive().max(10).default(0.1).describe("Largest relative drift that passes, as a fraction (0.1 = ±10 % of the concentration)."),
  })
  .strict();

export const calibrationSchema = z
  .object({
    zero: zeroCheckSchema.optional().describe("Zero check: the instrument is put on zero gas (coil or control register) and its reading compared with the reference."),
    span: spanCheckSchema.optional().describe("Span check: the instrument is put on span gas of a known concentration and its relative drift compared with the limit."),
    standard: spanCheckSchema
      .optional()
      .describe("Standard-sample check of a water analyzer: it measures a standard solution of the given concentration (water-dbs control opcode 2)."),
    maintenance_after_failures: z
      .number()
      .int()
      .min(0)
      .max(10)
      .default(2)
      .describe("Consecutive failed checks of one kind that put the analyzer in maintenance (M) until a technician ends it; 0 never does."),
  })
  .strict();

export type CalibrationConfig = z.infer<typeof calibrationSchema>;
export type ZeroCheckConfig = z.infer<typeof zeroCheckSchema>;
export type SpanCheckConfig = z.infer<typeof spanCheckSchema>;
export type CheckKind = "zero" | "span" | "standard";
export const CHECK_KINDS: readonly CheckKind[] = ["zero", "span", "standard"];
