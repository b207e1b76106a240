// A pair of connected pseudo-terminals made by socat, for running RTU over a real serial line:
// the simulator opens one end, the agent the other (style.md §3: one suite on fake and real ports).
//   socat -d -d pty,raw,echo=0,link=<a> pty,raw,echo=0,link=<b>
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface PtyPair {
  /** Symlinks to the two ends (stable across restart()). */
  a: string;
  b: string;
  /** Kills socat: both ends vanish, like a USB adapter pulled out. */
  unplug(): Promise<void>;
  /** Starts socat again with the same link names, like the adapter plugged back in. */
  replug(): Promise<void>;
  close(): Promise<void>;
}

/** Why the RTU tests cannot run here, or null when socat is available. */
export function socatMissing(): string | null {
  const r = spawnSync("socat", ["-V"], { stdio: "ignore" });
  if (r.error || r.status !== 0) return "socat is not installed (apt-get install socat)";
  return null;
}

function startSocat(a: string, b: string): Promise<ChildProcess> {
  const child = spawn("socat", ["-d", "-d", `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let stderr = "";
    let ptys = 0;
    const timer = setTimeout(() => fail(new Error(`socat did not start: ${stderr}`)), 5000);
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill();
      reject(e);
    };
    child.once("error", fail);
    child.once("exit", (code) => fail(new Error(`socat exited with ${code}: ${stderr}`)));
    child.stderr!.on("data", (d: Buffer) => {
      stderr += d.toString();
      ptys = (stderr.match(/PTY is /g) ?? []).length;
      // "starting data transfer loop" follows the two "PTY is" lines once both links exist.
      if (ptys >= 2 && /starting data transfer loop/.test(stderr) && existsSync(a) && existsSync(b)) {
        clearTimeout(timer);
        child.removeAllListeners("exit");
        child.removeAllListeners("error");
        child.stderr!.removeAllListeners("data");
        child.stderr!.resume();
        resolve(child);
      }
    });
  });
}

function stopSocat(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

/** Starts socat with links in a fresh temp dir. */
export async function openPtyPair(): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), "station-agent-pty-"));
  const a = join(dir, "sim");
  const b = join(dir, "agent");
  let child: ChildProcess | null = await startSocat(a, b);
  return {
    a,
    b,
    async unplug() {
      await stopSocat(child);
      child = null;
    },
    async replug() {
      if (!child) child = await startSocat(a, b);
    },
    async close() {
      await stopSocat(child);
      child = null;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
