// Commands HJ 212-2025 added that a station meets (registered from commands.ts): keys (1014) and
// the MN (1002) from the platform, standard checks (3024 start, 2062 results), noise single
// measurements (2052), raw data (2013), sample retention (3022) and the heartbeat (9015).
import type { Logger } from "../log.js";
import { formatHj212Time, parseHj212Time } from "../time.js";
import { EXE_RTN, exeRtn, QN_RTN } from "./answers.js";
import type { CommandDef, RequestCtx } from "./commands.js";
import { parseFlag } from "./hj212/codec.js";
import { formatValue, readTimeRange } from "./hj212/cp.js";
import { parseSm4Key, Sm4Error } from "./hj212/sm4.js";
import type { ReadingRecord, StandardCheckRecord } from "./deps-2025.js";

export type { Deps2025, ReadingRecord, StandardCheckRecord } from "./deps-2025.js";

/** Most answers one 2052/2013 request gets: a platform asking for a year of raw data gets the first part. */
const MAX_ANSWERS = 500;
const VALID_MN = /^[0-9A-Za-z]{14,24}$/;
const actor = (ctx: RequestCtx) => `platform:${ctx.session.cfg.id}`;
const isSound = (unit: string) => /^db/i.test(unit);

/** 2062 CP for one check (caoyiliang/HJ212's layout: SampleRd, StandardValue, ResultType 1 pass / 0 fail). */
export function standardCheckCp(r: StandardCheckRecord, tz: string): string {
  const parts = [`${r.polId}-SampleRd=${r.reading === null ? "" : formatValue(r.reading)}`, `${r.polId}-StandardValue=${formatValue(r.reference)}`];
  if (r.pass !== null) parts.push(`${r.polId}-ResultType=${r.pass ? 1 : 0}`);
  return `DataTime=${formatHj212Time(r.started, tz)};${parts.join(";")}`;
}

function rangeOr(ctx: RequestCtx, fallbackMs: number): { begin: number; end: number } | null {
  if (!ctx.cp.has("BeginTime")) {
    const now = (ctx.deps.now ?? Date.now)();
    return { begin: now - fallbackMs, end: now };
  }
  try {
    const r = readTimeRange(ctx.frame.cp, ctx.deps.tz);
    return r.end < r.begin ? null : r;
  } catch {
    return null;
  }
}

/** Readings grouped by time, one answer per time, at most MAX_ANSWERS. */
function answerReadings(ctx: RequestCtx, rows: ReadingRecord[], item: (r: ReadingRecord) => string): number {
  const byTs = new Map<number, string[]>();
  for (const r of rows) {
    if (r.value === null) continue;
    if (!byTs.has(r.ts) && byTs.size >= MAX_ANSWERS) break;
    byTs.set(r.ts, [...(byTs.get(r.ts) ?? []), item(r)]);
  }
  if (!byTs.size) return EXE_RTN.noData;
  for (const [ts, items] of byTs) ctx.data(`DataTime=${formatHj212Time(ts, ctx.deps.tz)};${items.join(";")}`);
  return EXE_RTN.ok;
}

/** 1014's NewSK as a key, or why it is not one. */
function newKey(ctx: RequestCtx): { key: Buffer } | { why: string } {
  const text = ctx.cp.get("NewSK");
  if (text === undefined) return { why: "it has no NewSK" };
  try {
    return { key: parseSm4Key(text) };
  } catch (err) {
    if (err instanceof Sm4Error) return { why: `NewSK is not a key: ${err.reason}` };
    throw err;
  }
}

function refuse(log: Logger, ctx: RequestCtx, what: string, why: string): number {
  log.warn(`platform ${ctx.session.cfg.id}: ${what} refused (QN ${ctx.frame.header.qn ?? "?"}): ${why}`);
  return EXE_RTN.conditionError;
}

