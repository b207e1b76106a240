// Serial ports present. serialport's list() asks udevadm on Linux, and where udevadm is missing
// (containers, minimal images) its child-process error escapes as an uncaught exception: so check
// first, and fall back to the device nodes in /dev (no USB ids then).
import { existsSync, readdirSync, realpathSync } from "node:fs";
import { delimiter, join } from "node:path";
import { SerialPort } from "serialport";

export interface PortInfo {
  path: string;
  manufacturer?: string;
  serialNumber?: string;
  pnpId?: string;
  vendorId?: string;
  productId?: string;
}

const onPath = (cmd: string) => (process.env.PATH ?? "").split(delimiter).some((d) => d && existsSync(join(d, cmd)));

const SERIAL_NODE = /^tty(USB|ACM|AMA|S|XRUSB|CH341USB)\d+$/;

/** Ports from /dev: USB/ACM/on-board UARTs, with their stable /dev/serial/by-id names. */
export function portsFromDev(dev = "/dev"): PortInfo[] {
  const byId = new Map<string, string>();
  try {
    for (const name of readdirSync(join(dev, "serial/by-id"))) byId.set(realpathSync(join(dev, "serial/by-id", name)), name);
  } catch {
    /* no by-id links */
  }
  let names: string[] = [];
  try {
    names = readdirSync(dev).filter((n) => SERIAL_NODE.test(n));
  } catch {
    return [];
  }
  // Plain ttyS0..31 exist on every PC whether or not a UART is there: only ttyS0 and ttyS1.
  return names
    .filter((n) => !/^ttyS\d+$/.test(n) || /^ttyS[01]$/.test(n))
    .sort()
    .map((n) => ({ path: join(dev, n), pnpId: byId.get(join(dev, n)) }));
}

export async function listSerialPorts(): Promise<{ ports: PortInfo[]; source: "udev" | "dev" }> {
  if (process.platform === "linux" && !onPath("udevadm")) return { ports: portsFromDev(), source: "dev" };
  return { ports: await SerialPort.list(), source: "udev" };
}
