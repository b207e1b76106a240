// `station-agent trace <code> <time>`: where an uploaded value came from — the aggregate, its
// parts, the readings with raw register words and driver@version, QC flags with reasons, and
// the packets (QN, platform, ack) that carried it. Read-only; works beside the running service.
import type { Command } from "commander";
import { traceValue } from "../aggregate/trace.js";
import { QcActionError } from "../qc/actions.js";
import { openDb } from "../store/db.js";
import { formatLocal, parseCliTime } from "../time.js";
import { configPath, loadConfigOrExit } from "./common.js";
import { printJson, table } from "./format.js";
import { exitOnKnownError } from "./service.js";

const PERIODS: Record<string, number> = { minute: 60, hour: 3600, day: 86400 };

export function parsePeriod(s: string): number {
  const m = /^(\d+)-?min$/.exec(s);
  const p = PERIODS[s] ?? (m ? Number(m[1]) * 60 : Number.NaN);
  if (!Number.isFinite(p)) throw new QcActionError(`--period must be minute, hour, day or N-min (got "${s}")`, "trace");
  return p;
}

const num = (v: number | null | undefined) => (v === null || v === undefined ? "-" : String(Number(v.toPrecision(7))));
const periodName = (s: number) => (s === 3600 ? "hour" : s === 86400 ? "day" : s === 60 ? "minute" : `${s / 60}-min`);

export function registerTrace(program: Command): void {
  program
    .command("trace")
    .description("trace an uploaded value back to its readings, raw words, QC flags and packets")
    .argument("<code>", "HJ 212 code, e.g. a05024")
    .argument("<time>", "DataTime in station local time, YYYY-MM-DDTHH:MM")
    .option("-c, --config <file>", "station config file")
    .option("--period <p>", "minute, hour, day or N-min (default: the longest stored at that time)")
    .option("-n, --limit <n>", "readings listed at most", "1000")
    .option("--json", "JSON output")
    .action((code: string, time: string, opts: { config?: string; period?: string; limit: string; json?: boolean }) => {
      const { config } = loadConfigOrExit(configPath(opts.config));
      const tz = config.station.timezone;
      let t;
      try {
        const start = parseCliTime(time, tz);
        const db = openDb(config.storage.path, { readonly: true });
        try {
          t = traceValue(db, code, start, { periodS: opts.period ? parsePeriod(opts.period) : undefined, limit: Number(opts.limit) });
        } finally {
          db.close();
        }
      } catch (err) {
        exitOnKnownError(err, opts.json);
      }
      if (opts.json) return printJson(t);
      if (!t.aggregates.length && !t.readings.length) {
        console.log(`nothing stored for ${code} at ${formatLocal(t.periodStart, tz)}`);
        process.exit(1);
      }
      console.log(`${code} at ${formatLocal(t.periodStart, tz)}\n`);
      console.log(table(["period", "analyzer.channel", "min", "avg", "max", "valid/total", "flag", "validity"],
        t.aggregates.map((a) => [periodName(a.periodS), `${a.analyzer}.${a.channel}`, num(a.min), num(a.avg), num(a.max), `${a.count}/${a.total}`, a.flag, a.note])));
      if (t.parts.length) {
        console.log(`\nbuilt from ${t.parts.length} ${periodName(t.parts[0].periodS)} values:`);
        console.log(table(["start", "avg", "valid/total", "flag"], t.parts.map((a) => [formatLocal(a.periodStart, tz), num(a.avg), `${a.count}/${a.total}`, a.flag])));
      }
      console.log(`\nreadings (${t.readings.length}${t.readingsTotal > t.readings.length ? ` of ${t.readingsTotal}` : ""}):`);
      console.log(table(["id", "time", "analyzer.channel", "value", "raw words", "driver", "state", "flag", "QC"],
        t.readings.map((r) => [r.id, formatLocal(r.ts, tz), `${r.analyzer}.${r.channel}`, r.value === null ? "-" : `${num(r.value)} ${r.unit}`, r.raw, r.source, r.state, r.effectiveFlag,
          r.qc.map((q) => `${q.flag} ${q.rule}: ${q.reason}`).join("; ")])));
      console.log(`\npackets:`);
      console.log(t.packets.length ? table(["platform", "QN", "CN", "queued", "attempts", "acked"], t.packets.map((p) => [p.platform, p.qn, p.cn, formatLocal(p.createdAt, tz), p.attempts, p.ackedAt === null ? "pending" : formatLocal(p.ackedAt, tz)])) : "none");
    });
}
