// Requests a platform sends down the connection: checked (CRC, PW, MN, CN), answered per HJ 212
// (9011 QnRtn, then the work, then 9012 ExeRtn; a notice gets 9013) and carried out. What each
// command does lives in a table; settings it changes become audited overrides (overrides.ts).
// Data requests (history, instrument info) are in commands-data.ts.
import { MIN_INTERVALS } from "../../config/schema.js";
import type { Logger } from "../log.js";
import { formatHj212Time, parseHj212Time } from "../time.js";
import { EXE_RTN, exeRtn, getAnswer, noticeAnswer, QN_RTN, qnRtn } from "./answers.js";
import { dataCommands } from "./commands-data.js";
import type { CommandDef, CommandDeps, RequestCtx, SetClock } from "./command-types.js";
import { DownlinkGuard, type BadFrameKind } from "./downlink-guard.js";
import { readSegmentLoose, type DecodedFrame } from "./hj212/codec.js";
import { parseCp } from "./hj212/cp.js";
import type { OverrideValues } from "./overrides.js";
import type { PlatformSession } from "./session.js";

export type { AuditSink, CommandDef, CommandDeps, RequestCtx, SetClock } from "./command-types.js";

const actor = (s: PlatformSession) => `platform:${s.cfg.id}`;

/** Persists settings a platform changed, applies them to the running session, and audits it. */
function override(ctx: RequestCtx, values: OverrideValues, action: string): void {
  const s = ctx.session;
  ctx.deps.overrides.set(s.cfg.id, values, actor(s));
  const shown = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, k === "pw" ? "******" : v]));
  ctx.deps.audit?.append({ actor: actor(s), action, details: { platform: s.cfg.id, qn: ctx.frame.header.qn, ...shown } });
  ctx.deps.log.info(`platform ${s.cfg.id}: ${action}`, shown);
}

function intIn(v: string | undefined, min: number, max: number): number | null {
  if (v === undefined || !/^\d+$/.test(v)) return null;
  const n = Number(v);
  return n >= min && n <= max ? n : null;
}

const settings: Record<string, CommandDef> = {
  // Timeout (s) and retry count for packets awaiting answers.
  "1000": {
    kind: "request",
    run(ctx) {
      // HJ 212-2017: OverTime and ReCount are N2, 0 < n ≤ 99.
      const t = intIn(ctx.cp.get("OverTime"), 1, 99);
      const r = intIn(ctx.cp.get("ReCount"), 1, 99);
      if (t === null || r === null) return EXE_RTN.conditionError;
      Object.assign(ctx.session.cfg, { ack_timeout_s: t, retries: r });
      ctx.session.reconfigure();
      override(ctx, { ack_timeout_s: t, retries: r }, "platform.set_timeouts");
      return EXE_RTN.ok;
    },
  },
  "1011": {
    kind: "request",
    async run(ctx) {
      const pol = ctx.cp.get("PolId");
      if (pol) return instrumentTime(ctx, pol);
      ctx.data(`SystemTime=${formatHj212Time((ctx.deps.now ?? Date.now)(), ctx.deps.tz)}`);
      return EXE_RTN.ok;
    },
  },
  "1012": {
    kind: "request",
    accept(ctx) {
      if (ctx.cp.get("PolId")) return QN_RTN.ready; // an instrument's clock, not the station's
      if (ctx.session.cfg.allow_time_set) return QN_RTN.ready;
      ctx.deps.log.warn(`platform ${ctx.session.cfg.id} asked to set the clock; refused (allow_time_set is false)`);
      ctx.deps.audit?.append({ actor: actor(ctx.session), action: "clock.set_refused", reason: "allow_time_set is false", details: { requested: ctx.cp.get("SystemTime") } });
      return QN_RTN.rejected;
    },
    async run(ctx) {
      const text = ctx.cp.get("SystemTime") ?? "";
      let ms: number;
      try {
        ms = parseHj212Time(text, ctx.deps.tz);
      } catch {
        return EXE_RTN.conditionError;
      }
      const pol = ctx.cp.get("PolId");
      if (pol) return instrumentTime(ctx, pol, ms);
      const setClock = ctx.deps.setClock ?? refuseClock(ctx.deps.log);
      const rtn = await setClock(ms);
      ctx.deps.audit?.append({
        actor: actor(ctx.session),
        action: rtn === EXE_RTN.ok ? "clock.set" : "clock.set_failed",
        details: { platform: ctx.session.cfg.id, requested: text, offsetMs: ms - Date.now(), exeRtn: rtn },
      });
      return rtn;
    },
  },
  "1061": { kind: "request", run: (ctx) => (ctx.data(`RtdInterval=${ctx.session.cfg.realtime_interval_s}`), EXE_RTN.ok) },
  "1062": {
    kind: "request",
    run(ctx) {
      const v = intIn(ctx.cp.get("RtdInterval"), 30, 3600);
      if (v === null) return EXE_RTN.conditionError;
      ctx.session.cfg.realtime_interval_s = v;
      override(ctx, { realtime_interval_s: v }, "platform.set_rtd_interval");
      return EXE_RTN.ok;
    },
  },
  "1063": { kind: "request", run: (ctx) => (ctx.data(`MinInterval=${ctx.session.cfg.minute_interval_min}`), EXE_RTN.ok) },
  "1064": {
    kind: "request",
    run(ctx) {
      const v = intIn(ctx.cp.get("MinInterval"), 1, 30);
      if (v === null || !(MIN_INTERVALS as readonly number[]).includes(v)) return EXE_RTN.conditionError;
      ctx.session.cfg.minute_interval_min = v;
      override(ctx, { minute_interval_min: v }, "platform.set_min_interval");
      return EXE_RTN.ok;
    },
  },
  // The 9012 still carries the password the request came with; the new one is used from the next packet.
  "1072": {
    kind: "request",
    run(ctx) {
      const pw = ctx.cp.get("NewPW");
      if (!pw || !/^[!-~]{1,32}$/.test(pw) || /[;,=&]/.test(pw)) return EXE_RTN.conditionError;
      override(ctx, { pw }, "platform.set_password");
      ctx.reply(exeRtn(ctx.session.identity(), ctx.frame.header.qn, EXE_RTN.ok));
      ctx.session.cfg.pw = pw;
      return null;
    },
  },
  // C.10/C.12: started realtime / status uploads are answered 9011, then 9012.
  // 2011 with BeginTime/EndTime is a history request (commands-data.ts).
  "2012": { kind: "notice", run: (ctx) => ((ctx.session.runtime.realtime = false), null) },
  "2021": { kind: "request", run: (ctx) => ((ctx.session.runtime.status = true), EXE_RTN.ok) },
  "2022": { kind: "notice", run: (ctx) => ((ctx.session.runtime.status = false), null) },
};

