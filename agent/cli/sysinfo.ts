// `station-agent sysinfo` (host health) and `station-agent ports` (serial ports present).
import type { Command } from "commander";
import { configPath, loadConfigOrExit } from "./common.js";
import { age, printJson, table } from "./format.js";

const mb = (b: number) => `${Math.round(b / 1048576)} MB`;

export function registerSysinfo(program: Command): void {
  program
    .command("sysinfo")
    .description("host health: CPU load and temperature, memory, data disk, uptime, clock sync")
    .option("-c, --config <file>", "station config file (to find the data disk)")
    .option("--json", "JSON output")
    .action(async (opts: { config?: string; json?: boolean }) => {
      // The data disk is the one holding the database; without a readable config, "/".
      const path = opts.config || process.env.STATION_AGENT_CONFIG ? loadConfigOrExit(configPath(opts.config)).config.storage.path : "/";
      const { hostHealth } = await import("../health/host.js"); // systeminformation: not loaded by `run`
      const h = await hostHealth(path);
      if (opts.json) return printJson(h);
      console.log(
        table(
          ["item", "value"],
          [
            ["host", `${h.hostname} ${h.platform}`],
            ["uptime", age(h.uptimeS)],
            ["CPU load", h.cpuLoadPct === null ? null : `${h.cpuLoadPct} %`],
            ["CPU temperature", h.cpuTempC === null ? "no sensor" : `${h.cpuTempC} °C`],
            ["memory", `${mb(h.memUsedBytes)} used of ${mb(h.memTotalBytes)}`],
            ["data disk", h.disk ? `${h.disk.mount}: ${mb(h.disk.freeBytes)} free of ${mb(h.disk.totalBytes)} (${h.disk.freePct} %)` : "unknown"],
            ["clock synchronised", h.clockSynced === null ? "unknown (no timedatectl)" : h.clockSynced ? "yes" : "NO"],
          ],
        ),
      );
    });

  program
    .command("ports")
    .description("serial ports present, with USB vendor/product ids")
    .option("--json", "JSON output")
    .action(async (opts: { json?: boolean }) => {
      const { listSerialPorts } = await import("../health/ports.js");
      const { ports, source } = await listSerialPorts();
      if (opts.json) return printJson(ports);
      if (source === "dev") console.log("(udevadm not found: ports listed from /dev, without USB ids)\n");
      if (!ports.length) {
        console.log("no serial ports found (is the USB-RS485 adapter plugged in? see dmesg)");
        return;
      }
      console.log(
        table(
          ["path", "vendor:product", "manufacturer", "serial number", "by-id"],
          ports.map((p) => [p.path, p.vendorId ? `${p.vendorId}:${p.productId}` : null, p.manufacturer, p.serialNumber, p.pnpId]),
        ),
      );
    });
}
