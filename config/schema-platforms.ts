// The platforms the station uploads to: HJ 212 (2017/2025) over TCP, JSON over HTTP, MQTT.
// Re-exported by schema.ts, which stays the one module the rest of the code imports.
import { z } from "zod";
import { id, mn, st } from "./schema-ids.js";
import { linkSecurityKeys } from "./schema-link.js";
import { deliveryOrder, mqttFields } from "./schema-uplink.js";

export const uploadKind = z.enum(["realtime", "minute", "hour", "day", "status", "runtime"]);
export const MIN_INTERVALS = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30] as const;

export const platformSchema = z
  .object({
    id: id.describe("Platform id (city, province, national…), used by the CLI and as the outbox key."),
    host: z.string().min(1).describe("Platform server host name or IP."),
    port: z.number().int().min(1).max(65535).describe("Platform server TCP port."),
    protocol: z.enum(["hj212-2017", "hj212-2025"]).default("hj212-2017").describe("HJ 212 version spoken to this platform."),
    st: st.describe("HJ 212 ST (system type): 22 ambient air, 21 surface water, 23 noise, 31/32 pollution source, 38 radioactive."),
    pw: z.string().min(1).max(64).describe("Access password (PW). Never logged or printed."),
    mn: mn.optional().describe("MN for this platform when it differs from station.mn."),
    uploads: z.array(uploadKind).min(1).default(["realtime", "minute"]).describe("What is uploaded: realtime (2011), minute (2051), hour (2061), day (2031), status (2021: equipment state at the realtime interval, without waiting for the platform to ask), runtime (2041: each analyzer's hours in operation per day)."),
    realtime_interval_s: z.number().int().min(1).max(3600).default(30).describe("Realtime upload interval in seconds (HJ 212 RtdInterval: 30-3600 in operation; shorter for tests)."),
    minute_interval_min: z
      .number()
      .int()
      .refine((v) => (MIN_INTERVALS as readonly number[]).includes(v), `one of ${MIN_INTERVALS.join(", ")}`)
      .default(1)
      .describe("Minute data interval in minutes (HJ 212 MinInterval)."),
    ack_timeout_s: z.number().min(0.1).max(600).default(10).describe("Seconds to wait for a 9014 before a packet is sent again."),
    window: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(64)
      .describe(
        "Unacknowledged packets in flight at once. Acks are matched by QN, so platforms take packets pipelined. At 100 ms a 9014 (a slow link), 64 drains 30 days of minute data in about a minute and 100,000 packets in under 5 minutes (16 would need 11); and a platform that answers one packet at a time at 100 ms still acks the last of 64 within 6.4 s, inside ack_timeout_s (10), where 128 would time out and resend.",
      ),
    reconnect_max_s: z.number().min(1).max(3600).default(60).describe("Cap of the exponential reconnect back-off (s)."),
    retries: z.number().int().min(0).max(20).default(3).describe("Times a packet is sent again without an ack before the connection is dropped and made anew (HJ 212 ReCount)."),
    crc: z
      .enum(["standard", "modbus", "modbus-swapped"])
      .default("standard")
      .describe("Checksum sent to this platform: standard (HJ 212), or the Modbus CRC a broken platform insists on. Any of them is accepted when receiving."),
    heartbeat_s: z.number().int().min(0).max(3600).default(60).describe("Seconds between HJ 212-2025 heartbeats (9015); 0 turns them off. Not sent to HJ 212-2017 platforms."),
    allow_time_set: z.boolean().default(false).describe("Whether this platform may set the station clock (1012). Each attempt is recorded in the audit trail."),
    // What one platform request may cost the station (agent/uplink/history.ts).
    max_request_packets: z.number().int().min(1).max(1_000_000).default(45_000).describe("Most packets one history request (2051, 2061, 2031, 2041) is answered with (45,000 = a month of minutes); beyond it the answer ends with ExeRtn=2 and a log line says what was cut."),
    request_ttl_days: z.number().min(0.01).max(365).default(7).describe("Days a packet queued for a platform's request may wait for its 9014; older ones are dropped and counted, so they do not keep raw readings from retention."),
    enabled: z.boolean().default(true).describe("Set false to stop connecting to this platform (its outbox is kept)."),
    order: deliveryOrder("live-first"),
    // HJ 212-2025 SM4 keys, RF, heartbeat answers, and TLS for any protocol (config/schema-link.ts).
    ...linkSecurityKeys,
  })
  .strict();

