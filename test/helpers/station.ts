// Test helpers: temp dirs, free ports, configs built in code, waiting for conditions.
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configSchema, type StationConfig } from "../../config/schema.js";
import type { LoadedConfig } from "../../config/load.js";

export function tempDir(prefix = "station-test-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Validates a config object with the real schema (defaults applied) as if loaded from `dir`. */
export function loadedConfig(raw: unknown, dir: string): LoadedConfig {
  const config: StationConfig = configSchema.parse(raw);
  return { config, file: join(dir, "station.yaml"), dir };
}

export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export const MN = "010000A8900016F000169DC0";

/** A one-analyzer T400 station on a Modbus TCP simulator, reporting to one local platform. */
export function demoLikeConfig(opts: { dir: string; simPort: number; platformPort: number; interval_s?: number; realtime_s?: number; window?: number; ack_timeout_s?: number }): LoadedConfig {
  return loadedConfig(
    {
      station: { name: "Test station", mn: MN },
      storage: { path: join(opts.dir, "station.db"), batch_ms: 20 },
      log: { level: "error" },
      buses: [{ id: "sim", type: "tcp", host: "127.0.0.1", port: opts.simPort, timeout_ms: 300 }],
      analyzers: [{ id: "o3", driver: "teledyne-t400", bus: "sim", slave: 1, interval_s: opts.interval_s ?? 0.5 }],
      platforms: [
        {
          id: "local",
          host: "127.0.0.1",
          port: opts.platformPort,
          st: 22,
          pw: "123456",
          uploads: ["realtime", "minute"],
          realtime_interval_s: opts.realtime_s ?? 1,
          ack_timeout_s: opts.ack_timeout_s ?? 1,
          window: opts.window ?? 16,
          reconnect_max_s: 1,
        },
      ],
    },
    opts.dir,
  );
}
