// Config of the audit trail's sealing (`audit`) and of the station clock (`clock`). Part of the
// station schema (config/schema.ts); kept apart so each file stays about one question.
import { z } from "zod";

export const auditSchema = z
  .object({
    seal_interval_min: z
      .number()
      .int()
      .min(1)
      .max(1440)
      .default(15)
      .describe(
        "Minutes per sealing epoch: every epoch the heads of the audit log and of the readings chain, and a digest of the intervention tables, are sealed with a MAC under the epoch's key, which is then replaced by its one-way successor and erased. Whoever takes the station later cannot forge the seals of past epochs. Without a key (`station-agent audit keygen`) the agent runs unsealed and says so.",
      ),
    upload_seals: z
      .boolean()
      .default(true)
      .describe("Send each seal to every enabled platform through the outbox (HJ 212: 3020 with the station's i21001 log item; http-json: a packet of kind audit-seal), so the centre holds a copy the station cannot take back."),
  })
  .strict();

export const clockSchema = z
  .object({
    max_step_s: z
      .number()
      .int()
      .min(1)
      .max(10 * 365 * 86400)
      .default(3600)
      .describe("A platform's 1012 (set time) more than this many seconds away from the station's own clock is refused (ExeRtn=3) and audited: a wrong or forged time cannot move the data's timestamps far."),
  })
  .strict();

export type AuditConfig = z.infer<typeof auditSchema>;
export type ClockConfig = z.infer<typeof clockSchema>;
