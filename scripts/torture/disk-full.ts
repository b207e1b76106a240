// Host fault, disk full: the database lives on a small tmpfs, which is filled up while the agent
// polls and uploads (realtime every second, so both the store and the uplink's acks hit the full
// disk). The agent must log the error, keep running, and keep the readings in memory (within its
// bound); once the tmpfs is grown (`mount -o remount,size=…`), storing resumes, every reading
// polled meanwhile is stored, nothing acknowledged is lost, and integrity_check is ok.
import { spawnSync } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exited, inspect, makeStation, recordingReceiver, rssMb, sleep, startAgent, until } from "./harness.js";

export interface DiskFullResult {
  skipped: string | null;
  fullSeconds: number;
  /** The most readings the agent said it was holding while the disk was full. */
  heldInMemory: number;
  /** Readings from the full stretch found in the database afterwards. */
  storedAfter: number;
  /** Longest stretch (s) without a stored reading of some analyzer, across the full stretch. */
  longestGapS: number;
  ackedBefore: number;
  ackedLost: number;
  errorsLogged: number;
  crashed: string | null;
  integrityOk: boolean;
  rssBeforeMb: number;
  rssFullMb: number;
}

const mount = (...args: string[]) => spawnSync("mount", args, { encoding: "utf8" });

/** Fills the file system holding `dir` to the last byte. */
function fill(dir: string): void {
  const fd = openSync(join(dir, "filler"), "w");
  try {
    for (const size of [1 << 20, 4096, 512, 1]) {
      const chunk = Buffer.alloc(size, 0x55);
      try {
        for (;;) writeSync(fd, chunk);
      } catch {
        /* ENOSPC: try smaller pieces */
      }
    }
  } finally {
    closeSync(fd);
  }
}

export async function diskFull(fullS: number, log: (s: string) => void): Promise<DiskFullResult> {
  const r: DiskFullResult = {
    skipped: null, fullSeconds: fullS, heldInMemory: 0, storedAfter: 0, longestGapS: 0, ackedBefore: 0, ackedLost: 0,
    errorsLogged: 0, crashed: null, integrityOk: false, rssBeforeMb: 0, rssFullMb: 0,
  };
  const dir = mkdtempSync(join(tmpdir(), "torture-disk-"));
  const data = join(dir, "data");
  mkdirSync(data);
  const m = mount("-t", "tmpfs", "-o", "size=16m", "tmpfs", data);
  if (m.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return { ...r, skipped: `cannot mount a tmpfs here (${(m.stderr || m.error?.message || "").trim()}): needs root` };
  }
  const st = await makeStation(dir, { pollS: 0.2, dbPath: join(data, "station.db"), uploads: "realtime, minute", platform: "realtime_interval_s: 1" });
  const { receiver } = recordingReceiver(st.platformPort);
  await receiver.start();
  const output: string[] = [];
  const agent = startAgent(st.configFile, output);
  const acked = () => inspect(st.dbPath, (d) => (d.prepare("SELECT qn FROM outbox WHERE acked_at IS NOT NULL").all() as { qn: string }[]).map((x) => x.qn)) ?? [];
  try {
    await until(() => acked().length >= 3, 20_000);
    const ackedBefore = acked();
    r.ackedBefore = ackedBefore.length;
    r.rssBeforeMb = rssMb(agent.pid!);
    const fullFrom = Date.now();
    fill(data);
    log(`disk full: tmpfs filled, holding ${fullS} s`);
    const held = /cannot store (\d+) readings/;
    for (let t = 0; t < fullS; t++) {
      await sleep(1000);
      r.rssFullMb = Math.max(r.rssFullMb, rssMb(agent.pid!));
    }
    const fullTo = Date.now();
    for (const line of output) {
      const n = held.exec(line);
      if (n) r.heldInMemory = Math.max(r.heldInMemory, Number(n[1]));
    }
    if (process.env.TORTURE_DEBUG) console.log(output.join("\n"));
    r.errorsLogged = output.filter((l) => / error /i.test(l) || /"level":"error"/.test(l)).length;
    if (agent.exitCode !== null || agent.signalCode) r.crashed = `exited ${agent.exitCode ?? agent.signalCode} while the disk was full: ${output.slice(-5).join(" | ")}`;
    if (mount("-o", "remount,size=64m", data).status !== 0) throw new Error("cannot grow the tmpfs back");
    log(`disk full: tmpfs grown to 64 MB`);
    // Storing resumes: the readings held in memory land, and new ones follow.
    await sleep(4000);
    if (!r.crashed && (agent.exitCode !== null || agent.signalCode)) r.crashed = `exited ${agent.exitCode ?? agent.signalCode} after space came back: ${output.slice(-5).join(" | ")}`;
    agent.kill("SIGTERM");
    await exited(agent);
    const q = inspect(st.dbPath, (d) => {
      const ts = (d.prepare("SELECT analyzer, ts FROM readings WHERE channel = 'o3' AND ts BETWEEN ? AND ? ORDER BY analyzer, ts").all(fullFrom - 2000, fullTo + 2000) as { analyzer: string; ts: number }[]);
      let gap = 0;
      for (let i = 1; i < ts.length; i++) if (ts[i].analyzer === ts[i - 1].analyzer) gap = Math.max(gap, ts[i].ts - ts[i - 1].ts);
      const stored = (d.prepare("SELECT COUNT(*) AS n FROM readings WHERE ts BETWEEN ? AND ?").get(fullFrom, fullTo) as { n: number }).n;
      const still = new Set((d.prepare("SELECT qn FROM outbox WHERE acked_at IS NOT NULL").all() as { qn: string }[]).map((x) => x.qn));
      return { gap, stored, lost: ackedBefore.filter((x) => !still.has(x)).length, ok: d.pragma("integrity_check", { simple: true }) === "ok" };
    });
    r.longestGapS = q ? q.gap / 1000 : Infinity;
    r.storedAfter = q?.stored ?? 0;
    r.ackedLost = q?.lost ?? r.ackedBefore;
    r.integrityOk = q?.ok ?? false;
  } finally {
    if (agent.exitCode === null && agent.signalCode === null) {
      agent.kill("SIGTERM");
      await exited(agent);
    }
    await receiver.stop();
    await st.sim.stop();
    spawnSync("umount", [data]);
    rmSync(dir, { recursive: true, force: true });
  }
  return r;
}
