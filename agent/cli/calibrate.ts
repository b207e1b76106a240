// `station-agent calibrate <analyzer> zero|span|standard`: runs a check now and prints its result.
// Through the running service (the check uses the service's bus and stored readings), or, when no
// service runs, directly on the bus, saying so; recorded, flagged and audited either way.
// Exit 0 when the check passed, 1 when it failed or could not complete, 2 for a usage error.
import type { Command } from "commander";
import type { StationConfig } from "../../config/schema.js";
import { AlarmLog } from "../alarms/store.js";
import { AuditLog, osActor } from "../audit/log.js";
import { AggregateStore } from "../aggregate/store.js";
import { directIo } from "../calibration/io.js";
import { CalibrationError, planCheck, type PlanOverrides } from "../calibration/plan.js";
import { runCheck, type CheckResult } from "../calibration/run.js";
import { parseKind } from "../calibration/service.js";
import { CalibrationStore } from "../calibration/store.js";
import { callControl, controlSocketPath } from "../control/socket.js";
import { QcStore } from "../qc/store.js";
import { openDb } from "../store/db.js";
import { ReadingStore } from "../store/readings.js";
import { formatLocal } from "../time.js";
import { configPath, loadConfigOrExit } from "./common.js";
import { printJson } from "./format.js";
import { exitOnKnownError, serviceRunning } from "./service.js";

interface Opts {
  config?: string;
  json?: boolean;
  stabiliseS?: string;
  purgeS?: string;
}

type Via = "service" | "bus";

/** No service: this process opens the bus, polls the analyzer itself and writes to the database. */
async function direct(cfg: StationConfig, plan: ReturnType<typeof planCheck>, actor: string): Promise<CheckResult> {
  const abort = new AbortController();
  // Ctrl-C ends the wait, and the instrument is still sent back to measuring.
  const onSignal = () => abort.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const db = openDb(cfg.storage.path);
  try {
    const audit = new AuditLog(db);
    const readings = new ReadingStore(db);
    const aggregates = new AggregateStore(db, readings, cfg.station.timezone);
    const qc = { db, qc: new QcStore(db), audit, analyzers: cfg.analyzers.map((a) => a.id), markDirty: (f: number, t: number) => void aggregates.markDirtyRange(f, t) };
    const io = await directIo(cfg, plan.analyzer, abort.signal);
    try {
      return await runCheck({ qc, calibrations: new CalibrationStore(db), io, alarms: new AlarmLog(db, audit) }, plan, { trigger: "cli", actor });
    } finally {
      await io.close();
    }
  } finally {
    db.close();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

function num(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`${name} must be a number of seconds ≥ 0`);
    process.exit(2);
  }
  return n;
}

function print(r: CheckResult, via: Via, tz: string): void {
  if (via === "bus") console.log("service NOT running: the check ran directly on the bus (its readings are not stored)");
  const verdict = r.error ? `DID NOT COMPLETE (${r.error})` : r.pass ? "PASS" : "FAIL";
  const rel = r.kind !== "zero";
  const fmt = (v: number | null, unit = r.unit) => (v === null ? "-" : `${Number(v.toPrecision(6))} ${unit}`.trim());
  const drift = r.drift === null ? "-" : rel ? `${Number((r.drift * 100).toPrecision(4))} %` : fmt(r.drift);
  const limit = rel ? `±${Number((r.limit * 100).toPrecision(4))} %` : `±${fmt(r.limit)}`;
  console.log(`${r.kind} check of ${r.analyzer} (${r.channel}): ${verdict}`);
  console.log(`  reading    ${fmt(r.reading)}\n  reference  ${fmt(r.reference)}\n  drift      ${drift} (limit ${limit})`);
  console.log(`  readings flagged C from ${formatLocal(r.started, tz)} to ${formatLocal(r.flaggedUntil, tz)}`);
  if (r.maintenance) console.log(`  ${r.analyzer} is now in maintenance (M) after repeated failures: end it with station-agent maintenance off ${r.analyzer} --reason …`);
}

export function registerCalibrate(program: Command): void {
  program
    .command("calibrate")
    .description("run a zero, span or standard check now and print reading, reference, drift, limit, pass/fail")
    .argument("<analyzer>", "analyzer id")
    .argument("<kind>", "zero, span or standard")
    .option("-c, --config <file>", "station config file")
    .option("--stabilise-s <s>", "override the configured stabilisation time (s)")
    .option("--purge-s <s>", "override the configured purge time (s)")
    .option("--json", "JSON output")
    .action(async (analyzer: string, kindArg: string, opts: Opts) => {
      const { config } = loadConfigOrExit(configPath(opts.config));
      const over: PlanOverrides = { stabilise_s: num(opts.stabiliseS, "--stabilise-s"), purge_s: num(opts.purgeS, "--purge-s") };
      const actor = osActor();
      try {
        const kind = parseKind(kindArg, analyzer);
        const a = config.analyzers.find((x) => x.id === analyzer);
        if (!a) throw new CalibrationError(`unknown analyzer "${analyzer}" (known: ${config.analyzers.map((x) => x.id).join(", ") || "none"})`, analyzer, kind);
        const plan = planCheck(a, kind, over); // config problems are reported before anything is touched
        let via: Via = "service";
        let r: CheckResult;
        if (await serviceRunning(config)) {
          const wait = plan.stabiliseMs + 120_000;
          r = (await callControl(controlSocketPath(config.storage.path), "calibrate", { analyzer, kind, actor, ...over }, wait)) as CheckResult;
        } else {
          via = "bus";
          r = await direct(config, plan, actor);
        }
        if (opts.json)
          printJson({ analyzer: r.analyzer, kind: r.kind, reading: r.reading, reference: r.reference, drift: r.drift, limit: r.limit, unit: r.unit, pass: r.pass, started: r.started, ended: r.ended, via, error: r.error });
        else print(r, via, config.station.timezone);
        process.exit(r.pass ? 0 : 1);
      } catch (err) {
        const e = err as CalibrationError;
        if (e?.calibrationError) {
          if (opts.json) printJson({ ok: false, error: e.message });
          else console.error(e.message);
          process.exit(e.busy ? 1 : 2);
        }
        exitOnKnownError(err, opts.json);
      }
    });
}