/**
 * An operator's own system fed with the same packets as JSON over HTTP(S): same outbox, same
 * cursor, same upload set. Chosen by `protocol: http-json`; it has a URL instead of host/port/PW/ST.
 */
export const httpPlatformSchema = z
  .object({
    id: platformSchema.shape.id,
    protocol: z.literal("http-json").describe("http-json: POST each packet as JSON to url; a 2xx answer acknowledges it."),
    url: z.url({ protocol: /^https?$/, error: "an http:// or https:// URL" }).describe("Where packets are POSTed (http:// or https://)."),
    token: z.string().min(1).optional().describe("Sent as Authorization: Bearer <token>. A secret: never logged or printed."),
    headers: z
      .record(z.string(), z.string())
      .default({})
      .describe("Extra HTTP headers sent with every POST. Their values are treated as secrets and never printed."),
    mn: platformSchema.shape.mn,
    uploads: platformSchema.shape.uploads,
    realtime_interval_s: platformSchema.shape.realtime_interval_s,
    minute_interval_min: platformSchema.shape.minute_interval_min,
    timeout_s: z.number().min(0.1).max(600).default(10).describe("Seconds to wait for the answer to a POST before it counts as failed and is sent again."),
    retry_max_s: z
      .number()
      .min(0.01)
      .max(3600)
      .default(60)
      .describe("Cap of the exponential back-off between tries after a failure (s). A 4xx answer other than 408 and 429 (the receiver refuses the request itself) waits ten times this."),
    enabled: platformSchema.shape.enabled,
    order: deliveryOrder("oldest-first"),
  })
  .strict();

/** An MQTT broker (agent/uplink/mqtt.ts): same outbox and cursor, QoS 1, a PUBACK is the ack. */
export const mqttPlatformSchema = z
  .object({
    id: platformSchema.shape.id,
    ...mqttFields,
    mn: platformSchema.shape.mn,
    uploads: platformSchema.shape.uploads,
    realtime_interval_s: platformSchema.shape.realtime_interval_s,
    minute_interval_min: platformSchema.shape.minute_interval_min,
    enabled: platformSchema.shape.enabled,
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.password !== undefined && p.password_file !== undefined) ctx.addIssue({ code: "custom", path: ["password_file"], message: "password or password_file, not both" });
    if (p.payload === "hj212") {
      for (const k of ["st", "pw"] as const) if (p[k] === undefined) ctx.addIssue({ code: "custom", path: [k], message: `the HJ 212 ${k.toUpperCase()} of the frames, needed with payload: hj212` });
    }
  });

export const anyPlatformSchema = z.discriminatedUnion("protocol", [platformSchema, httpPlatformSchema, mqttPlatformSchema]);

export type PlatformConfig = z.infer<typeof platformSchema>;
export type HttpPlatformConfig = z.infer<typeof httpPlatformSchema>;
export type MqttPlatformConfig = z.infer<typeof mqttPlatformSchema>;
export type AnyPlatformConfig = z.infer<typeof anyPlatformSchema>;
export const isHj212Platform = (p: AnyPlatformConfig): p is PlatformConfig => p.protocol === "hj212-2017" || p.protocol === "hj212-2025";
export const hj212Platforms = (c: { platforms: readonly AnyPlatformConfig[] }): PlatformConfig[] => c.platforms.filter(isHj212Platform);
export type UploadKindConfig = z.infer<typeof uploadKind>;
