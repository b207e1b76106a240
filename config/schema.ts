// The station configuration schema: the single source of the config types, the validation,
// the defaults and the documentation (every key has a description; station.example.yaml repeats them).
import { z } from "zod";
import { CONVERSIONS } from "../agent/uplink/units.js";
import { gpioSchema } from "./schema-field.js";
import { calibrationSchema } from "./schema-calibration.js";
import { alarmsSchema } from "./schema-alarms.js";
import { aggregationOverrideSchema, aggregationSchema, qcRulesSchema, qcSchema } from "./schema-qc.js";
import { registerSchema, registerStateSchema } from "./schema-modbus.js";
import { auditSchema, clockSchema } from "./schema-audit.js";
import { webSchema } from "./schema-web.js";
import { metricsSchema } from "./schema-metrics.js";
import { anyPlatformSchema } from "./schema-platforms.js";
import { channelRef, hj212Code, id, mn } from "./schema-ids.js";

export * from "./schema-platforms.js";

export const stationSchema = z
  .object({
    name: z.string().min(1).describe("Station name, shown by the CLI and in logs."),
    mn: mn.describe("Station MN (监测点编码) sent to every platform unless a platform overrides it."),
    timezone: z
      .string()
      .default("Asia/Shanghai")
      .describe("IANA time zone of station local time: HJ 212 DataTime, aggregation periods, CLI times."),
  })
  .strict();

export const storageSchema = z
  .object({
    path: z.string().min(1).describe("SQLite database file. Relative paths are relative to the config file."),
    batch_ms: z
      .number()
      .int()
      .min(0)
      .max(5000)
      // Each commit is an fsync: on a Pi's SD card fewer, larger commits save CPU and flash wear.
      .default(500)
      .describe("Readings are committed in one transaction per batch at most this often (ms); 0 commits each poll at once."),
    raw_retention_days: z
      .number()
      .int()
      .min(1)
      .default(90)
      .describe("Raw readings older than this are deleted (never ones whose data a platform has not acknowledged)."),
    aggregate_retention_days: z
      .number()
      .int()
      .min(1)
      .default(3650)
      .describe("Minute, hour and day values are kept this long."),
  })
  .strict();

const parity = z.enum(["none", "even", "odd"]);

export const rtuBusSchema = z
  .object({
    id: id.describe("Bus id, referenced by analyzers."),
    type: z.literal("rtu").describe("Modbus RTU on a serial line (RS-485/RS-232). The same line settings serve an ASCII instrument (a driver of protocol ascii, e.g. metone-bam1020), which then has the line to itself."),
    path: z.string().min(1).describe("Serial device, e.g. /dev/ttyUSB0 or /dev/serial/by-id/…"),
    baud: z.number().int().positive().default(9600).describe("Baud rate."),
    parity: parity.default("none").describe("Parity: none, even or odd."),
    data_bits: z.union([z.literal(7), z.literal(8)]).default(8).describe("Data bits."),
    stop_bits: z.union([z.literal(1), z.literal(2)]).default(1).describe("Stop bits."),
    timeout_ms: z.number().int().min(20).max(30000).default(500).describe("Default response timeout per request (ms)."),
  })
  .strict();

export const tcpBusSchema = z
  .object({
    id: id.describe("Bus id, referenced by analyzers."),
    type: z.literal("tcp").describe("Modbus TCP."),
    host: z.string().min(1).describe("Host name or IP address of the Modbus TCP device or gateway."),
    port: z.number().int().min(1).max(65535).default(502).describe("TCP port."),
    timeout_ms: z.number().int().min(20).max(30000).default(1000).describe("Default response timeout per request (ms)."),
    max_in_flight: z
      .number()
      .int()
      .min(1)
      .max(64)
      .optional()
      .describe("Requests in flight at once on this connection, each to a different slave (requests to one slave stay in order). 1 sends one request at a time, for gateways that cannot queue. Default 8."),
  })
  .strict();

export const busSchema = z.discriminatedUnion("type", [rtuBusSchema, tcpBusSchema]);

