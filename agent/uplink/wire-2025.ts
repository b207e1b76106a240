// The HJ 212-2025 parts of a running agent, built in one place so requests.ts only lists them: the SM4
// key store in the state directory, the request handlers' sources (hardware ids, standard checks,
// readings), and the station-side module (1001 on connect, 2062 uploads, the key-age alarm).
import { join } from "node:path";
import type { EventBus } from "../events.js";
import type { Logger } from "../log.js";
import type { CheckResult } from "../calibration/run.js";
import type { CalibrationRow } from "../calibration/store.js";
import type { StoredReading } from "../types.js";
import { commands2025, type Deps2025, type StandardCheckRecord } from "./commands-2025.js";
import type { CommandDef } from "./commands.js";
import { hostHardwareIds, type HardwareIds } from "./hardware-ids.js";
import { Hj2025Station, type KeyAgeAlarms } from "./hj2025.js";
import { KEY_FILE, Sm4KeyStore } from "./keys.js";
import type { Outbox } from "./outbox.js";
import type { PlatformSession } from "./session.js";

export interface Hj2025Inputs {
  stateDir: string;
  log: Logger;
  tz: string;
  outbox: Outbox;
  events: EventBus;
  sessions: () => Iterable<PlatformSession>;
  readingsBetween: (from: number, to: number, limit: number) => StoredReading[];
  calibrations: () => CalibrationRow[];
  standardCheck: (polId: string) => Promise<number> | number;
  codesOf: (analyzer: string) => readonly string[];
  alarms: () => KeyAgeAlarms | null | undefined;
  hardwareIds?: () => HardwareIds;
}

export interface Hj2025Parts {
  keyStore: Sm4KeyStore;
  station: Hj2025Station;
  /** The 2025 request handlers and what they need, for RequestHandler. */
  commands: Record<string, CommandDef>;
  deps: Deps2025;
  onCheckResult: (r: CheckResult) => void;
}

export function hj2025Parts(o: Hj2025Inputs): Hj2025Parts {
  const keyStore = new Sm4KeyStore(join(o.stateDir, KEY_FILE));
  try {
    keyStore.load();
  } catch (err) {
    // Unreadable: the configured keys are used; a platform's next 1014 writes a new file.
    o.log.error(`SM4 key store ${keyStore.path} could not be read (${(err as Error).message}); using the configured keys`);
  }
  let ids: HardwareIds | null = null;
  const hardwareIds = o.hardwareIds ?? (() => (ids ??= hostHardwareIds()));
  const record = (r: Pick<CalibrationRow, "analyzer" | "started" | "reading" | "reference" | "pass">): StandardCheckRecord => ({
    analyzer: r.analyzer, polId: o.codesOf(r.analyzer)[0] ?? r.analyzer, started: r.started, reading: r.reading, reference: r.reference, pass: r.pass,
  });
  const station = new Hj2025Station({ sessions: o.sessions, events: o.events, outbox: o.outbox, log: o.log, tz: o.tz, hardwareIds, alarms: o.alarms });
  const deps: Deps2025 = {
    hardwareIds,
    standardCheck: o.standardCheck,
    standardChecks: (from, to) => o.calibrations().filter((r) => r.ended !== null && r.started >= from && r.started < to).map(record).reverse(),
    readingsBetween: o.readingsBetween,
  };
  return { keyStore, station, commands: commands2025, deps, onCheckResult: (r) => (r.error === null ? station.queueStandardCheck(record(r)) : undefined) };
}