/** The analyzer a PolId names (one of its codes, or its id). */
const analyzerOf = (ctx: RequestCtx, pol: string) => ctx.deps.instruments?.find((i) => i.codes.includes(pol) || i.analyzer === pol)?.analyzer;

/**
 * 1011/1012 with PolId (C.2, C.3): that instrument's clock, read (answered `PolId=…;SystemTime=…`)
 * or set; ExeRtn=2 when its driver has no clock (or the station cannot reach it), 100 for no such instrument.
 */
async function instrumentTime(ctx: RequestCtx, pol: string, set?: number): Promise<number> {
  const id = analyzerOf(ctx, pol);
  if (!id) return EXE_RTN.noData;
  const clock = ctx.deps.instrumentClock;
  if (!clock?.has(id)) return EXE_RTN.failed;
  try {
    if (set === undefined) {
      const ms = await clock.read(id);
      if (ms === null) return EXE_RTN.failed;
      ctx.data(`PolId=${pol};SystemTime=${formatHj212Time(ms, ctx.deps.tz)}`);
      return EXE_RTN.ok;
    }
    const ok = await clock.set(id, set);
    ctx.deps.audit?.append({ actor: actor(ctx.session), action: ok ? "instrument.clock_set" : "instrument.clock_set_failed", details: { analyzer: id, polId: pol, requested: formatHj212Time(set, ctx.deps.tz) } });
    return ok ? EXE_RTN.ok : EXE_RTN.failed;
  } catch (err) {
    ctx.deps.log.warn(`platform ${ctx.session.cfg.id}: clock of ${id}: ${(err as Error).message}`);
    return EXE_RTN.timeout;
  }
}

/** The default clock: refuses, because setting it needs a privilege this process must not have. */
export function refuseClock(log: Logger): SetClock {
  return () => {
    log.warn("cannot set the system clock: no clock-setting method is configured (needs CAP_SYS_TIME); answered ExeRtn=2");
    return EXE_RTN.failed;
  };
}

// Answers that platforms send us, and heartbeats: nothing to answer (answering would ping-pong).
const SILENT = new Set(["9011", "9012", "9013"]);

