// Outage: a week of data stored while the platform was unreachable (pre-filled store: one reading
// a minute for 7 days), the agent running with the platform down, then the platform back.
// Every minute must arrive, in order, and the agent's memory must stay flat during the outage.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exited, inspect, makeStation, recordingReceiver, rssMb, sleep, startAgent } from "./harness.js";
import { ReadingStore } from "../../agent/store/readings.js";
import { openDb } from "../../agent/store/db.js";
import { formatHj212Time } from "../../agent/time.js";
import { ensureBuilt, SERVICE_NODE_FLAGS } from "../bench-station.js";

export interface OutageResult {
  days: number;
  minutesStored: number;
  minutesDelivered: number;
  inOrder: boolean;
  drainSeconds: number;
  rssStartMb: number;
  rssEndMb: number;
  /** Highest RSS seen (sampled every 250 ms) from start-up through the outage and the drain. */
  rssPeakMb: number;
}

export async function outage(days: number, outageS: number, log: (s: string) => void): Promise<OutageResult> {
  const dir = mkdtempSync(join(tmpdir(), "torture-outage-"));
  const st = await makeStation(dir, { pollS: 1 });
  const minutes = days * 1440;
  const t0 = Math.floor(Date.now() / 60000) * 60000 - minutes * 60000;
  const db = openDb(st.dbPath);
  const store = new ReadingStore(db);
  for (let day = 0; day < days; day++) {
    store.insert(
      Array.from({ length: 1440 }, (_, i) => ({
        ts: t0 + (day * 1440 + i) * 60000 + 1000, analyzer: "o3a", channel: "o3", code: "a05024", value: (day * 1440 + i) % 997,
        unit: "ppb", flag: "N" as const, state: "ok", raw: null, source: "teledyne-t400@1",
      })),
    );
  }
  db.close();
  const { receiver, byQn } = recordingReceiver(st.platformPort);
  // The compiled agent with the unit's node flags: its memory is what a station's would be.
  const agent = startAgent(st.configFile, undefined, { entry: ensureBuilt(), nodeFlags: SERVICE_NODE_FLAGS });
  let rssPeakMb = 0;
  const sampler = setInterval(() => (rssPeakMb = Math.max(rssPeakMb, rssMb(agent.pid!))), 250);
  let result: OutageResult;
  try {
    // The platform is down: the agent aggregates the week, polls live, and queues.
    await sleep(5000);
    const rssStartMb = rssMb(agent.pid!);
    log(`outage: platform down for ${outageS} s, ${minutes} minutes of history queued`);
    await sleep(outageS * 1000);
    const rssEndMb = rssMb(agent.pid!);
    await receiver.start();
    const t = Date.now();
    const deadline = t + 10 * 60_000;
    let pending = -1;
    while (Date.now() < deadline) {
      const q = inspect(st.dbPath, (d) => d.prepare("SELECT COUNT(*) AS total, COUNT(*) - COUNT(acked_at) AS pending FROM outbox WHERE cn = '2051'").get() as { total: number; pending: number });
      pending = q && q.total >= minutes ? q.pending : -1;
      if (pending === 0) break;
      await sleep(250);
    }
    const drainSeconds = (Date.now() - t) / 1000;
    const firstSeen = [...byQn.values()].map((ps) => ps[0]).filter((p) => p.frame.header.cn === "2051");
    const times = firstSeen.map((p) => p.fields.DataTime);
    const delivered = new Set(times);
    let minutesDelivered = 0;
    for (let i = 0; i < minutes; i++) if (delivered.has(formatHj212Time(t0 + i * 60000, st.config.station.timezone))) minutesDelivered++;
    result = {
      days,
      minutesStored: minutes,
      minutesDelivered,
      inOrder: times.every((x, i) => i === 0 || x >= times[i - 1]),
      drainSeconds: Math.round(drainSeconds * 10) / 10,
      rssStartMb,
      rssEndMb,
      rssPeakMb,
    };
  } finally {
    clearInterval(sampler);
    agent.kill("SIGTERM");
    await exited(agent);
    await receiver.stop();
    await st.sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}
