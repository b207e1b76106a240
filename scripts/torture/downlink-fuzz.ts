// Bad input, downlink: the platform sends the running agent (a real child process) garbage and
// mutated HJ 212 frames on its live connection while it uploads realtime data. The agent must not
// crash, must keep uploading and answering real requests, and its memory must stay roughly flat.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildSegment, encodeFrame } from "../../agent/uplink/hj212/codec.js";
import { MN } from "../../test/helpers/station.js";
import { exited, makeStation, recordingReceiver, rssMb, sleep, startAgent, until } from "./harness.js";

export interface DownlinkFuzzResult {
  frames: number;
  byKind: Record<MutationKind, number>;
  crashed: boolean;
  connectedAfter: boolean;
  /** Realtime packets received in the seconds after the storm (it should not have stopped them). */
  realtimeAfter: number;
  answeredAfter: boolean;
  rssStartMb: number;
  rssEndMb: number;
}

const PW = "123456";
type MutationKind = "garbage" | "flipped" | "truncated" | "cp-junk" | "valid";
const KINDS: MutationKind[] = ["garbage", "flipped", "truncated", "cp-junk", "valid"];

/** A small deterministic PRNG, so a failure can be replayed. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

// Requests a platform really sends. Not 1062/1064/1072: valid ones would (rightly) slow realtime
// down or change the password, and this run checks that uploading goes on.
const SEEDS = [
  buildSegment({ qn: "20260101080000000", st: "22", cn: "2061", pw: PW, mn: MN, flag: 5 }, "BeginTime=20260101080000,EndTime=20260101081000"),
  buildSegment({ qn: "20260101080000001", st: "22", cn: "1011", pw: PW, mn: MN, flag: 5 }, ""),
  buildSegment({ qn: "20260101080000002", st: "22", cn: "1000", pw: PW, mn: MN, flag: 5 }, "OverTime=5;ReCount=3"),
  buildSegment({ qn: "20260101080000003", st: "22", cn: "3020", pw: PW, mn: MN, flag: 5 }, "PolId=a05024;InfoId=i12001"),
  buildSegment({ qn: "20260101080000004", st: "91", cn: "9014", pw: PW, mn: MN, flag: 4 }, ""),
  buildSegment({ qn: "20260101080000005", st: "22", cn: "1061", pw: PW, mn: MN, flag: 5 }, ""),
  buildSegment({ qn: "20260101080000006", st: "22", cn: "2031", pw: PW, mn: MN, flag: 5 }, "BeginTime=20250101000000,EndTime=20250102000000"),
];

function mutate(r: () => number, counts: Record<MutationKind, number>): string {
  const kind = KINDS[Math.floor(r() * KINDS.length)];
  counts[kind]++;
  if (kind === "garbage") return Buffer.from(Array.from({ length: Math.floor(r() * 200) }, () => Math.floor(r() * 256))).toString("latin1");
  const frame = encodeFrame(SEEDS[Math.floor(r() * SEEDS.length)]);
  if (kind === "truncated") return frame.slice(0, Math.floor(r() * frame.length));
  if (kind === "cp-junk") return frame.replace(/CP=&&.*&&/, `CP=&&${"x=;,&".repeat(Math.floor(r() * 50))}&&`);
  if (kind === "valid") return frame;
  const chars = [...frame];
  for (let i = 0; i < 1 + r() * 4; i++) chars[Math.floor(r() * chars.length)] = String.fromCharCode(Math.floor(r() * 128));
  return chars.join("");
}

export async function downlinkFuzz(frames: number, log: (s: string) => void): Promise<DownlinkFuzzResult> {
  const dir = mkdtempSync(join(tmpdir(), "torture-downlink-"));
  // Realtime every second: the upload that must go on through the storm.
  const st = await makeStation(dir, { pollS: 0.5, uploads: "realtime, minute", platform: "realtime_interval_s: 1" });
  const { receiver, byQn } = recordingReceiver(st.platformPort);
  await receiver.start();
  const agent = startAgent(st.configFile);
  const byKind = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<MutationKind, number>;
  const realtimeSeen = () => [...byQn.values()].filter((ps) => ps[0].frame.header.cn === "2011").length;
  try {
    if (!(await until(() => receiver.connections > 0 && realtimeSeen() > 0, 20_000))) throw new Error("the agent never connected and uploaded");
    await sleep(1000);
    const rssStartMb = rssMb(agent.pid!);
    const r = rng(212);
    const batch = 500;
    for (let sent = 0; sent < frames; sent += batch) {
      receiver.sendRaw(Array.from({ length: Math.min(batch, frames - sent) }, () => mutate(r, byKind)).join(""));
      await sleep(250);
      if (agent.exitCode !== null || agent.signalCode) break;
    }
    log(`downlink: ${frames} frames sent, agent ${agent.exitCode === null ? "alive" : `exited ${agent.exitCode ?? agent.signalCode}`}`);
    // Let the agent work through its answers, then see that uploading goes on.
    await sleep(2000);
    const before = realtimeSeen();
    await sleep(5000);
    const realtimeAfter = realtimeSeen() - before;
    const rssEndMb = rssMb(agent.pid!);
    // A real request after the storm is still answered (9011 → 1011 data → 9012, all under its QN).
    const qn = receiver.request({ cn: "1011", cp: "", pw: PW, mn: MN });
    const answeredAfter = await until(() => (byQn.get(qn) ?? []).some((p) => p.frame.header.cn === "9012"), 10_000);
    return {
      frames,
      byKind,
      crashed: agent.exitCode !== null || agent.signalCode !== null,
      connectedAfter: receiver.connections > 0,
      realtimeAfter,
      answeredAfter,
      rssStartMb,
      rssEndMb,
    };
  } finally {
    agent.kill("SIGTERM");
    await exited(agent);
    await receiver.stop();
    await st.sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
