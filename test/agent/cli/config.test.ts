// `station-agent config check|show`, run as an installer would: the real binary in a child process.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { EXIT_CONFIG } from "../../../config/errors.js";
import { tempDir } from "../../helpers/station.js";

const ROOT = resolve(import.meta.dirname, "..", "..", "..");

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ["bin/station-agent.js", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, STATION_AGENT_FROM_SOURCE: "1", STATION_AGENT_CONFIG: "", ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const BAD = "test/cases/wrong_type_slave/station.yaml";

test("config check: a good file exits 0 with a summary and the conversion each uploaded channel gets", () => {
  const r = cli(["config", "check", "config/demo.yaml"]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split("\n");
  assert.equal(lines[0], "config/demo.yaml: ok (1 bus, 3 analyzers, 1 platform)");
  assert.ok(lines.includes("  o3.o3 → a05024: ppb → ug/m3 by ppb-to-ug/m3@25C, default (ambient, 25 °C)"), r.stdout);
  assert.ok(lines.includes("  pm.pm25 → a34004: µg/m³, no conversion"), r.stdout);
});

test("config check --json: counts on success", () => {
  const r = cli(["config", "check", "--json", "config/station.example.yaml"]);
  assert.equal(r.status, 0, r.stderr);
  const { uploads, ...rest } = JSON.parse(r.stdout);
  assert.deepEqual(rest, { ok: true, file: "config/station.example.yaml", buses: 2, analyzers: 2, platforms: 2 });
  assert.ok(Array.isArray(uploads) && uploads.every((u: { code: string; why: string }) => u.code && u.why), JSON.stringify(uploads));
});

test("config check: a bad file exits 78 with file:line and the field on stderr", () => {
  const r = cli(["config", "check", BAD]);
  assert.equal(r.status, EXIT_CONFIG);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /wrong_type_slave\/station\.yaml:16:12: analyzers\[0\]\.slave: expected an integer from 0 to 247, got string "abc"\n$/);
});

test("config check: every problem is printed, one per line", () => {
  const r = cli(["config", "check", "test/cases/several_problems_in_file_order/station.yaml"]);
  assert.equal(r.status, EXIT_CONFIG);
  const lines = r.stderr.trimEnd().split("\n");
  assert.deepEqual(
    lines.map((l) => /station\.yaml:(\d+):\d+: (\S+):/.exec(l)?.slice(1)),
    [
      ["11", "buses[0].parity"],
      ["16", "analyzers[0].slave"],
      ["22", "platforms[0].port"],
    ],
  );
});

test("config check --json: the errors with their places, on stdout", () => {
  const r = cli(["config", "check", "--json", BAD]);
  assert.equal(r.status, EXIT_CONFIG);
  const out = JSON.parse(r.stdout);
  assert.equal(out.ok, false);
  assert.equal(out.errors.length, 1);
  assert.deepEqual({ ...out.errors[0], message: undefined }, {
    file: BAD,
    line: 16,
    column: 12,
    path: "analyzers[0].slave",
    expected: 'expected an integer from 0 to 247, got string "abc"',
    message: undefined,
  });
});

test("config check: the file comes from --config or STATION_AGENT_CONFIG too", () => {
  assert.equal(cli(["config", "check", "--config", "config/demo.yaml"]).status, 0);
  const r = cli(["config", "check"], { STATION_AGENT_CONFIG: BAD });
  assert.equal(r.status, EXIT_CONFIG);
  assert.match(r.stderr, /station\.yaml:16:12:/);
});

test("config check: a missing file exits 78 and says why", () => {
  const r = cli(["config", "check", "/nonexistent/station.yaml"]);
  assert.equal(r.status, EXIT_CONFIG);
  assert.match(r.stderr, /^\/nonexistent\/station\.yaml: cannot read the config file: no such file or directory \(ENOENT\)\n$/);
});

test("config show: defaults applied and passwords hidden, as YAML and as JSON", () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, "station.yaml");
    writeFileSync(
      file,
      [
        "station: {name: T, mn: 010000A8900016F000169DC0}",
        "storage: {path: station.db}",
        "platforms:",
        "  - {id: a, host: h, port: 1, st: 22, pw: 'Secret-Pw-1'}",
        "  - {id: b, host: h, port: 2, st: 22, pw: 'Secret-Pw-2'}",
      ].join("\n"),
    );
    const yaml = cli(["config", "show", file]);
    assert.equal(yaml.status, 0, yaml.stderr);
    assert.doesNotMatch(yaml.stdout + yaml.stderr, /Secret-Pw/);
    assert.equal(yaml.stdout.match(/pw: "\*\*\*\*\*\*"/g)?.length, 2);
    assert.match(yaml.stdout, /timezone: Asia\/Shanghai/);

    const json = cli(["config", "show", "--json", "--config", file]);
    assert.equal(json.status, 0, json.stderr);
    assert.doesNotMatch(json.stdout + json.stderr, /Secret-Pw/);
    const shown = JSON.parse(json.stdout);
    assert.deepEqual(shown.platforms.map((p: { pw: string }) => p.pw), ["******", "******"]);
    assert.equal(shown.storage.path, join(dir, "station.db"));
    assert.equal(shown.platforms[0].window, 64);
  } finally {
    cleanup();
  }
});

test("config show: a bad file exits 78 and does not print the password", () => {
  const r = cli(["config", "show", "test/cases/password_not_quoted/station.yaml"]);
  assert.equal(r.status, EXIT_CONFIG);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /platforms\[0\]\.pw: expected a non-empty string, got a number \(value hidden\)/);
  assert.doesNotMatch(r.stderr, /123456/);
});

test("config check: a pollution-source station converts ppb/ppm gases to mg/m³ at 0 °C by default, printed per channel", () => {
  const dir = "test/cases/station_drivers_issue_13";
  const r = cli(["config", "check", `${dir}/station.yaml`]);
  assert.equal(r.status, 0, r.stderr);
  const expected = readFileSync(join(ROOT, dir, "expected.txt"), "utf8");
  assert.ok(r.stdout.endsWith(`uploaded channels:\n${expected}`), r.stdout);
});

test("config check: driver options that do not exist or are out of range exit 78 with line and field", () => {
  const r = cli(["config", "check", "test/cases/bad_driver_options_issue_13/station.yaml"]);
  assert.equal(r.status, EXIT_CONFIG);
  assert.match(r.stderr, /station\.yaml:11:14: analyzers\[0\]\.options: options\.input must be one of pm20, 4-20/);
  assert.match(r.stderr, /station\.yaml:12:5: analyzers\[1\]\.options: driver yosemitech needs options\.sensor/);
});
