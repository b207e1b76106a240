// Interventions beside the agent: a config file edited, the wall clock stepped, a bus paused by
// hand; and the agent without a sealing key says it runs unsealed, at start and in status.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { InterventionWatch } from "../../../agent/audit/watch.js";
import { fileSha256 } from "../../../agent/audit/config-hash.js";
import { createLogger, silentLogger } from "../../../agent/log.js";
import { Agent } from "../../../agent/main.js";
import { jsonPacket } from "../../../agent/uplink/http-json.js";
import { sealCp } from "../../../agent/audit/seal-packet.js";
import { loadedConfig, MN, tempDir } from "../../helpers/station.js";

test("a config file edited after start and a wall-clock step are audited", () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, "station.yaml");
    writeFileSync(file, "station: {}\n");
    const entries: { action: string; details?: Record<string, unknown> }[] = [];
    let wallOffset = 0;
    const w = new InterventionWatch({ audit: { append: (e) => entries.push(e) }, configFile: file, startHash: fileSha256(file), log: silentLogger, wall: () => Date.now() + wallOffset });
    assert.equal(w.checkConfig(), null, "unchanged");
    writeFileSync(file, "station: { name: edited }\n");
    assert.equal(w.checkConfig(), fileSha256(file));
    assert.equal(entries[0].action, "config.changed");
    assert.equal(entries[0].details?.configSha256, fileSha256(file));
    assert.equal(w.checkConfig(), null, "recorded once");
    assert.equal(w.checkClock(), 0);
    wallOffset = -3600_000;
    assert.ok(Math.abs(w.checkClock() + 3600_000) < 1000);
    assert.equal(entries[1].action, "clock.step");
    assert.ok(Math.abs((entries[1].details?.stepMs as number) + 3600_000) < 1000);
  } finally {
    cleanup();
  }
});

test("without a sealing key the agent says UNSEALED at start and in status; a seal's packet is an http-json audit-seal", async () => {
  const { dir, cleanup } = tempDir();
  const lines: string[] = [];
  const agent = new Agent(loadedConfig({ station: { name: "t", mn: MN }, storage: { path: join(dir, "s.db") } }, dir), { log: createLogger({ write: (l) => lines.push(l) }), control: false });
  try {
    await agent.start();
    assert.ok(lines.some((l) => /UNSEALED/.test(l)), lines.join("\n"));
    assert.equal(agent.status().audit?.sealed, false);
  } finally {
    await agent.stop();
    cleanup();
  }
  const seal = { keyId: "0123456789abcdef", epoch: 4, ts: Date.UTC(2026, 0, 1), kind: "interval" as const, audit: { id: 9, hash: "a".repeat(64) }, readings: null, tables: "b".repeat(64), prev: "c".repeat(64), mac: "d".repeat(64) };
  const p = jsonPacket({ id: 1, platform: "ops", qn: "20260101080000000", cn: "3020", dataTime: seal.ts, cp: sealCp(seal, "Asia/Shanghai"), ackRequired: true } as never, { mn: MN, name: "t" }, "Asia/Shanghai");
  assert.equal(p.kind, "audit-seal");
  assert.deepEqual(p.seal, seal);
});
