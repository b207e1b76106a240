// The control commands QC adds to the running service: maintenance on/off and manual flags.
// The CLI sends the OS user it runs as; the service records it (the socket cannot tell).
import { FLAG_PRECEDENCE } from "../../config/flags.js";
import type { ControlHandler } from "../feature.js";
import type { Hj212Flag } from "../types.js";
import { maintenanceOff, maintenanceOn, manualFlag, QcActionError, type QcDeps } from "./actions.js";

const str = (v: unknown): string => (typeof v === "string" ? v : "");
const optStr = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

export function parseFlag(v: unknown): Hj212Flag {
  const f = str(v).toUpperCase();
  if (!FLAG_PRECEDENCE.includes(f as Hj212Flag) || f === "N")
    throw new QcActionError(`--flag must be one of ${FLAG_PRECEDENCE.filter((x) => x !== "N").join(", ")}`, "flag.manual");
  return f as Hj212Flag;
}

export function qcControlHandlers(deps: () => QcDeps): [string, ControlHandler][] {
  return [
    [
      "maintenance",
      (_c, a) => {
        const args = { analyzer: optStr(a.analyzer), reason: str(a.reason), actor: str(a.actor) || "unknown" };
        return a.on === true ? maintenanceOn(deps(), args) : maintenanceOff(deps(), args);
      },
    ],
    [
      "flag",
      (_c, a) =>
        manualFlag(deps(), {
          analyzer: str(a.analyzer), channel: optStr(a.channel), from: Number(a.from), to: Number(a.to),
          flag: parseFlag(a.flag), reason: str(a.reason), actor: str(a.actor) || "unknown",
        }),
    ],
  ];
}
