// Platform requests that are answered with data: history backfill (2051/2061/2031) from the
// aggregates table, instrument serial numbers (3019), field-machine info (3020/3021), and
// calibration (3011) through the calibration module when there is one.
import { HistoryRequests } from "./history.js";
import { formatHj212Time } from "../time.js";
import { EXE_RTN } from "./answers.js";
import type { CommandDef, DataDeps, InstrumentInfo, RequestCtx } from "./command-types.js";
import { readTimeRange } from "./hj212/cp.js";

export type { DataDeps, InstrumentInfo } from "./command-types.js";

const HISTORY_PERIOD: Record<string, (ctx: RequestCtx) => number> = {
  "2051": (ctx) => ctx.session.cfg.minute_interval_min * 60,
  "2061": () => 3600,
  "2031": () => 86400,
  "2041": () => 86400,
  "2011": (ctx) => ctx.session.cfg.realtime_interval_s,
};

const made = new WeakMap<object, HistoryRequests>();

/**
 * History request (2051/2061/2031 aggregates, 2041 run-time days, C.17–C.23): the stored periods
 * starting within [BeginTime, EndTime] become new packets (own QNs, acked by 9014) in the outbox's
 * request lane, so they survive a disconnect and go out ahead of any backlog; queued a bounded
 * slice at a time (history.ts). 9012 follows once all are acknowledged: ExeRtn 1, 2 when the
 * request was cut at max_request_packets, or 100 when there is no data.
 */
async function history(ctx: RequestCtx): Promise<number | null> {
  const { deps, session } = ctx;
  const cn = ctx.frame.header.cn!;
  let range: { begin: number; end: number };
  try {
    range = readTimeRange(ctx.frame.cp, deps.tz);
  } catch {
    return EXE_RTN.conditionError;
  }
  if (range.end < range.begin) return EXE_RTN.conditionError;
  let h = deps.history ?? made.get(deps);
  if (!h) made.set(deps, (h = new HistoryRequests(deps)));
  return h.answer(session, { qn: ctx.frame.header.qn, cn, ...range, periodS: HISTORY_PERIOD[cn](ctx), kind: cn === "2041" ? "runtime" : cn === "2011" ? "realtime" : "aggregate" });
}

function instrumentOf(ctx: RequestCtx): InstrumentInfo | undefined {
  const pol = ctx.cp.get("PolId");
  return ctx.deps.instruments?.find((i) => (pol ? i.codes.includes(pol) || i.analyzer === pol : false));
}

/** CP bytes of one 3020 answer's items: with the header and DataTime the segment stays under 1024. */
const ANSWER_CP_BYTES = 900;

/** A value safe inside CP: separators would change the structure of the answer. */
const cpSafe = (v: string) => v.replace(/[;,=&\r\n]/g, " ").trim();

export const dataCommands: Record<string, CommandDef> = {
  "2051": { kind: "request", run: history },
  "2061": { kind: "request", run: history },
  "2031": { kind: "request", run: history },
  "2041": { kind: "request", run: history },
  // C.10: 2011 starts live realtime uploads (9011, then 9012). With BeginTime/EndTime, which the
  // 2017 text does not define for 2011 but platforms send to get realtime data back, the stored
  // readings of the range go out as realtime packets, like any history request.
  "2011": { kind: "request", run: (ctx) => (ctx.cp.has("BeginTime") ? history(ctx) : ((ctx.session.runtime.realtime = true), EXE_RTN.ok)) },
  "3011": {
    kind: "request",
    async run(ctx) {
      const pol = ctx.cp.get("PolId");
      if (!pol) return EXE_RTN.conditionError;
      if (!ctx.deps.calibrate) {
        ctx.deps.log.warn(`platform ${ctx.session.cfg.id} asked to calibrate ${pol}: calibration is not available on this station`);
        return EXE_RTN.failed;
      }
      ctx.deps.audit?.append({ actor: `platform:${ctx.session.cfg.id}`, action: "calibration.request", details: { polId: pol } });
      return ctx.deps.calibrate(pol, "zero-span");
    },
  },
  // C.38: `PolId=w01018;w01018-SN=…`, no DataTime.
  "3019": {
    kind: "request",
    run(ctx) {
      const inst = instrumentOf(ctx);
      const pol = ctx.cp.get("PolId");
      if (!inst || !pol) return EXE_RTN.noData;
      ctx.data(`PolId=${pol};${pol}-SN=${cpSafe(inst.sn ?? inst.analyzer)}`);
      return EXE_RTN.ok;
    },
  },
  // Without PolId the request is about the station itself (C.40 note 2): its class-2/3 items.
  "3020": {
    kind: "request",
    run(ctx) {
      const pol = ctx.cp.get("PolId") || undefined;
      if (pol && !instrumentOf(ctx)) return EXE_RTN.noData;
      // Logs (i11001) are asked for over a time range; other items are the present state.
      let range: { begin: number; end: number } | undefined;
      try {
        range = ctx.cp.has("BeginTime") ? readTimeRange(ctx.frame.cp, ctx.deps.tz) : undefined;
      } catch {
        return EXE_RTN.conditionError;
      }
      const items = ctx.deps.fieldInfo?.(pol, ctx.cp.get("InfoId"), range, ctx.session.cfg.id) ?? [];
      if (!items.length) return EXE_RTN.noData;
      // One answer per DataTime: a log entry carries its own time, current values the time of asking.
      // Answers are never split packets: a DataTime with more items than fit goes out as several.
      const now = (ctx.deps.now ?? Date.now)();
      const byTime = new Map<number, string[]>();
      for (const [k, v, at = now] of items) byTime.set(at, [...(byTime.get(at) ?? []), `${k}-Info=${cpSafe(v)}`]);
      for (const [at, info] of [...byTime].sort((x, y) => x[0] - y[0])) {
        const head = `DataTime=${formatHj212Time(at, ctx.deps.tz)}${pol ? `;PolId=${pol}` : ""}`;
        let part: string[] = [];
        let bytes = 0;
        for (const item of info) {
          const n = Buffer.byteLength(item, "utf8") + 1;
          if (part.length && bytes + n > ANSWER_CP_BYTES) {
            ctx.data([head, ...part].join(";"));
            part = [];
            bytes = 0;
          }
          part.push(item);
          bytes += n;
        }
        ctx.data([head, ...part].join(";"));
      }
      return EXE_RTN.ok;
    },
  },
  // Writing instrument parameters needs a driver that supports it; none does yet.
  "3021": {
    kind: "request",
    run(ctx) {
      ctx.deps.log.warn(`platform ${ctx.session.cfg.id} asked to set field info of ${ctx.cp.get("PolId") ?? "?"}: not supported`);
      return EXE_RTN.failed;
    },
  },
};
