// The agent as its own process (bin/station-agent.js run), for tests that SIGKILL it.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { openDb } from "../../agent/store/db.js";
import { ReadingStore } from "../../agent/store/readings.js";

const BIN = join(import.meta.dirname, "../../bin/station-agent.js");

export type AgentProcess = ChildProcess & { stderrTail: () => string };

export function startAgentProcess(configFile: string): AgentProcess {
  const child = spawn(process.execPath, [BIN, "run", "--config", configFile], {
    env: { ...process.env, STATION_AGENT_FROM_SOURCE: "1" },
    stdio: ["ignore", "ignore", "pipe"],
  }) as AgentProcess;
  child.stderr!.setEncoding("utf8");
  let err = "";
  child.stderr!.on("data", (d: string) => (err = (err + d).slice(-4000)));
  child.stderrTail = () => err;
  return child;
}

export const exited = (c: ChildProcess) => new Promise<number | null>((r) => (c.exitCode !== null || c.signalCode ? r(c.exitCode) : c.once("exit", (code) => r(code))));

/** Pending minute packets in the outbox (0 before the tables exist). */
export function pendingMinutePackets(dbPath: string): number {
  const db = openDb(dbPath, { readonly: true });
  try {
    return (db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE cn = '2051' AND acked_at IS NULL").get() as { n: number }).n;
  } catch {
    return 0;
  } finally {
    db.close();
  }
}

/** Readings of `minutes` whole minutes before now (six a minute, averages i + 0.5): data stored during an outage. */
export function storePastMinutes(dbPath: string, minutes: number, now = Date.now()): number {
  const first = Math.floor(now / 60000) * 60000 - minutes * 60000;
  const db = openDb(dbPath);
  new ReadingStore(db).insert(
    Array.from({ length: minutes * 6 }, (_, i) => ({
      ts: first + i * 10_000, analyzer: "o3", channel: "o3", code: "a05024", value: Math.floor(i / 6) + 0.5,
      unit: "ppb", flag: "N" as const, state: "ok", raw: null, source: "teledyne-t400@1",
    })),
  );
  db.close();
  return first;
}
