// A cheap host snapshot for the service itself (platform 3020 answers): from `os`, statfs and the
// kernel's thermal zone, not systeminformation, which the service does not load (memory).
import { readFileSync } from "node:fs";
import { cpus, freemem, loadavg, totalmem, uptime } from "node:os";
import { freePercent } from "../store/disk-guard.js";

export interface HostSnapshot {
  diskFreePct: number | null;
  cpuTempC: number | null;
  memUsedPct: number;
  loadPct: number;
  uptimeH: number;
}

function cpuTemp(): number | null {
  try {
    const milli = Number(readFileSync("/sys/class/thermal/thermal_zone0/temp", "utf8").trim());
    return Number.isFinite(milli) && milli > 0 ? Math.round(milli / 100) / 10 : null;
  } catch {
    return null; // a VM or a PC without the zone
  }
}

export function hostSnapshot(dataDir: string): HostSnapshot {
  const free = freePercent(dataDir);
  return {
    diskFreePct: free === null ? null : Math.round(free * 10) / 10,
    cpuTempC: cpuTemp(),
    memUsedPct: Math.round((1 - freemem() / totalmem()) * 1000) / 10,
    loadPct: Math.round((loadavg()[0] / Math.max(1, cpus().length)) * 1000) / 10,
    uptimeH: Math.round((uptime() / 3600) * 10) / 10,
  };
}

/**
 * Station-level 3020 items. The standard's i13 table has no codes for host health, so these take
 * codes from the unused end of the range (i1391x), beside the analyzers' i1390x.
 */
export function hostInfoItems(h: HostSnapshot): Array<[string, string]> {
  const items: Array<[string, string | null]> = [
    ["i13911", h.diskFreePct === null ? null : String(h.diskFreePct)],
    ["i13912", h.cpuTempC === null ? null : String(h.cpuTempC)],
    ["i13913", String(h.memUsedPct)],
    ["i13914", String(h.loadPct)],
    ["i13915", String(h.uptimeH)],
  ];
  return items.filter((i): i is [string, string] => i[1] !== null);
}
