// A running station for the page's tests and its benchmark: simulated analyzers (an ozone analyzer
// and a temperature/humidity sensor on Modbus TCP), a local HJ 212 platform, a JSON platform that
// is down, the agent with its page on, and three hours of history in the database with a
// maintenance stretch and a dead-analyzer stretch, so the trend plots have something to show.
import { startSimulation } from "../../../drivers/simulate.js";
import { Agent } from "../../../agent/main.js";
import { silentLogger, type Logger } from "../../../agent/log.js";
import { PlatformReceiver } from "../../../agent/uplink/receiver.js";
import { openDb } from "../../../agent/store/db.js";
import { ReadingStore } from "../../../agent/store/readings.js";
import type { Reading } from "../../../agent/types.js";
import { configuredChannels, type ConfiguredChannel } from "../../../agent/web/channels.js";
import { hj212Platforms } from "../../../config/schema.js";
import { demoLikeConfig, freePort, tempDir, waitFor } from "../../helpers/station.js";

export interface WebStation {
  agent: Agent;
  url: string;
  channels: string[];
  dir: string;
  stop(): Promise<void>;
}

/** History of the last `hours` at one reading a minute a channel; minutes 40-59 ago in maintenance, 100-114 ago no answer, 600-619 ago a zero check. */
/** A plausible level for the unit, varying slowly (the simulator is pinned to the latest one). */
function level(c: ConfiguredChannel, k: number, minute: number): number {
  const base = ({ ppb: 40, "°C": 22, "%": 50, mV: 4200, "cc/min": 800, inHg: 29.5 } as Record<string, number>)[c.unit] ?? 10;
  return Number((base * (1 + 0.15 * Math.sin(minute / (45 + 9 * k)) + 0.015 * Math.sin(minute / 11 + k))).toPrecision(5));
}

export function history(channels: readonly ConfiguredChannel[], hours: number, now = Date.now()): Reading[] {
  const out: Reading[] = [];
  const t0 = Math.floor(now / 60_000) * 60_000 - hours * 3_600_000;
  for (let m = 0; m < hours * 60; m++) {
    const ts = t0 + m * 60_000 + 30_000;
    const ago = hours * 60 - m;
    const state = ago >= 40 && ago < 60 ? "maintenance" : ago >= 100 && ago < 115 ? "no-answer" : ago >= 600 && ago < 620 ? "zero" : "ok";
    const flag = state === "maintenance" ? "M" : state === "no-answer" ? "B" : state === "zero" ? "C" : "N";
    channels.forEach((c, k) => {
      const value = state === "no-answer" ? null : level(c, k, m);
      out.push({ ts, flag, state, raw: null, source: "seed@1", analyzer: c.analyzer, channel: c.channel, code: c.code, unit: c.unit, value });
    });
  }
  return out;
}

export async function startWebStation(opts: { token?: string; log?: Logger; historyHours?: number } = {}): Promise<WebStation> {
  const { dir, cleanup } = tempDir("station-web-");
  const loaded = demoLikeConfig({ dir, simPort: await freePort(), platformPort: await freePort(), interval_s: 2, realtime_s: 30 });
  const cfg = loaded.config;
  cfg.analyzers.push({ ...cfg.analyzers[0], id: "th", driver: "th-rs485", slave: 2, interval_s: 2, channels: {}, options: {} });
  cfg.platforms.push({ id: "ops", protocol: "http-json", url: `http://127.0.0.1:${await freePort()}/ingest`, headers: {}, uploads: ["minute"], realtime_interval_s: 30, minute_interval_min: 1, timeout_s: 1, retry_max_s: 60, enabled: true } as never);
  const port = await freePort();
  cfg.web = { listen: `127.0.0.1:${port}`, token: opts.token, trend_hours: 24, audit_entries: 20 };

  const db = openDb(cfg.storage.path);
  const channels = configuredChannels(cfg);
  new ReadingStore(db).insert(history(channels, opts.historyHours ?? 3));
  db.close();

  const receiver = new PlatformReceiver({ port: hj212Platforms(cfg)[0].port, pw: "123456" });
  await receiver.start();
  const sim = await startSimulation(cfg, { seed: 1 });
  const hours = opts.historyHours ?? 3;
  channels.forEach((c, k) => sim.analyzer(c.analyzer).set(c.channel, level(c, k, hours * 60)));
  const agent = new Agent(loaded, { log: opts.log ?? silentLogger, control: false });
  await agent.start();
  // The history is aggregated by the agent's own minute closing (every second).
  await waitFor(() => agent.aggregates.list(60, Date.now() - 3_600_000, Date.now()).length > 100, 20_000, "history aggregated into minutes");
  agent.alarms!.raise({ kind: "comms-lost", subject: "th", analyzer: "th", message: "no answer for 5 min (test)" });
  agent.audit.append({ actor: "technician", action: "maintenance.on", reason: "filter change", details: { analyzer: "o3" } });
  return {
    agent,
    url: `http://127.0.0.1:${port}`,
    channels: channels.map((c) => `${c.analyzer}/${c.channel}`),
    dir,
    async stop() {
      await agent.stop();
      await sim.stop();
      await receiver.stop();
      cleanup();
    },
  };
}
