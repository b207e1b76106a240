// What the HJ 212-2025 request handlers (commands-2025.ts) need from the rest of the agent. In a
// file of its own so that commands.ts can name these deps without importing the handlers.
import type { HardwareIds } from "./hardware-ids.js";

/** A finished zero/span/standard check, as 2062 reports it. */
export interface StandardCheckRecord {
  analyzer: string;
  /** PolId the analyzer uploads under. */
  polId: string;
  started: number;
  reading: number | null;
  reference: number;
  pass: boolean | null;
}

/** A stored reading as 2052/2013 answer it. */
export interface ReadingRecord {
  ts: number;
  code: string;
  value: number | null;
  unit: string;
  flag: string;
}

export interface Deps2025 {
  /** This data logger's hardware ids (1001; 1002 names the station by i23005). */
  hardwareIds?: () => HardwareIds;
  /** 3024: starts the analyzer's standard check (PolId: code or analyzer id); resolves to an ExeRtn. */
  standardCheck?: (polId: string) => Promise<number> | number;
  /** 2062: checks that started in [from, to). */
  standardChecks?: (from: number, to: number) => StandardCheckRecord[];
  /** 2052/2013: readings in [from, to), oldest first, at most `limit`. */
  readingsBetween?: (from: number, to: number, limit: number) => ReadingRecord[];
}
