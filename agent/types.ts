// Shapes that cross module boundaries. Modules import these, never each other's internals.
// Data flows one way: poll → store → qc → aggregate → outbox → platform.

/** HJ 212 data flags (see HJ 212-2017 §6.6 and test/fixtures/hj212.md). */
export type Hj212Flag = "N" | "F" | "M" | "S" | "D" | "C" | "T" | "B";
export const HJ212_FLAGS: readonly Hj212Flag[] = ["N", "F", "M", "S", "D", "C", "T", "B"];

/** One value of one channel of one analyzer, as polled. Stored before anything else happens to it. */
export interface Reading {
  /** Milliseconds since the epoch (UTC): when the response arrived, or the instrument's own sample time. */
  ts: number;
  analyzer: string;
  channel: string;
  /** HJ 212 pollutant code the value is uploaded under (from the driver, overridable in config). */
  code: string;
  /** Value in the instrument's unit; null when there is none (no answer, decode failure). */
  value: number | null;
  unit: string;
  /** The flag the instrument state implies (B when the instrument did not answer). */
  flag: Hj212Flag;
  /** Instrument state name from the driver ("ok" when normal, "no-answer" for B). */
  state: string;
  /** The raw register words the value was decoded from, big-endian bytes as on the wire; null if none. */
  raw: Buffer | null;
  /** `driver-id@version` that produced the reading. */
  source: string;
}

/** A stored reading: a Reading with its row id. */
export interface StoredReading extends Reading {
  id: number;
}

/** Aggregate of one channel over one period (minute/N-minute/hour/day). */
export interface Aggregate {
  analyzer: string;
  channel: string;
  code: string;
  /** Period start, ms since the epoch (UTC). HJ 212 DataTime = period start in station local time. */
  periodStart: number;
  /** Period length in seconds (60·N for N-minute data, 3600, 86400). */
  periodS: number;
  min: number | null;
  avg: number | null;
  max: number | null;
  /** Number of valid values used. */
  count: number;
  /** Number of readings seen in the period, valid or not. */
  total: number;
  flag: Hj212Flag | "H";
  unit: string;
  /** Extra statistics: for sound levels L5…L95 (and Ld/Ln/Ldn for a day). */
  stats?: Record<string, number>;
  /** How the validity rule was met ("45 valid minutes, HJ 663-2013 / GB 3095-2012 needs 45: valid"). */
  note?: string;
}

/** What a platform upload is about; maps to an HJ 212 CN. */
export type UploadKind = "realtime" | "minute" | "hour" | "day";
export const UPLOAD_CN: Record<UploadKind, string> = { realtime: "2011", minute: "2051", hour: "2061", day: "2031" };

/** A packet in a platform's outbox. QN is assigned once, at creation, and kept on every retransmission. */
export interface Packet {
  id: number;
  platform: string;
  qn: string;
  cn: string;
  /** DataTime of the packet's content, ms since the epoch (UTC). */
  dataTime: number;
  /** The CP content (without the surrounding `CP=&&` … `&&`). */
  cp: string;
  /** Whether the platform must answer (Flag bit A). */
  ackRequired: boolean;
  createdAt: number;
  attempts: number;
  ackedAt: number | null;
  /** Taken from the backlog (made before the connection came up, or re-queued by hand): a 补传, RF=1 in HJ 212-2025. */
  resent?: boolean;
}

/** One channel of one analyzer: what totals and converted concentrations refer to. */
export interface ChannelRef {
  analyzer: string;
  channel: string;
}
