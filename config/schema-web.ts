// Config of the local web page (`web`): where it listens and the token it asks for. Part of the
// station schema (config/schema.ts); kept apart so each file stays about one question.
import { z } from "zod";
import { isLoopback, parseListen } from "../agent/web/listen.js";

export const webSchema = z
  .object({
    listen: z
      .union([z.boolean(), z.number().int(), z.string().min(1)])
      .default(false)
      .describe(
        "Where the agent serves its read-only status page: false (off, the default), true (127.0.0.1:8080), a port on 127.0.0.1, or host:port (0.0.0.0:8080 for the hut's LAN). Any address other than loopback requires web.token.",
      ),
    token: z
      .string()
      .min(16, "at least 16 characters")
      .optional()
      .describe(
        "Access token the page asks for (open http://station:8080/?token=… once; a cookie keeps it), also accepted as Authorization: Bearer. Required when listen is not a loopback address. A secret: never logged or printed.",
      ),
    trend_hours: z.number().int().min(1).max(168).default(24).describe("Hours of minute values the trend plots show."),
    audit_entries: z.number().int().min(1).max(200).default(20).describe("Latest audit entries shown."),
  })
  .strict()
  .superRefine((w, ctx) => {
    const at = parseListen(w.listen);
    if (typeof at === "string") ctx.addIssue({ code: "custom", path: ["listen"], message: at });
    else if (at && !isLoopback(at.host) && !w.token)
      ctx.addIssue({ code: "custom", path: ["token"], message: `a token of at least 16 characters: web.listen ${String(w.listen)} is reachable from other machines` });
  });

export type WebConfig = z.infer<typeof webSchema>;
