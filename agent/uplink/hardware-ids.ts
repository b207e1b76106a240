// The data logger's hardware ids for HJ 212-2025 1001 (i23005 data logger id, i23006 CPU id,
// i23007/i23008 MAC addresses), read from the host. On a Raspberry Pi the CPU id is the SoC
// serial; elsewhere the machine id stands in. Values are made safe for CP (no ; , = &).
import { readFileSync } from "node:fs";
import { networkInterfaces, hostname } from "node:os";

export interface HardwareIds {
  loggerId: string;
  cpuId: string;
  mac1: string;
  mac2: string;
}

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, "utf8").replace(/\0/g, "").trim() || undefined;
  } catch {
    return undefined;
  }
};
const safe = (v: string) => v.replace(/[;,=&\s]/g, "").slice(0, 64);

export function hostHardwareIds(): HardwareIds {
  const machineId = read("/etc/machine-id") ?? read("/var/lib/dbus/machine-id") ?? hostname();
  const piSerial = /^Serial\s*:\s*([0-9a-fA-F]+)/m.exec(read("/proc/cpuinfo") ?? "")?.[1] ?? read("/sys/firmware/devicetree/base/serial-number");
  const macs = Object.entries(networkInterfaces())
    // Code-unit order, not localeCompare: interface names are ASCII, and a collator maps ~3 MB of
    // ICU data into the process for the rest of its life (docs/performance.md, sixth pass).
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .flatMap(([, list]) => (list ?? []).filter((i) => !i.internal && i.mac !== "00:00:00:00:00:00").map((i) => i.mac.toUpperCase()));
  const unique = [...new Set(macs)];
  return { loggerId: safe(machineId), cpuId: safe(piSerial ?? machineId), mac1: unique[0] ?? "", mac2: unique[1] ?? "" };
}

/** 1001's CP. */
export const hardwareIdsCp = (h: HardwareIds) => `i23005-Info=${h.loggerId};i23006-Info=${h.cpuId};i23007-Info=${h.mac1};i23008-Info=${h.mac2}`;