export class RequestHandler {
  private readonly commands: Record<string, CommandDef>;
  /** Per connection (a session's `since`): bad frames counted, their answers rate-limited (downlink-guard.ts). */
  private readonly guards = new Map<PlatformSession, { since: number | null; guard: DownlinkGuard }>();

  /** CNs answered QnRtn=8 so far: each is logged once, however often a platform sends it. */
  private readonly unknownLogged = new Set<string>();

  /** `more`: commands of newer protocol versions, registered by the composition root (HJ 212-2025: commands-2025.ts). */
  constructor(
    private readonly deps: CommandDeps,
    more: Record<string, CommandDef> = {},
  ) {
    this.commands = { ...settings, ...dataCommands, ...more };
  }

  private guard(session: PlatformSession): DownlinkGuard {
    const since = session.state().since;
    let g = this.guards.get(session);
    if (!g || g.since !== since) {
      g?.guard.flush();
      g = { since, guard: new DownlinkGuard(session.cfg.id, { log: this.deps.log, audit: this.deps.audit, now: this.deps.now }) };
      this.guards.set(session, g);
    }
    return g.guard;
  }

  /** A frame that failed only its CRC: answered QnRtn=9 when its header names this station (rate-limited). */
  onBadCrc(segment: string, session: PlatformSession): void {
    const seg = readSegmentLoose(segment);
    const ours = !!seg && seg.header.mn === session.mn && !SILENT.has(seg.header.cn ?? "");
    if (!this.guard(session).allow("bad-crc", ours)) return;
    session.sendSegment(qnRtn(session.identity(), seg!.header.qn, QN_RTN.badCrc));
  }

  /** A frame that could not be read at all: counted, never answered, summarised once a minute. */
  onBadFrame(_reason: string, session: PlatformSession): void {
    this.guard(session).allow("malformed", false);
  }

  handle(frame: DecodedFrame, session: PlatformSession): void {
    this.dispatch(frame, session).catch((err: unknown) =>
      this.deps.log.error(`platform ${session.cfg.id}: CN=${frame.header.cn} failed: ${(err as Error).message}`),
    );
  }

  async dispatch(frame: DecodedFrame, session: PlatformSession): Promise<void> {
    const h = frame.header;
    const id = session.identity();
    const reply = (segment: string) => void session.sendSegment(segment);
    if (SILENT.has(h.cn ?? "")) return;
    // PW before MN: a platform with the wrong password learns nothing else about the station.
    // Answers to bad requests are rate-limited and counted (one summary a minute), never logged one by one.
    const refuse = (kind: BadFrameKind, code: number) => void (this.guard(session).allow(kind) && reply(qnRtn(id, h.qn, code)));
    if (h.pw !== session.cfg.pw) return refuse("wrong-pw", QN_RTN.badPw);
    const def = this.commands[h.cn ?? ""];
    if (h.mn !== session.mn && !def?.anyMn) return refuse("wrong-mn", QN_RTN.badMn);
    if (!def) {
      const cn = String(h.cn).slice(0, 8);
      if (!this.unknownLogged.has(cn) && this.unknownLogged.size < 1000) {
        this.unknownLogged.add(cn);
        this.deps.log.info(`platform ${session.cfg.id}: command CN=${cn} is not implemented, answered QnRtn=8 (logged once per CN)`);
      }
      return refuse("unknown-cn", QN_RTN.badCn);
    }
    let cp: Map<string, string>;
    try {
      cp = parseCp(frame.cp).fields;
    } catch {
      return refuse("bad-cp", QN_RTN.rejected);
    }
    // A heartbeat is not an intervention: auditing one a minute would bury the ones that are.
    if (h.cn !== "9015") this.deps.audit?.append({ actor: `platform:${session.cfg.id}`, action: "platform.command", details: { cn: h.cn, qn: h.qn } });
    const ctx: RequestCtx = {
      frame, cp, session, deps: this.deps, reply,
      data: (text) => reply(getAnswer(session.identity(), h.qn, h.cn!, text)),
    };
    if (def.kind === "notice") {
      await def.run(ctx);
      return def.quiet?.(ctx) ? undefined : reply(noticeAnswer(id, h.qn));
    }
    const accepted = def.accept?.(ctx) ?? QN_RTN.ready;
    reply(qnRtn(id, h.qn, accepted));
    if (accepted !== QN_RTN.ready) return;
    const rtn = await def.run(ctx);
    if (rtn !== null) reply(exeRtn(session.identity(), h.qn, rtn));
  }
}
