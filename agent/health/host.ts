// Host health from `systeminformation`: CPU load and temperature, memory, the data partition's
// free space, uptime, clock sync. Every figure degrades to null where the host cannot tell
// (no thermal sensor in a VM, no timedatectl in a container) instead of failing the whole report.
import si from "systeminformation";
import { execFile } from "node:child_process";
import { resolve } from "node:path";

export interface HostHealth {
  hostname: string;
  platform: string;
  uptimeS: number;
  cpuLoadPct: number | null;
  cpuTempC: number | null;
  memTotalBytes: number;
  memUsedBytes: number;
  /** The filesystem holding the database. */
  disk: { mount: string; totalBytes: number; freeBytes: number; freePct: number } | null;
  clockSynced: boolean | null;
  processRssBytes: number;
}

async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch {
    return null;
  }
}

/** NTP sync state from timedatectl; null where there is no systemd-timedated to ask. */
function clockSynced(): Promise<boolean | null> {
  return new Promise((done) => {
    execFile("timedatectl", ["show", "-p", "NTPSynchronized", "--value"], { timeout: 2000 }, (err, out) => {
      if (err) return done(null);
      const v = out.trim();
      done(v === "yes" ? true : v === "no" ? false : null);
    });
  });
}

/** Of the mounted filesystems, the one whose mount point is the longest prefix of `path`. */
export function filesystemOf<T extends { mount: string }>(mounts: readonly T[], path: string): T | null {
  const p = resolve(path);
  let best: T | null = null;
  for (const m of mounts) {
    const mp = m.mount.endsWith("/") ? m.mount : m.mount + "/";
    if ((p + "/").startsWith(mp) || m.mount === "/") {
      if (!best || m.mount.length > best.mount.length) best = m;
    }
  }
  return best;
}

export async function hostHealth(dataPath: string): Promise<HostHealth> {
  const [load, temp, mem, fs, synced, os] = await Promise.all([
    orNull(si.currentLoad()),
    orNull(si.cpuTemperature()),
    si.mem(),
    orNull(si.fsSize()),
    clockSynced(),
    orNull(si.osInfo()),
  ]);
  const f = fs ? filesystemOf(fs, dataPath) : null;
  return {
    hostname: os?.hostname ?? "",
    platform: os ? `${os.distro} ${os.release} (${os.arch})` : process.platform,
    uptimeS: Math.round(si.time().uptime),
    cpuLoadPct: load ? Math.round(load.currentLoad * 10) / 10 : null,
    cpuTempC: temp && typeof temp.main === "number" && temp.main > 0 ? temp.main : null,
    memTotalBytes: mem.total,
    memUsedBytes: mem.active,
    disk: f ? { mount: f.mount, totalBytes: f.size, freeBytes: f.available, freePct: f.size ? Math.round((f.available / f.size) * 1000) / 10 : 0 } : null,
    clockSynced: synced,
    processRssBytes: process.memoryUsage().rss,
  };
}
