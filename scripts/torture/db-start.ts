// Host faults, the database at start: locked by another process (exit 75 with a clear message, so
// systemd retries; a normal start once the lock is gone), and unreadable in several ways (moved
// aside with its bytes kept, a new database started, the agent collecting again).
import Database from "better-sqlite3";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exited, inspect, makeStation, sleep, startAgent, until, type Station } from "./harness.js";

export interface LockedResult {
  exitCode: number | null;
  message: string;
  seconds: number;
  /** After the lock went away: the agent ran and stored readings. */
  startedAfter: boolean;
}

export interface CorruptCase {
  kind: string;
  movedAside: boolean;
  /** The file moved aside is byte for byte what was there. */
  keptIntact: boolean;
  running: boolean;
  newReadings: number;
  message: string;
}

export interface DbStartResult {
  locked: LockedResult;
  corrupt: CorruptCase[];
}

const sha = (p: string) => createHash("sha256").update(readFileSync(p)).digest("hex");
const maxId = (st: Station) => inspect(st.dbPath, (d) => (d.prepare("SELECT MAX(id) AS m FROM readings").get() as { m: number | null }).m ?? 0) ?? 0;

/** Runs the agent until it has stored readings, then stops it: a database like a station's. */
async function runUntilStored(st: Station): Promise<number> {
  const agent = startAgent(st.configFile);
  await until(() => maxId(st) > 20, 20_000);
  agent.kill("SIGTERM");
  return (await exited(agent)) ?? -1;
}

async function locked(st: Station, log: (s: string) => void): Promise<LockedResult> {
  // A technician's sqlite3 shell in the middle of a write transaction.
  const holder = new Database(st.dbPath);
  holder.exec("BEGIN IMMEDIATE; UPDATE readings SET value = value WHERE id = 1;");
  const out: string[] = [];
  const t = Date.now();
  const agent = startAgent(st.configFile, out);
  const code = await Promise.race([exited(agent), sleep(30_000).then(() => "hung" as const)]);
  const seconds = Math.round((Date.now() - t) / 100) / 10;
  if (code === "hung") {
    agent.kill("SIGKILL");
    await exited(agent);
  }
  holder.exec("ROLLBACK");
  holder.close();
  log(`db locked: agent exited ${code} after ${seconds} s`);
  const before = maxId(st);
  const again = startAgent(st.configFile);
  const startedAfter = await until(() => maxId(st) > before + 10, 20_000);
  again.kill("SIGTERM");
  await exited(again);
  return { exitCode: code === "hung" ? null : code, message: out.filter((l) => /lock/i.test(l)).join(" | ").slice(0, 300), seconds, startedAfter };
}

/** Ways a database file can be unreadable at start. */
const CORRUPTIONS: [string, (path: string) => void][] = [
  ["garbage", (p) => writeFileSync(p, Buffer.from(Array.from({ length: 65536 }, (_, i) => (i * 7919 + 13) & 0xff)))],
  ["header zeroed", (p) => {
    const b = readFileSync(p);
    b.fill(0, 0, 100);
    writeFileSync(p, b);
  }],
  ["a text file", (p) => writeFileSync(p, "this is not a database\n")],
  ["truncated to one page", (p) => truncateSync(p, 4096)],
];

async function corrupt(st: Station, kind: string, damage: (path: string) => void, log: (s: string) => void): Promise<CorruptCase> {
  await runUntilStored(st);
  // The WAL is checkpointed at a clean stop; what is left of it goes with the damaged file.
  for (const s of ["-wal", "-shm"]) rmSync(st.dbPath + s, { force: true });
  damage(st.dbPath);
  const hash = sha(st.dbPath);
  const asideBefore = new Set(readdirSync(st.dir).filter((f) => f.includes(".corrupt-")));
  const out: string[] = [];
  const agent = startAgent(st.configFile, out);
  const stored = await until(() => maxId(st) > 10, 20_000);
  const running = agent.exitCode === null && agent.signalCode === null;
  const newReadings = maxId(st);
  agent.kill("SIGTERM");
  await exited(agent);
  const aside = readdirSync(st.dir).filter((f) => f.includes(".corrupt-") && !f.endsWith("-wal") && !f.endsWith("-shm") && !asideBefore.has(f));
  const movedAside = aside.length === 1;
  const keptIntact = movedAside && existsSync(join(st.dir, aside[0])) && sha(join(st.dir, aside[0])) === hash;
  log(`db corrupt (${kind}): ${movedAside ? `moved to ${aside[0]}` : "not moved aside"}, ${stored ? "collecting again" : "not collecting"}`);
  return { kind, movedAside, keptIntact, running, newReadings, message: out.filter((l) => /unreadable|corrupt|malformed/i.test(l)).join(" | ").slice(0, 300) };
}

export async function dbStart(log: (s: string) => void): Promise<DbStartResult> {
  const dir = mkdtempSync(join(tmpdir(), "torture-dbstart-"));
  const st = await makeStation(dir, { pollS: 0.2, logLevel: "warn" });
  try {
    await runUntilStored(st);
    const lockedResult = await locked(st, log);
    const corruptResults: CorruptCase[] = [];
    for (const [kind, damage] of CORRUPTIONS) corruptResults.push(await corrupt(st, kind, damage, log));
    return { locked: lockedResult, corrupt: corruptResults };
  } finally {
    await st.sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