export const channelSchema = z
  .object({
    code: hj212Code.optional().describe("HJ 212 code this channel is uploaded under; overrides the driver's default."),
    enabled: z.boolean().default(true).describe("Set false to stop storing and uploading this channel."),
    scale: z.number().default(1).describe("Unit conversion applied before upload: uploaded = value × scale + offset."),
    offset: z.number().default(0).describe("See scale."),
    unit: z.string().optional().describe("Unit after conversion (default: the instrument's unit)."),
    convert: z
      .enum([...CONVERSIONS, "none"])
      .optional()
      .describe(
        "Named unit conversion before upload, e.g. ppb-to-ug/m3@25C (gases at a reference state) or uSv/h-to-nGy/h; scale and offset apply after it. A gas channel in ppb/ppm uploaded under a code whose platform unit is a mass concentration (SO2, NO, NO2, NOx, CO, O3…) is converted by default when the channel sets no convert, unit, scale or offset: at 25 °C for an ambient station (GB 3095-2012 as amended in 2018), to mg/m³ at 0 °C for a pollution source (all HJ 212 platforms ST 31/32). none keeps the instrument's unit. `config check` prints what each channel gets.",
      ),
    molar_mass: z.number().positive().optional().describe("Molar mass (g/mol) for ppb/ppm conversions of a gas without a built-in value."),
    qc: qcRulesSchema.optional().describe("Screening rules of this channel, overriding qc.defaults key by key."),
    energy_average: z
      .boolean()
      .optional()
      .describe("Aggregate as sound levels: energy average (Leq), L5…L95, Ld/Ln/Ldn (default: when the unit starts with dB)."),
    // Pollution source (HJ 75/76): converted concentrations and totals (agent/uplink/zs.ts, agent/aggregate/totals.ts).
    reference_o2: z
      .number()
      .min(0)
      .max(20.9)
      .optional()
      .describe("Reference O2 (%) of the source type (e.g. 6 for a coal-fired boiler, 3.5 gas, 11 incinerator); with it the channel also uploads converted concentrations -ZsRtd, -ZsMin/-ZsAvg/-ZsMax = C × (21 − reference_o2) / (21 − O2) (HJ 75)."),
    o2_channel: channelRef.optional().describe("The O2 (%) for the converted concentration, as <analyzer>.<channel> (default: this analyzer's O2 channel, code a19001, when it has one)."),
    basis: z.enum(["dry", "wet"]).optional().describe("Whether the concentration is measured dry (the default) or wet; a wet one is made dry with humidity_channel before it is converted."),
    humidity_channel: channelRef.optional().describe("Flue gas humidity (%) for a wet-basis concentration, as <analyzer>.<channel> (default: this analyzer's a01014 channel)."),
    flow_channel: channelRef.optional().describe("The flow this pollutant is emitted with, as <analyzer>.<channel>: the channel then uploads its emission over each minute, hour and day, -Cou (kg)."),
    totalizer_channel: channelRef.optional().describe("For a flow channel (w00000, a00000): its meter's totalizer (m³), as <analyzer>.<channel>, whose rise is the period's -Cou (default: a channel named total of the same analyzer; without one the flow is integrated)."),
  })
  .strict();

