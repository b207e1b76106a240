// sd_notify over a real Unix datagram socket standing in for systemd's $NOTIFY_SOCKET.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { join } from "node:path";
import { SdNotify } from "../../../agent/health/sd-notify.js";
import { silentLogger } from "../../../agent/log.js";
import { tempDir, waitFor } from "../../helpers/station.js";

interface Dgram {
  createSocket(type: "unix_dgram", cb: (msg: Buffer) => void): { bind(path: string): void; close(): void };
}
let ud: Dgram | null = null;
try {
  ud = createRequire(import.meta.url)("unix-dgram") as Dgram;
} catch {
  ud = null;
}

test("without NOTIFY_SOCKET nothing is sent and no timer runs", () => {
  const sd = new SdNotify(silentLogger, {});
  assert.equal(sd.active, false);
  sd.start(() => true);
  sd.stop();
});

test("watchdog interval is half of WATCHDOG_USEC", () => {
  assert.equal(new SdNotify(silentLogger, { NOTIFY_SOCKET: "/x", WATCHDOG_USEC: "60000000" }).watchdogIntervalMs, 30000);
  assert.equal(new SdNotify(silentLogger, { NOTIFY_SOCKET: "/x" }).watchdogIntervalMs, null);
});

test("READY, then WATCHDOG only while the poll loop is healthy, then STOPPING", { skip: ud ? false : "optional module unix-dgram not installed" }, async () => {
  const { dir, cleanup } = tempDir();
  const path = join(dir, "notify.sock");
  const got: string[] = [];
  const server = ud!.createSocket("unix_dgram", (m) => got.push(m.toString()));
  server.bind(path);
  let healthy = true;
  const sd = new SdNotify(silentLogger, { NOTIFY_SOCKET: path, WATCHDOG_USEC: "1000000" });
  try {
    sd.start(() => healthy);
    await waitFor(() => got.includes("READY=1") && got.includes("WATCHDOG=1"), 3000, "READY and a WATCHDOG");
    healthy = false;
    await new Promise((r) => setTimeout(r, 600)); // let an in-flight datagram land
    const before = got.filter((m) => m === "WATCHDOG=1").length;
    await new Promise((r) => setTimeout(r, 1300));
    assert.equal(got.filter((m) => m === "WATCHDOG=1").length, before, "a stalled loop does not feed the watchdog");
    sd.stop();
    await waitFor(() => got.includes("STOPPING=1"), 2000, "STOPPING");
  } finally {
    sd.stop();
    server.close();
    cleanup();
  }
});
