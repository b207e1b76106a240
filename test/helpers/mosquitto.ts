// A real MQTT broker for tests: Debian's mosquitto, started on a free loopback port with a
// generated config in a temp dir (persistence on, so retained messages survive a restart), and
// stopped by the test. Where mosquitto is not installed the caller skips with the reason.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { freePort, tempDir } from "./station.js";

const CANDIDATES = ["/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto", "/usr/bin/mosquitto"];

function binary(): string | null {
  const onPath = spawnSync("sh", ["-c", "command -v mosquitto"], { encoding: "utf8" }).stdout.trim();
  return onPath || CANDIDATES.find((p) => existsSync(p)) || null;
}

/** Why the broker tests cannot run here, or null when mosquitto is available. */
export function mosquittoMissing(): string | null {
  const bin = binary();
  if (!bin) return "mosquitto is not installed (apt-get install mosquitto)";
  const r = spawnSync(bin, ["-h"], { encoding: "utf8" });
  if (r.error) return `mosquitto cannot run: ${r.error.message}`;
  return null;
}

export interface Broker {
  port: number;
  url: string;
  /** Stops the broker (SIGTERM; it saves its retained messages). */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  start(): Promise<void>;
  /** Stops it and removes its files. */
  close(): Promise<void>;
  log(): string;
}

export interface BrokerOptions {
  /** Users allowed to connect; with any, anonymous clients are refused. */
  users?: Record<string, string>;
  /** PEM files for a TLS listener (the URL is then mqtts://). */
  tls?: { cafile: string; certfile: string; keyfile: string };
}

function waitForPort(port: number, child: ChildProcess, logTail: () => string): Promise<void> {
  const end = Date.now() + 10_000;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`mosquitto exited with ${child.exitCode}: ${logTail()}`));
      const s = net.connect(port, "127.0.0.1");
      s.once("connect", () => {
        s.destroy();
        resolve();
      });
      s.once("error", () => {
        s.destroy();
        if (Date.now() > end) reject(new Error(`mosquitto did not listen on ${port}: ${logTail()}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

export async function startBroker(opts: BrokerOptions = {}): Promise<Broker> {
  const bin = binary();
  if (!bin) throw new Error("mosquitto is not installed");
  const { dir, cleanup } = tempDir("mosquitto-test-");
  const port = await freePort();
  const lines = [`listener ${port} 127.0.0.1`, "persistence true", `persistence_location ${dir}/`, "autosave_interval 1", "log_type error", "log_type warning", "log_type notice"];
  // As root, mosquitto drops to the "mosquitto" user, which cannot read a root-only temp dir.
  if (process.getuid?.() === 0) lines.push("user root");
  if (opts.tls) lines.push(`cafile ${opts.tls.cafile}`, `certfile ${opts.tls.certfile}`, `keyfile ${opts.tls.keyfile}`);
  if (opts.users && Object.keys(opts.users).length) {
    const pw = join(dir, "passwd");
    writeFileSync(pw, "");
    for (const [u, p] of Object.entries(opts.users)) {
      const r = spawnSync("mosquitto_passwd", ["-b", pw, u, p], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`mosquitto_passwd failed: ${r.stderr || r.error?.message}`);
    }
    lines.push("allow_anonymous false", `password_file ${pw}`);
  } else lines.push("allow_anonymous true");
  const conf = join(dir, "mosquitto.conf");
  writeFileSync(conf, lines.join("\n") + "\n");
  let child: ChildProcess | null = null;
  let log = "";
  const start = async () => {
    const c = spawn(bin, ["-c", conf], { stdio: ["ignore", "ignore", "pipe"] });
    c.stderr!.setEncoding("utf8");
    c.stderr!.on("data", (d: string) => (log = (log + d).slice(-8000)));
    child = c;
    // A test runner that dies before close() must not leave a broker behind.
    const reap = () => c.kill("SIGKILL");
    process.once("exit", reap);
    c.once("exit", () => process.off("exit", reap));
    await waitForPort(port, c, () => log);
  };
  const stop = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((r) => {
      c.once("exit", () => r());
      c.kill("SIGTERM");
    });
  };
  await start();
  return {
    port,
    url: `${opts.tls ? "mqtts" : "mqtt"}://127.0.0.1:${port}`,
    stop,
    start,
    close: async () => {
      await stop();
      cleanup();
    },
    log: () => log,
  };
}
