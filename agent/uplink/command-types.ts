// The shapes of platform request handling, shared by the command tables (commands.ts,
// commands-data.ts, commands-2025.ts) so that none of them imports another's internals.
import type { Aggregate } from "../types.js";
import type { Logger } from "../log.js";
import type { Deps2025 } from "./deps-2025.js";
import type { FieldInfo } from "./field-info.js";
import type { DecodedFrame } from "./hj212/codec.js";
import type { HistoryRequests } from "./history.js";
import type { InstrumentClock } from "./instrument-clock.js";
import type { Outbox } from "./outbox.js";
import type { OverrideStore } from "./overrides.js";
import type { ChannelLookup } from "./packets.js";
import type { PlatformSession } from "./session.js";

/** What the station knows about one analyzer, for 3019/3020. */
export interface InstrumentInfo {
  analyzer: string;
  driver: string;
  /** HJ 212 codes the analyzer uploads (PolId). */
  codes: string[];
  /** Serial number from the config (analyzer option `sn`); the analyzer id when unknown. */
  sn?: string;
}

export interface DataDeps {
  tz: string;
  log: Logger;
  outbox: Outbox;
  aggregates: { list(periodS: number, from: number, to: number): Aggregate[] };
  lookup: ChannelLookup;
  instruments?: InstrumentInfo[];
  /** Field-machine info items of an instrument, by PolId (field-info.ts); absent: nothing to report. */
  fieldInfo?: FieldInfo;
  /** Zero/span calibration by the calibration module; resolves to an ExeRtn. */
  calibrate?: (analyzerOrCode: string, kind: "zero" | "span" | "zero-span") => Promise<number> | number;
  /** History requests in bounded slices (history.ts); made from these deps when absent. */
  history?: HistoryRequests;
  /** 2041: CP of one day's run-time data, null when none. */
  runtime?: (dayStart: number) => string | null;
  /** Local day start of an instant, for 2041 ranges. */
  dayStart?: (ms: number) => number;
}

/** The audit trail's API (agent/audit); optional so the uplink works without it. */
export interface AuditSink {
  append(entry: { actor: string; action: string; reason?: string; details?: Record<string, unknown> }): unknown;
}

/** Sets the OS clock; returns an ExeRtn. Needs a privilege the agent does not have itself. */
export type SetClock = (ms: number) => Promise<number> | number;

export interface CommandDeps extends DataDeps, Deps2025 {
  log: Logger;
  overrides: OverrideStore;
  audit?: AuditSink;
  setClock?: SetClock;
  /** Instruments' own clocks (1011/1012 with PolId, instrument-clock.ts). */
  instrumentClock?: InstrumentClock;
  now?: () => number;
}

/** One request being handled: its frame, its CP, and how to answer. */
export interface RequestCtx {
  frame: DecodedFrame;
  cp: Map<string, string>;
  session: PlatformSession;
  deps: CommandDeps;
  reply(segment: string): void;
  /** Answers a "get" with data under the request's CN and QN. */
  data(cp: string): void;
}

/**
 * A command: `notice` ones are answered 9013 and nothing else; `request` ones 9011, then `run`,
 * whose ExeRtn goes out as 9012 (none when `run` returns null: realtime/status streams just start).
 * `accept` may refuse before anything happens (a QnRtn other than 1).
 */
export interface CommandDef {
  kind: "request" | "notice";
  /** 1002 names the station by its data logger id and carries the MN it assigns: no MN check. */
  anyMn?: boolean;
  /** A notice that is answered only when this is false (9015 heartbeats). */
  quiet?: (ctx: RequestCtx) => boolean;
  accept?: (ctx: RequestCtx) => number;
  run: (ctx: RequestCtx) => Promise<number | null> | number | null;
}
