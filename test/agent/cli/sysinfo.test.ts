import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { filesystemOf } from "../../../agent/health/host.js";
import { portsFromDev } from "../../../agent/health/ports.js";
import { tempDir } from "../../helpers/station.js";

const BIN = join(import.meta.dirname, "../../../bin/station-agent.js");
const cli = (...args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, STATION_AGENT_FROM_SOURCE: "1" } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );

test("sysinfo --json reports the data disk of the configured database", async () => {
  const r = await cli("sysinfo", "--config", join(import.meta.dirname, "../../../config/demo.yaml"), "--json");
  assert.equal(r.code, 0, r.stderr);
  const h = JSON.parse(r.stdout);
  assert.ok(h.memTotalBytes > 0);
  assert.ok(h.uptimeS > 0);
  assert.ok(h.disk && h.disk.totalBytes > 0 && h.disk.freePct >= 0 && h.disk.freePct <= 100);
  assert.ok(h.cpuTempC === null || typeof h.cpuTempC === "number");
  assert.ok(h.clockSynced === null || typeof h.clockSynced === "boolean");
});

test("ports --json lists serial ports without crashing where udevadm is missing", async () => {
  const r = await cli("ports", "--json");
  assert.equal(r.code, 0, r.stderr);
  assert.ok(Array.isArray(JSON.parse(r.stdout)));
});

test("ports from /dev: USB and ACM adapters with their by-id names; phantom ttyS ports left out", () => {
  const { dir, cleanup } = tempDir();
  try {
    for (const n of ["ttyUSB0", "ttyACM1", "ttyS0", "ttyS17", "tty1", "null"]) writeFileSync(join(dir, n), "");
    mkdirSync(join(dir, "serial/by-id"), { recursive: true });
    symlinkSync(join(dir, "ttyUSB0"), join(dir, "serial/by-id/usb-FTDI_FT232R_A10K1234-if00-port0"));
    assert.deepEqual(portsFromDev(dir), [
      { path: join(dir, "ttyACM1"), pnpId: undefined },
      { path: join(dir, "ttyS0"), pnpId: undefined },
      { path: join(dir, "ttyUSB0"), pnpId: "usb-FTDI_FT232R_A10K1234-if00-port0" },
    ]);
  } finally {
    cleanup();
  }
});

test("the data disk is the mount with the longest matching prefix", () => {
  const mounts = [{ mount: "/" }, { mount: "/var" }, { mount: "/var/lib/station-agent" }, { mount: "/var/lib/station" }];
  assert.equal(filesystemOf(mounts, "/var/lib/station-agent/station.db")?.mount, "/var/lib/station-agent");
  assert.equal(filesystemOf(mounts, "/var/log/x")?.mount, "/var");
  assert.equal(filesystemOf(mounts, "/etc/x")?.mount, "/");
});
