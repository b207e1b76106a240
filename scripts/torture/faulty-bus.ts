// Faulty bus: on one 9600-baud RTU line (a socat pty with the wire's timing kept by
// drivers/sim/timed-rtu.ts), polled every 2 s by the real agent: one slave dead, one slow (its answers
// end at 90 % of the 300 ms timeout), one answering every request with an exception, and healthy
// neighbours. The neighbours must keep at least 90 % of their poll rate.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { configSchema } from "../../config/schema.js";
import { planAnalyzer } from "../../agent/bus/readings.js";
import { configureDriver } from "../../drivers/configure.js";
import { getModbusDriver } from "../../drivers/index.js";
import { SimulatedDevice } from "../../drivers/sim/model.js";
import { serveTimedRtu } from "../../drivers/sim/timed-rtu.js";
import { openPtyPair, socatMissing } from "../../test/helpers/pty.js";
import { MN } from "../../test/helpers/station.js";
import { exited, inspect, sleep, startAgent } from "./harness.js";

const TIMEOUT_MS = 300;
const INTERVAL_S = 2;
const BAUD = 9600;
const TURNAROUND: [number, number] = [2, 8];

export interface AnalyzerRate {
  id: string;
  role: "healthy" | "dead" | "slow" | "exceptions";
  /** Polls answered (readings not flagged B) in the measured window. */
  answered: number;
  /** Polls the interval asks for in that window. */
  expected: number;
}

export interface FaultyBusResult {
  skipped: string | null;
  seconds: number;
  rates: AnalyzerRate[];
  /** Of the slow slave: the latest an answer ended after its request (ms), as the line's clock has it. */
  slowAnswerMs: number;
  agentAlive: boolean;
}

const ROLES: { id: string; slave: number; role: AnalyzerRate["role"] }[] = [
  { id: "o3a", slave: 1, role: "healthy" },
  { id: "o3b", slave: 2, role: "healthy" },
  { id: "dead", slave: 3, role: "dead" },
  { id: "o3c", slave: 4, role: "healthy" },
  { id: "slow", slave: 5, role: "slow" },
  { id: "exc", slave: 6, role: "exceptions" },
];

export async function faultyBus(seconds: number, log: (s: string) => void): Promise<FaultyBusResult> {
  const result: FaultyBusResult = { skipped: socatMissing(), seconds, rates: [], slowAnswerMs: 0, agentAlive: false };
  if (result.skipped) return result;
  const dir = mkdtempSync(join(tmpdir(), "torture-bus-"));
  const pty = await openPtyPair();
  const yaml = `
station: { name: Faulty bus, mn: "${MN}" }
storage: { path: station.db, batch_ms: 200 }
log: { level: error }
buses: [{ id: rs485, type: rtu, path: ${JSON.stringify(pty.b)}, baud: ${BAUD}, timeout_ms: ${TIMEOUT_MS} }]
analyzers:
${ROLES.map((r) => `  - { id: ${r.id}, driver: teledyne-t400, bus: rs485, slave: ${r.slave}, interval_s: ${INTERVAL_S} }`).join("\n")}
platforms: []
`;
  const configFile = join(dir, "station.yaml");
  writeFileSync(configFile, yaml);
  const cfg = configSchema.parse(parseYaml(yaml));
  const slaves = new Map<number, SimulatedDevice>();
  for (const a of cfg.analyzers) slaves.set(a.slave, new SimulatedDevice(configureDriver(a, getModbusDriver(a.driver)!), { seed: a.slave }));
  const charMs = (10 * 1000) / BAUD; // 8N1
  const t35 = 3.5 * charMs;
  // The slow slave's longest answer (the biggest read of its poll) ends at 90 % of the timeout.
  const plan = planAnalyzer(cfg.analyzers[0], getModbusDriver("teledyne-t400")!);
  const longest = Math.max(...plan.requests.map((r) => 8 + 5 + (r.fc <= 2 ? Math.ceil(r.count / 8) : 2 * r.count)));
  const slowDelay = 0.9 * TIMEOUT_MS - (longest * charMs + t35 + TURNAROUND[1]);
  for (const r of ROLES) {
    const d = slaves.get(r.slave)!;
    if (r.role === "dead") d.dead(true);
    if (r.role === "slow") d.delay(Math.round(slowDelay));
    if (r.role === "exceptions") d.exception(4);
  }
  const line = await serveTimedRtu(slaves, { path: pty.a, baud: BAUD, parity: "none", dataBits: 8, stopBits: 1, turnaroundMs: TURNAROUND });
  const agent = startAgent(configFile);
  const dbPath = join(dir, "station.db");
  try {
    // Measured after a warm-up: start-up and the dead slave's first timeouts are not the steady state.
    await sleep(8000);
    const from = Date.now();
    await sleep(seconds * 1000);
    const to = Date.now();
    result.agentAlive = agent.exitCode === null && agent.signalCode === null;
    agent.kill("SIGTERM");
    await exited(agent);
    const counts =
      inspect(dbPath, (db) =>
        db.prepare("SELECT analyzer, COUNT(*) AS n FROM readings WHERE channel = 'o3' AND flag <> 'B' AND ts >= ? AND ts < ? GROUP BY analyzer").all(from, to) as { analyzer: string; n: number }[],
      ) ?? [];
    const expected = Math.floor((to - from) / (INTERVAL_S * 1000));
    result.rates = ROLES.map((r) => ({ id: r.id, role: r.role, answered: counts.find((c) => c.analyzer === r.id)?.n ?? 0, expected }));
    result.slowAnswerMs = Math.round(
      Math.max(0, ...line.frames.filter((f) => f.slave === 5 && f.answeredAt !== undefined).map((f) => f.answeredAt! - f.arrivedAt)),
    );
    log(`bus: ${line.frames.length} requests on the line in ${Math.round((to - from) / 1000) + 8} s`);
  } finally {
    if (agent.exitCode === null && agent.signalCode === null) {
      agent.kill("SIGTERM");
      await exited(agent);
    }
    await line.close();
    await pty.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}
