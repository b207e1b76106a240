// Re-queues stored minute/hour/day data of a time range as new packets (new QNs) for one platform:
// `station-agent resend`, through the running service or straight into the database. They join the
// backlog lane, so a large resend never delays live data.
import type { AnyPlatformConfig } from "../../config/schema.js";
import type { Aggregate } from "../types.js";
import { UPLOAD_CN } from "../types.js";
import type { Outbox } from "./outbox.js";
import { aggregateCp, type ChannelLookup } from "./packets.js";

export type ResendKind = "minute" | "hour" | "day";
export const RESEND_KINDS: readonly ResendKind[] = ["minute", "hour", "day"];

export interface ResendRequest {
  platform: string;
  /** Periods starting in [from, to] (ms, UTC) are sent again. */
  from: number;
  to: number;
  kind: ResendKind;
}

export interface ResendResult {
  platform: string;
  kind: ResendKind;
  from: number;
  to: number;
  queued: number;
  /** Outbox ids of the new packets (contiguous: made in one transaction), for following their acks. */
  firstId: number | null;
  lastId: number | null;
}

/** A resend that cannot be done as asked (unknown platform, empty range). */
export class ResendError extends Error {
  readonly resendError = true as const;
  constructor(message: string, readonly platform: string) {
    super(message);
    this.name = "ResendError";
  }
}

export interface ResendDeps {
  outbox: Outbox;
  aggregates: { list(periodS: number, from: number, to: number): Aggregate[] };
  lookup: ChannelLookup;
  tz: string;
  platforms: readonly AnyPlatformConfig[];
  transaction: <T>(fn: () => T) => T;
}

export function queueResend(deps: ResendDeps, req: ResendRequest): ResendResult {
  const p = deps.platforms.find((x) => x.id === req.platform);
  if (!p) throw new ResendError(`unknown platform "${req.platform}" (configured: ${deps.platforms.map((x) => x.id).join(", ") || "none"})`, req.platform);
  if (req.to < req.from) throw new ResendError("--to is before --from", req.platform);
  const periodS = req.kind === "minute" ? p.minute_interval_min * 60 : req.kind === "hour" ? 3600 : 86400;
  const byStart = new Map<number, Aggregate[]>();
  for (const a of deps.aggregates.list(periodS, req.from, req.to + 1)) byStart.set(a.periodStart, [...(byStart.get(a.periodStart) ?? []), a]);
  const packets = [...byStart].flatMap(([start, group]) => {
    const cp = aggregateCp(group, deps.tz, deps.lookup);
    return cp ? [{ platform: p.id, cn: UPLOAD_CN[req.kind], dataTime: start, cp, ackRequired: true, lane: "resend" as const }] : [];
  });
  const made = deps.transaction(() => deps.outbox.enqueue(packets));
  return {
    platform: p.id, kind: req.kind, from: req.from, to: req.to, queued: made.length,
    firstId: made[0]?.id ?? null, lastId: made.at(-1)?.id ?? null,
  };
}
