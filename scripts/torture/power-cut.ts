// Power cut: the agent is SIGKILLed at random moments while polling, aggregating and uploading.
// After each restart: the database passes integrity_check, no stored reading is lost, no packet
// is sent again under a new QN, and at the end every unacknowledged packet has been delivered.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exited, inspect, makeStation, minuteKeys, recordingReceiver, sleep, startAgent } from "./harness.js";
import { ReadingStore } from "../../agent/store/readings.js";
import { openDb } from "../../agent/store/db.js";

const HISTORY_MIN = 180;

export interface PowerCutResult {
  cycles: number;
  integrityFailures: number;
  lostReadings: number;
  duplicateQns: number;
  undelivered: number;
  readings: number;
  packetsDelivered: number;
}

export async function powerCut(cycles: number, log: (s: string) => void): Promise<PowerCutResult> {
  const dir = mkdtempSync(join(tmpdir(), "torture-power-"));
  const st = await makeStation(dir);
  // History from before the first start: 3 hours to aggregate and upload while being killed, to a
  // platform slow to acknowledge and dropping every 5th ack, so uploads span many cuts.
  const db = openDb(st.dbPath);
  const t0 = Math.floor(Date.now() / 60000) * 60000 - HISTORY_MIN * 60000;
  new ReadingStore(db).insert(
    Array.from({ length: HISTORY_MIN * 12 }, (_, i) => ({
      ts: t0 + i * 5000, analyzer: "o3a", channel: "o3", code: "a05024", value: 40 + (i % 7), unit: "ppb",
      flag: "N" as const, state: "ok", raw: null, source: "teledyne-t400@1",
    })),
  );
  db.close();
  const { receiver, byQn } = recordingReceiver(st.platformPort, { dropAckEvery: 5, ackDelayMs: 40 });
  await receiver.start();
  const r: PowerCutResult = { cycles, integrityFailures: 0, lostReadings: 0, duplicateQns: 0, undelivered: 0, readings: 0, packetsDelivered: 0 };
  try {
    for (let i = 0; i < cycles; i++) {
      const agent = startAgent(st.configFile);
      await sleep(300 + Math.random() * 1500);
      // The newest reading committed just before the cut must still be there after it.
      const before = inspect(st.dbPath, (d) => (d.prepare("SELECT MAX(id) AS m FROM readings").get() as { m: number | null }).m ?? 0) ?? 0;
      agent.kill("SIGKILL");
      await exited(agent);
      const check = inspect(st.dbPath, (d) => ({
        ok: d.pragma("integrity_check", { simple: true }) === "ok",
        has: before === 0 || !!d.prepare("SELECT 1 FROM readings WHERE id = ?").get(before),
      }));
      if (!check?.ok) r.integrityFailures++;
      if (check && !check.has) r.lostReadings++;
      if ((i + 1) % Math.max(1, Math.floor(cycles / 10)) === 0) log(`power cut ${i + 1}/${cycles}`);
    }
    // Power back for good: every history minute must be queued and then delivered.
    const agent = startAgent(st.configFile);
    const deadline = Date.now() + 60_000;
    let pending = -1;
    while (Date.now() < deadline) {
      const q = inspect(st.dbPath, (d) => d.prepare("SELECT COUNT(*) AS total, COUNT(*) - COUNT(acked_at) AS pending FROM outbox WHERE cn = '2051'").get() as { total: number; pending: number });
      pending = q && q.total >= HISTORY_MIN ? q.pending : -1;
      if (pending === 0) break;
      await sleep(250);
    }
    agent.kill("SIGTERM");
    await exited(agent);
    r.undelivered = pending === -1 ? HISTORY_MIN : pending;
    for (const qns of minuteKeys(byQn).values()) if (qns.size > 1) r.duplicateQns += qns.size - 1;
    r.packetsDelivered = byQn.size;
    r.readings = inspect(st.dbPath, (d) => (d.prepare("SELECT COUNT(*) AS n FROM readings").get() as { n: number }).n) ?? 0;
  } finally {
    await receiver.stop();
    await st.sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return r;
}