export const commands2025: Record<string, CommandDef> = {
  // New SM4 key (§6.4.3): stored durably first; the 9012 and everything after use the new key.
  "1014": {
    kind: "request",
    run(ctx) {
      const k = newKey(ctx);
      if ("why" in k) return refuse(ctx.deps.log, ctx, "new SM4 key (1014)", `${k.why}; the current key stays`);
      const created = ctx.cp.get("SKCreateTime");
      let createdAt: number | null = null;
      try {
        createdAt = created ? parseHj212Time(created, ctx.deps.tz) : null;
      } catch {
        ctx.deps.log.warn(`platform ${ctx.session.cfg.id}: 1014 SKCreateTime=${created} is not a time; the key's age counts from now`);
      }
      try {
        ctx.session.codec.crypto.rotate(k.key, createdAt, actor(ctx));
      } catch (err) {
        ctx.deps.log.error(`platform ${ctx.session.cfg.id}: new SM4 key (1014) could not be stored, the current key stays: ${(err as Error).message}`);
        return EXE_RTN.failed;
      }
      ctx.deps.audit?.append({ actor: actor(ctx), action: "platform.sm4_key_set", details: { platform: ctx.session.cfg.id, qn: ctx.frame.header.qn, skCreateTime: created ?? null } });
      ctx.deps.log.info(`platform ${ctx.session.cfg.id}: new SM4 key stored (SKCreateTime ${created ?? "not given"}); the previous key decrypts for 60 s more`);
      return EXE_RTN.ok;
    },
  },
  // The platform assigns the MN (in the header) to the data logger named by i23005-Info.
  "1002": {
    kind: "request",
    anyMn: true,
    accept(ctx) {
      const ours = ctx.deps.hardwareIds?.().loggerId;
      const named = ctx.cp.get("i23005-Info");
      const mn = ctx.frame.header.mn ?? "";
      if (!ours || named !== ours) {
        ctx.deps.log.warn(`platform ${ctx.session.cfg.id}: 1002 assigns MN ${mn} to data logger ${named ?? "?"}, not this one (${ours ?? "unknown"}); refused`);
        return QN_RTN.rejected;
      }
      if (!VALID_MN.test(mn)) {
        ctx.deps.log.warn(`platform ${ctx.session.cfg.id}: 1002 MN ${JSON.stringify(mn)} is not 14–24 letters or digits; refused`);
        return QN_RTN.badMn;
      }
      return QN_RTN.ready;
    },
    run(ctx) {
      const s = ctx.session;
      const old = s.mn;
      const mn = ctx.frame.header.mn!;
      ctx.deps.overrides.set(s.cfg.id, { mn }, actor(ctx));
      ctx.deps.audit?.append({ actor: actor(ctx), action: "platform.set_mn", details: { platform: s.cfg.id, qn: ctx.frame.header.qn, from: old, to: mn } });
      ctx.deps.log.info(`platform ${s.cfg.id}: MN set to ${mn} (was ${old}), used from the next packet`);
      ctx.reply(exeRtn(s.identity(), ctx.frame.header.qn, EXE_RTN.ok));
      s.cfg.mn = mn;
      return null;
    },
  },
  "3024": {
    kind: "request",
    async run(ctx) {
      const pol = ctx.cp.get("PolId");
      if (!pol) return EXE_RTN.conditionError;
      if (!ctx.deps.standardCheck) return refuse(ctx.deps.log, ctx, `standard check of ${pol} (3024)`, "calibration is not available on this station");
      ctx.deps.audit?.append({ actor: actor(ctx), action: "calibration.request", details: { polId: pol, kind: "standard" } });
      return ctx.deps.standardCheck(pol);
    },
  },
  "2062": {
    kind: "request",
    run(ctx) {
      const range = rangeOr(ctx, 86_400_000);
      if (!range) return EXE_RTN.conditionError;
      const pol = ctx.cp.get("PolId");
      const rows = (ctx.deps.standardChecks?.(range.begin, range.end + 1) ?? []).filter((r) => !pol || r.polId === pol || r.analyzer === pol).slice(0, MAX_ANSWERS);
      for (const r of rows) ctx.data(standardCheckCp(r, ctx.deps.tz));
      return rows.length ? EXE_RTN.ok : EXE_RTN.noData;
    },
  },
  // Noise single measurements: the sound levels (dB) measured in the range (default: the last minute).
  "2052": {
    kind: "request",
    run(ctx) {
      const range = rangeOr(ctx, 60_000);
      if (!range) return EXE_RTN.conditionError;
      const rows = (ctx.deps.readingsBetween?.(range.begin, range.end + 1, MAX_ANSWERS * 20) ?? []).filter((r) => isSound(r.unit));
      return answerReadings(ctx, rows, (r) => `${r.code}-Data=${formatValue(r.value!, 1)}`);
    },
  },
  // Raw data: every stored reading (as the analyzer gave it) in the range (default: the last minute).
  "2013": {
    kind: "request",
    run(ctx) {
      const range = rangeOr(ctx, 60_000);
      if (!range) return EXE_RTN.conditionError;
      const rows = ctx.deps.readingsBetween?.(range.begin, range.end + 1, MAX_ANSWERS * 20) ?? [];
      return answerReadings(ctx, rows, (r) => `${r.code}-Avg=${formatValue(r.value!)},${r.code}-Flag=${r.flag}`);
    },
  },
  // Sample retention needs a sampler the station can command; no driver has one.
  "3022": {
    kind: "request",
    run: (ctx) => (ctx.deps.log.warn(`platform ${ctx.session.cfg.id} asked for a sample-retention task (3022): no analyzer here has a sampler command; ExeRtn=2`), EXE_RTN.failed),
  },
  // The platform's heartbeat: answered 9013 when its Flag asks for an answer, or heartbeat_ack says so.
  "9015": {
    kind: "notice",
    quiet: (ctx) => !(ctx.session.cfg.heartbeat_ack || (ctx.frame.header.flag !== undefined && parseFlag(ctx.frame.header.flag).ack)),
    run: () => null,
  },
};
