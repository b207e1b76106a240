// Host fault, clock jump: the wall clock steps +1 h, back, −1 h and back while the agent polls,
// aggregates and uploads (as NTP or a technician's `date -s` would do it). The system clock cannot be
// changed here, so the agent runs in this process with Date.now() offset; timers stay on the
// monotonic clock, as they do in Node when the real clock steps. Checks: polling goes on at its rate
// in every phase, QNs stay unique and increasing, every stored reading ends up in a closed minute
// (none skipped) exactly once, nothing is sent again under a new QN with the same content, and
// every packet is delivered.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../config/load.js";
import { Agent } from "../../agent/main.js";
import { createLogger } from "../../agent/log.js";
import { inspect, makeStation, recordingReceiver, sleep, until } from "./harness.js";

export interface ClockPhase {
  offsetMin: number;
  seconds: number;
  /** Polls answered per analyzer (the slowest one), against what the interval asks for. */
  polls: number;
  expected: number;
}

export interface ClockJumpResult {
  phases: ClockPhase[];
  packets: number;
  qnsNotIncreasing: number;
  /** Same period, same content, sent under a second QN. */
  resentAsNew: number;
  /** Periods sent again with new content (late readings recomputed after the clock went back). */
  recomputedResent: number;
  /** Closed minutes with readings but no aggregate, or an aggregate not counting all of them. */
  minutesSkipped: number;
  minutesChecked: number;
  undelivered: number;
  errors: string[];
}

const OFFSETS_MIN = [0, 60, 0, -60, 0];
const POLL_S = 0.5;

export async function clockJump(phaseS: number): Promise<ClockJumpResult> {
  const dir = mkdtempSync(join(tmpdir(), "torture-clock-"));
  const st = await makeStation(dir, { pollS: POLL_S, uploads: "minute, hour" });
  // Every 7th ack dropped: packets in flight across a jump must still be sent again and delivered.
  const { receiver, byQn } = recordingReceiver(st.platformPort, { dropAckEvery: 7 });
  await receiver.start();
  const realNow = Date.now.bind(Date);
  let offset = 0;
  Date.now = () => realNow() + offset;
  const errors: string[] = [];
  const log2 = createLogger({ level: "error", write: (line) => errors.length < 20 && errors.push(line) });
  const agent = new Agent(loadConfig(st.configFile), { control: false, log: log2 });
  const result: ClockJumpResult = { phases: [], packets: 0, qnsNotIncreasing: 0, resentAsNew: 0, recomputedResent: 0, minutesSkipped: 0, minutesChecked: 0, undelivered: -1, errors };
  let stopped = false;
  try {
    await agent.start();
    const polls = () => inspect(st.dbPath, (d) => d.prepare("SELECT analyzer, COUNT(*) AS n FROM readings WHERE channel = 'o3' AND flag <> 'B' GROUP BY analyzer").all() as { analyzer: string; n: number }[]) ?? [];
    const slowest = () => Math.min(...st.config.analyzers.map((a) => polls().find((p) => p.analyzer === a.id)?.n ?? 0));
    await sleep(2000);
    for (const min of OFFSETS_MIN) {
      offset = min * 60_000;
      const before = slowest();
      const t = realNow();
      await sleep(phaseS * 1000);
      const seconds = (realNow() - t) / 1000;
      result.phases.push({ offsetMin: min, seconds: Math.round(seconds), polls: slowest() - before, expected: Math.floor(seconds / POLL_S) });
    }
    // Back on time: everything closed must be delivered (dropped acks resent).
    await until(() => (inspect(st.dbPath, (d) => (d.prepare("SELECT COUNT(*) AS n FROM outbox WHERE acked_at IS NULL").get() as { n: number }).n) ?? 1) === 0, 20_000);
    await agent.stop();
    stopped = true;
    const q = inspect(st.dbPath, (d) => {
      const qns = d.prepare("SELECT qn_ms FROM outbox ORDER BY id").all() as { qn_ms: number }[];
      let notIncreasing = 0;
      for (let i = 1; i < qns.length; i++) if (qns[i].qn_ms <= qns[i - 1].qn_ms) notIncreasing++;
      const cursor = (d.prepare("SELECT next_start AS c FROM aggregate_cursor WHERE period_s = 60").get() as { c: number } | undefined)?.c ?? 0;
      // Per closed minute and channel: readings stored vs the readings its aggregate counted.
      const rows = d.prepare(`
        SELECT r.analyzer, r.channel, r.m, r.n, a.total FROM
          (SELECT analyzer, channel, (ts / 60000) * 60000 AS m, COUNT(*) AS n FROM readings WHERE ts < ? GROUP BY 1, 2, 3
           -- a minute the clock has not left yet waits (dirty, persisted) for its recompute: not skipped
           HAVING m NOT IN (SELECT period_start FROM aggregate_dirty WHERE period_s = 60)) r
        LEFT JOIN aggregates a ON a.analyzer = r.analyzer AND a.channel = r.channel AND a.period_s = 60 AND a.period_start = r.m`).all(cursor) as { n: number; total: number | null }[];
      const undelivered = (d.prepare("SELECT COUNT(*) AS n FROM outbox WHERE acked_at IS NULL").get() as { n: number }).n;
      return { notIncreasing, checked: rows.length, skipped: rows.filter((x) => x.total !== x.n).length, undelivered };
    });
    result.qnsNotIncreasing = q?.notIncreasing ?? -1;
    result.minutesChecked = q?.checked ?? 0;
    result.minutesSkipped = q?.skipped ?? -1;
    result.undelivered = q?.undelivered ?? -1;
    // What the platform saw: per period, the distinct QNs and whether their contents differ.
    const byPeriod = new Map<string, Map<string, string>>();
    for (const [qn, ps] of byQn) {
      const h = ps[0].frame.header;
      if (h.cn !== "2051" && h.cn !== "2061") continue;
      const key = `${h.cn} ${ps[0].fields.DataTime}`;
      const m = byPeriod.get(key) ?? new Map<string, string>();
      m.set(qn, ps[0].frame.cp);
      byPeriod.set(key, m);
    }
    for (const m of byPeriod.values()) {
      const cps = [...m.values()];
      result.recomputedResent += new Set(cps).size - 1;
      result.resentAsNew += cps.length - new Set(cps).size;
    }
    result.packets = byQn.size;
  } finally {
    Date.now = realNow;
    if (!stopped) await agent.stop().catch(() => {});
    await receiver.stop();
    await st.sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}
