// Config pieces of the uplinks that are not HJ 212 over TCP: the delivery order every platform
// has, TLS settings, and the keys of an MQTT broker platform (composed in schema.ts).
import { z } from "zod";

export const DELIVERY_ORDERS = ["oldest-first", "live-first"] as const;
export type DeliveryOrder = (typeof DELIVERY_ORDERS)[number];

/** `order` with the default of the platform's kind. */
export const deliveryOrder = (def: DeliveryOrder) =>
  z
    .enum(DELIVERY_ORDERS)
    .default(def)
    .describe(
      "Which packets go first after an outage or a restart: oldest-first sends every pending packet in the order it was made, so each kind arrives in DataTime order (what JSON and MQTT pipelines want; default for http-json and mqtt); live-first sends data made since the connection came up before the backlog (HJ 212-2025 §8.1.2; default for HJ 212 platforms).",
    );

/** The same shape as the TLS settings of TCP platforms. Files are PEM; relative paths are relative to the config file. */
export const tlsSchema = z
  .object({
    ca: z.string().min(1).optional().describe("CA certificate file (PEM) the server's certificate must chain to (default: the system's CAs)."),
    cert: z.string().min(1).optional().describe("Client certificate file (PEM), for servers that authenticate clients by certificate."),
    key: z.string().min(1).optional().describe("Private key file (PEM) of the client certificate. A secret: readable only by the service."),
    servername: z.string().min(1).optional().describe("Server name sent in SNI and checked against the certificate (default: the host of the URL)."),
    reject_unauthorized: z
      .boolean()
      .default(true)
      .describe("Set false to accept a certificate that does not verify (a test broker with a self-signed certificate): the link is then encrypted but not authenticated."),
  })
  .strict();

/** Keys of an MQTT platform besides the common ones (id, mn, uploads, intervals, enabled). */
export const mqttFields = {
  protocol: z.literal("mqtt").describe("mqtt: publish each packet to an MQTT broker at QoS 1; the broker's PUBACK acknowledges it."),
  url: z
    .url({ protocol: /^mqtts?$/, error: "an mqtt:// or mqtts:// URL" })
    .describe("Broker URL: mqtt://host:1883, or mqtts://host:8883 for TLS."),
  username: z.string().min(1).optional().describe("User name given to the broker."),
  password: z.string().min(1).optional().describe("Password given to the broker. A secret: never logged or printed; password_file keeps it out of this file."),
  password_file: z.string().min(1).optional().describe("File holding the broker password (trailing newline ignored), instead of password."),
  client_id: z.string().min(1).max(128).optional().describe("MQTT client id (default: the station MN, or this platform's mn)."),
  prefix: z
    .string()
    .regex(/^[^#+]+$/, "a topic prefix without the wildcards # and +")
    .default("stations")
    .describe("Topics are {prefix}/{mn}/{kind}: kind is realtime, minute, hour, day, status, runtime, alarm or audit-seal; {prefix}/{mn}/state is online or offline (retained, offline is the Last Will)."),
  payload: z
    .enum(["json", "hj212"])
    .default("json")
    .describe("json: the same JSON as http-json; hj212: the HJ 212 frame itself (needs st and pw), for platforms that take HJ 212 over MQTT."),
  st: z
    .union([z.number().int().min(0).max(99), z.string().regex(/^\d{2}$/, "two digits")])
    .transform((v) => String(v).padStart(2, "0"))
    .optional()
    .describe("HJ 212 ST of the frames when payload is hj212."),
  pw: z.string().min(1).max(64).optional().describe("HJ 212 PW of the frames when payload is hj212. Never logged or printed."),
  hj212_version: z.enum(["hj212-2017", "hj212-2025"]).default("hj212-2017").describe("HJ 212 version of the frames when payload is hj212."),
  tls: tlsSchema.optional().describe("TLS settings for an mqtts:// broker."),
  keepalive_s: z.number().int().min(5).max(3600).default(60).describe("MQTT keep-alive (s): a broker silent for 1.5 times this is taken as gone."),
  window: z.number().int().min(1).max(1000).default(64).describe("Packets published and awaiting their PUBACK at once."),
  ack_timeout_s: z
    .number()
    .min(0.1)
    .max(3600)
    .default(30)
    .describe("Seconds to wait for a PUBACK; past that the connection is made anew and the packet sent again (MQTT resends only on a new connection)."),
  reconnect_max_s: z.number().min(0.1).max(3600).default(60).describe("Cap of the exponential reconnect back-off (s). A broker refusing the credentials waits ten times longer."),
  order: deliveryOrder("oldest-first"),
};
