// What one check of one analyzer means for its driver, worked out before anything touches the wire:
// which command starts it and which write ends it, which channel holds the answer, the reference and
// the limit. Pure: a config and a driver in, a plan or a typed error out.
import type { AnalyzerConfig } from "../../config/schema.js";
import type { CheckKind, SpanCheckConfig, ZeroCheckConfig } from "../../config/schema-calibration.js";
import { configureDriver } from "../../drivers/configure.js";
import { getModbusDriver } from "../../drivers/index.js";
import { DEFAULT_TZ } from "../time.js";
import { commandWrite, type CommandWrite } from "../bus/readings.js";

export class CalibrationError extends Error {
  readonly calibrationError = true as const;
  constructor(
    message: string,
    readonly analyzer: string,
    readonly kind: string,
    /** busy: another check of this analyzer is running (ExeRtn 5 for a platform). */
    readonly busy = false,
  ) {
    super(message);
    this.name = "CalibrationError";
  }
}

/** The driver commands tried, in order, when the config names none: coil drivers say "zero", water-dbs "zero-check". */
const DEFAULT_COMMANDS: Record<CheckKind, string[]> = {
  zero: ["zero", "zero-check"],
  span: ["span", "span-check"],
  standard: ["standard-check", "standard"],
};
/** Channels that hold an instrument's own check result (water-dbs), preferred over the measured channel. */
const RESULT_CHANNELS: Record<CheckKind, string> = { zero: "zero_check", span: "span_check", standard: "standard_check" };

export interface CheckPlan {
  analyzer: AnalyzerConfig;
  kind: CheckKind;
  command: string;
  start: CommandWrite;
  /** Written when the check ends, whatever happened: a coil switched off, or the configured end command. */
  end: CommandWrite | null;
  channel: string;
  unit: string;
  /**
   * The channel is the instrument's own check result with its sample time: the answer is the first
   * new result stored after the command, and stabiliseMs the longest wait for it. Otherwise the
   * answer is the mean of the channel's last averageMs of stabilisation.
   */
  resultRegister: boolean;
  reference: number;
  limit: number;
  stabiliseMs: number;
  purgeMs: number;
  averageMs: number;
  maintenanceAfter: number;
}

export interface PlanOverrides {
  stabilise_s?: number;
  purge_s?: number;
}

export function checkConfig(a: AnalyzerConfig, kind: CheckKind): ZeroCheckConfig | SpanCheckConfig {
  const c = a.calibration?.[kind];
  if (!c) throw new CalibrationError(`analyzer ${a.id} has no calibration.${kind} in the config`, a.id, kind);
  return c;
}

export function planCheck(a: AnalyzerConfig, kind: CheckKind, over: PlanOverrides = {}): CheckPlan {
  const c = checkConfig(a, kind);
  const base = getModbusDriver(a.driver);
  if (!base) throw new CalibrationError(`analyzer ${a.id}: driver ${a.driver} is not a Modbus driver; it takes no calibration commands`, a.id, kind);
  const driver = configureDriver(a, base);
  const target = { driver, timezone: String(a.options.timezone ?? DEFAULT_TZ) };
  const command = c.command ?? DEFAULT_COMMANDS[kind].find((n) => driver.commands[n]);
  const def = command === undefined ? undefined : driver.commands[command];
  if (!command || !def)
    throw new CalibrationError(
      `analyzer ${a.id}: driver ${driver.id} has no command for a ${kind} check${c.command ? ` named "${c.command}"` : ""} (its commands: ${Object.keys(driver.commands).join(", ") || "none"})`,
      a.id,
      kind,
    );
  let end: CommandWrite | null = def.kind === "coil" ? commandWrite(target, command, { on: false }) : null;
  if (c.end_command) {
    if (!driver.commands[c.end_command]) throw new CalibrationError(`analyzer ${a.id}: driver ${driver.id} has no command "${c.end_command}" (calibration.${kind}.end_command)`, a.id, kind);
    end = commandWrite(target, c.end_command);
  }
  const enabled = (ch: string) => a.channels[ch]?.enabled !== false;
  const channel =
    c.channel ??
    (driver.fields.some((f) => f.channel === RESULT_CHANNELS[kind]) ? RESULT_CHANNELS[kind] : driver.fields.find((f) => enabled(f.channel) && (a.channels[f.channel]?.code ?? f.code))?.channel);
  const field = driver.fields.find((f) => f.channel === channel);
  if (!channel || !field) throw new CalibrationError(`analyzer ${a.id}: no channel "${channel ?? "?"}" to read the ${kind} check from (calibration.${kind}.channel)`, a.id, kind);
  const stabilise = over.stabilise_s ?? c.stabilise_s;
  return {
    analyzer: a,
    kind,
    command,
    start: commandWrite(target, command),
    end,
    channel,
    unit: field.unit,
    resultRegister: field.sampleTime !== undefined,
    reference: "concentration" in c ? c.concentration : c.reference,
    limit: c.limit,
    stabiliseMs: stabilise * 1000,
    purgeMs: (over.purge_s ?? c.purge_s) * 1000,
    averageMs: Math.min(c.average_s, stabilise) * 1000,
    maintenanceAfter: a.calibration?.maintenance_after_failures ?? 2,
  };
}