export const analyzerSchema = z
  .object({
    id: id.describe("Analyzer id, used by the CLI and in the store."),
    driver: z.string().min(1).describe("Driver id (station-agent drivers lists them)."),
    bus: id.describe("Id of the bus the analyzer is on."),
    slave: z.number().int().min(0).max(247).default(1).describe("Modbus slave (unit) id."),
    interval_s: z.number().min(0.1).max(3600).default(10).describe("Poll interval in seconds."),
    timeout_ms: z.number().int().min(20).max(30000).optional().describe("Response timeout for this analyzer (default: the bus's)."),
    retries: z.number().int().min(0).max(10).default(1).describe("Retries of a failed request before the reading is flagged B."),
    enabled: z.boolean().default(true).describe("Set false to stop polling this analyzer."),
    channels: z
      .record(z.string(), channelSchema)
      .default({})
      .describe("Per-channel overrides keyed by the driver's channel name: code, unit conversion, enabled."),
    options: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .default({})
      .describe("Driver options (e.g. factor for water-dbs)."),
    registers: z
      .array(registerSchema)
      .min(1)
      .optional()
      .describe("The values of an instrument without a driver, read with driver generic-modbus (only that driver takes this key)."),
    states: z
      .array(registerStateSchema)
      .optional()
      .describe("The states of a generic-modbus instrument and the flag each gives its readings."),
    aggregation: aggregationOverrideSchema.optional().describe("Aggregation validity of this analyzer, overriding the station's aggregation key by key."),
    calibration: calibrationSchema.optional().describe("Scheduled zero, span and standard checks of this analyzer, driven through its driver's commands; readings during a check are flagged C."),
    // How reads are coalesced into requests (agent/bus/plan.ts). A coalesced read the slave refuses with
    // exception 02/03 (a hole in its map) is split into its parts by itself, whatever the mode.
    coalesce: z
      .enum(["gaps", "contiguous", "none"])
      .optional()
      .describe("How reads are joined into requests (default gaps): gaps (over up to max_gap unwanted registers, the fewest requests), contiguous (adjacent registers only, for slaves that refuse unmapped addresses), none (one request per value)."),
    max_gap: z.number().int().min(0).max(100).optional().describe("Unwanted registers a request may read to join two values, with coalesce: gaps (default 10, and any gap inside a span the driver's manual maps without a hole, e.g. a T400's input registers 0..57; setting max_gap turns those spans off)."),
  })
  .strict();

export const logSchema = z
  .object({
    level: z.enum(["debug", "info", "warn", "error"]).default("info").describe("Lowest level logged."),
    format: z.enum(["plain", "json"]).default("plain").describe("plain lines, or one JSON object per line (journald)."),
  })
  .strict();

export const configSchema = z
  .object({
    station: stationSchema.describe("Who the station is."),
    storage: storageSchema.describe("Where readings, aggregates and the outbox are kept."),
    log: logSchema.default({ level: "info", format: "plain" }).describe("Logging."),
    buses: z.array(busSchema).default([]).describe("Serial lines and Modbus TCP connections."),
    analyzers: z.array(analyzerSchema).default([]).describe("Instruments polled by the agent."),
    platforms: z.array(anyPlatformSchema).default([]).describe("HJ 212 platforms the station reports to (and HTTP JSON receivers, protocol http-json, and MQTT brokers, protocol mqtt)."),
    qc: qcSchema.prefault({}).describe("Screening of readings: raw values are never changed, flags and reasons are added."),
    aggregation: aggregationSchema.prefault({}).describe("Validity rules of minute, hour and day values."),
    alarms: alarmsSchema.prefault({}).describe("Alarms: exceedances, equipment faults, lost comms, failed calibrations, door open, low disk; stored, audited and sent on."),
    audit: auditSchema.prefault({}).describe("Forward-secure sealing of the audit trail (station-agent audit keygen / verify)."),
    clock: clockSchema.prefault({}).describe("Limits on setting the station clock from a platform."),
    web: webSchema.prefault({}).describe("The local status page for a technician's laptop or phone: served by the agent, read-only, off by default."),
    metrics: metricsSchema.optional().describe("Fleet metrics in the Prometheus text format: an HTTP listener and/or a textfile for node_exporter."),
    gpio: gpioSchema.optional().describe("Raspberry Pi GPIO: door contact, status LED, analyzer power relays. Without GPIO hardware these are off, with one log line."),
  })
  .strict();

export type StationConfig = z.infer<typeof configSchema>;
export type BusConfig = z.infer<typeof busSchema>;
export type RtuBusConfig = z.infer<typeof rtuBusSchema>;
export type TcpBusConfig = z.infer<typeof tcpBusSchema>;
export type AnalyzerConfig = z.infer<typeof analyzerSchema>;
export type ChannelConfig = z.infer<typeof channelSchema>;
/** An HJ 212 platform (TCP). */
/** The HJ 212 platforms of a config (those with host, port, PW and ST). */
