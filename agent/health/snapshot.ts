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
