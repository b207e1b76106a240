// The link-security keys: checked at config check (exit 78 with file, line, field), SM4 keys kept
// out of `config show`, and a Node without sm4-ecb told so for a platform with a key.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { linkProblems } from "../../config/checks-link.js";
import { EXIT_CONFIG } from "../../config/errors.js";
import { tempDir } from "../helpers/station.js";

const ROOT = resolve(import.meta.dirname, "..", "..");
const cli = (args: string[]) => spawnSync(process.execPath, ["bin/station-agent.js", ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, STATION_AGENT_FROM_SOURCE: "1", STATION_AGENT_CONFIG: "" } });

function station(dir: string, platform: string): string {
  const file = join(dir, "station.yaml");
  writeFileSync(
    file,
    `station: { name: t, mn: "010000A8900016F000169DC0" }
storage: { path: s.db }
platforms:
  - { id: city, host: 127.0.0.1, port: 9000, st: 22, pw: "123456", ${platform} }
`,
  );
  return file;
}

test("a platform with an SM4 key on a Node without sm4-ecb: the problem is named, unless encrypt is false", () => {
  const p = [{ id: "a", protocol: "hj212-2025", sm4_key: "0000000000000000" }];
  const [problem] = linkProblems(p, () => false);
  assert.deepEqual(problem.path, ["platforms", 0, "sm4_key"]);
  assert.match(problem.expected, /no sm4-ecb cipher/);
  assert.deepEqual(linkProblems([{ ...p[0], encrypt: false }], () => false), []);
  assert.deepEqual(linkProblems(p, () => true), []);
});

test("config check refuses, with line and field: two key sources, a key that is not one, a 2017 platform with a key, half a client certificate", () => {
  const { dir, cleanup } = tempDir();
  try {
    const cases: [string, RegExp][] = [
      [`protocol: hj212-2025, sm4_key: "0000000000000000", sm4_key_file: k`, /platforms\[0\]\.sm4_key_file: either sm4_key or sm4_key_file/],
      [`protocol: hj212-2025, sm4_key: "short"`, /platforms\[0\]\.sm4_key: .*16 printable ASCII characters/],
      [`protocol: hj212-2017, sm4_key: "0000000000000000"`, /platforms\[0\]\.protocol: .*hj212-2025/],
      [`tls: { cert: c.pem }`, /platforms\[0\]\.tls\.cert: tls\.cert and tls\.key together/],
      [`protocol: hj212-2025, encrypt: true`, /platforms\[0\]\.encrypt: an SM4 key/],
    ];
    for (const [platform, expected] of cases) {
      const r = cli(["config", "check", station(dir, platform)]);
      assert.equal(r.status, EXIT_CONFIG, platform);
      assert.match(r.stderr, /station\.yaml:4:\d+: /, platform);
      assert.match(r.stderr, expected, platform);
    }
  } finally {
    cleanup();
  }
});

test("sm4_key_file: readable by others or holding no key is refused; mode 0600 with a key is fine; config show never prints a key", () => {
  const { dir, cleanup } = tempDir();
  try {
    const key = join(dir, "city.key");
    writeFileSync(key, "0000000000000000\n");
    chmodSync(key, 0o644);
    const file = station(dir, "protocol: hj212-2025, sm4_key_file: city.key");
    let r = cli(["config", "check", file]);
    assert.equal(r.status, EXIT_CONFIG);
    assert.match(r.stderr, /platforms\[0\]\.sm4_key_file: a key file readable only by the service \(chmod 600 .*city\.key\); it has mode 644/);
    chmodSync(key, 0o600);
    assert.equal(cli(["config", "check", file]).status, 0);
    writeFileSync(key, "not a key\n");
    r = cli(["config", "check", file]);
    assert.match(r.stderr, /sm4_key_file: a file holding an SM4 key/);
    const inline = station(dir, `protocol: hj212-2025, sm4_key: "abcdefghijklmnop"`);
    r = cli(["config", "show", "--json", inline]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!r.stdout.includes("abcdefghijklmnop"));
    assert.equal(JSON.parse(r.stdout).platforms[0].sm4_key, "******");
  } finally {
    cleanup();
  }
});
