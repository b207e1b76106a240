// Fleet metrics in the Prometheus text format (agent/metrics/): scraped over HTTP, or written to a
// file for node_exporter's textfile collector. Both off unless configured.
import { z } from "zod";

export const DEFAULT_METRICS_LISTEN = "127.0.0.1:9464";

export const metricsSchema = z
  .object({
    listen: z
      .union([z.literal(true), z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, "host:port, e.g. 127.0.0.1:9464")])
      .optional()
      .transform((v) => (v === true ? DEFAULT_METRICS_LISTEN : v))
      .describe("Address the metrics are served on at /metrics, as host:port (true means 127.0.0.1:9464). Off when absent. A port already in use is logged at start and the rest of the agent runs."),
    textfile: z
      .string()
      .min(1)
      .optional()
      .describe("A .prom file rewritten atomically (a temporary file renamed over it) every interval_s, for node_exporter's textfile collector. Off when absent."),
    interval_s: z.number().min(1).max(3600).default(15).describe("Seconds between rewrites of the textfile."),
  })
  .strict();

export type MetricsConfig = z.infer<typeof metricsSchema>;
