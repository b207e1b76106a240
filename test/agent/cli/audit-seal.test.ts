// `audit keygen`, `audit verify --verification-key`, `audit export` and `status` as a technician
// and the centre use them, on a real agent's database: exit 0 intact, 1 tampered, 2 cannot check.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { Agent } from "../../../agent/main.js";
import { silentLogger } from "../../../agent/log.js";
import { openDb } from "../../../agent/store/db.js";
import { configSchema } from "../../../config/schema.js";
import { MN, tempDir } from "../../helpers/station.js";

const BIN = join(import.meta.dirname, "../../../bin/station-agent.js");
const cli = (...args: string[]) =>
  new Promise<{ status: number; stdout: string; stderr: string }>((resolve) =>
    execFile(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, STATION_AGENT_FROM_SOURCE: "1" } }, (err, stdout, stderr) =>
      resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );

test("keygen prints the verification key once; verify with it exits 0, tampered 1, without it 2; export and status", { timeout: 120_000 }, async () => {
  const { dir, cleanup } = tempDir();
  const yaml = `station: { name: Seal test, mn: "${MN}" }\nstorage: { path: station.db }\nlog: { level: error }\n`;
  const file = join(dir, "station.yaml");
  writeFileSync(file, yaml);
  const c = ["--config", file];
  try {
    const gen = await cli("audit", "keygen", ...c);
    assert.equal(gen.status, 0, gen.stderr);
    const key = gen.stdout.match(/([0-9a-f]{8}-){8}[0-9a-f]{8}/)?.[0];
    assert.ok(key, gen.stdout);
    assert.match(gen.stdout, /OFF the station/);
    assert.equal(statSync(join(dir, "audit-seal.key")).mode & 0o777, 0o600);
    const again = await cli("audit", "keygen", ...c);
    assert.equal(again.status, 1, "a second keygen without --force is refused");
    assert.doesNotMatch(again.stdout + again.stderr, /([0-9a-f]{8}-){8}/, "the key is never printed again");

    const config = configSchema.parse(parseYaml(yaml));
    config.storage.path = join(dir, "station.db");
    for (let run = 0; run < 2; run++) {
      const agent = new Agent({ config, file, dir }, { log: silentLogger });
      await agent.start();
      assert.equal(agent.sealer?.sealed, true);
      agent.audit.append({ actor: "alice", action: "maintenance.on", reason: `run ${run}` });
      agent.sealer!.seal("interval");
      await agent.stop();
    }
    const st = JSON.parse((await cli("status", "--json", ...c)).stdout);
    assert.equal(st.audit.sealed, true);
    assert.equal(st.audit.seals, 6);

    const good = await cli("audit", "verify", "--verification-key", key, ...c);
    assert.equal(good.status, 0, good.stdout + good.stderr);
    assert.match(good.stdout, /intact: every seal holds/);
    const blind = await cli("audit", "verify", ...c);
    assert.equal(blind.status, 2, blind.stdout);
    assert.match(blind.stdout, /cannot rule out a rewrite/);
    const typo = await cli("audit", "verify", "--verification-key", "0".repeat(72), ...c);
    assert.equal(typo.status, 2);
    const keyFile = join(dir, "centre.key");
    writeFileSync(keyFile, key + "\n");

    const lines = (await cli("audit", "export", ...c)).stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual([...new Set(lines.map((l) => l.type))], ["entry", "seal"]);
    assert.equal(lines.filter((l) => l.type === "seal").length, 6);
    assert.ok(lines.filter((l) => l.type === "seal").every((l) => /^[0-9a-f]{64}$/.test(l.mac)));

    const db = openDb(join(dir, "station.db"));
    db.exec("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET reason = 'nothing' WHERE action = 'maintenance.on' AND reason = 'run 1'");
    db.close();
    const bad = await cli("audit", "verify", "--verification-key-file", keyFile, "--json", ...c);
    assert.equal(bad.status, 1, bad.stdout);
    const v = JSON.parse(bad.stdout);
    assert.equal(v.status, "tampered");
    assert.equal(v.seals.firstTampered.seal.epoch, 4, "the second run's interval seal is the first to cover the edited entry");
  } finally {
    cleanup();
  }
});
