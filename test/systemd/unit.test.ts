// The systemd units: syntax checked by systemd-analyze and the main unit's exposure score kept
// at or below 2.0, where systemd-analyze exists (skipped with the reason elsewhere).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../helpers/station.js";

const UNITS = join(import.meta.dirname, "../../systemd");
const analyze = spawnSync("systemd-analyze", ["--version"], { encoding: "utf8" });
const missing = analyze.error ? "systemd-analyze not installed" : false;

test("every unit passes systemd-analyze verify", { skip: missing }, () => {
  const { dir, cleanup } = tempDir();
  try {
    // As install.sh does: the units point at the install prefix, here this checkout.
    const root = join(UNITS, "..");
    for (const u of ["station-agent.service", "station-agent-settime.service", "station-agent-settime.path"]) {
      writeFileSync(join(dir, u), readFileSync(join(UNITS, u), "utf8").replaceAll("/opt/station-agent", root));
    }
    const r = spawnSync("systemd-analyze", ["verify", "--man=no", join(dir, "station-agent.service"), join(dir, "station-agent-settime.service"), join(dir, "station-agent-settime.path")], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr.trim(), "", "no warnings");
  } finally {
    cleanup();
  }
});

test("the main unit scores 2.0 or better in systemd-analyze security", { skip: missing }, (t) => {
  const { dir, cleanup } = tempDir();
  try {
    const unit = join(dir, "station-agent.service");
    copyFileSync(join(UNITS, "station-agent.service"), unit);
    const r = spawnSync("systemd-analyze", ["security", "--offline=true", unit], { encoding: "utf8" });
    const m = /Overall exposure level for station-agent\.service: ([\d.]+)/.exec(r.stdout);
    assert.ok(m, r.stdout + r.stderr);
    t.diagnostic(`exposure ${m[1]}`);
    assert.ok(Number(m[1]) <= 2.0, `exposure ${m[1]} > 2.0`);
  } finally {
    cleanup();
  }
});

test("the main unit has what the service needs: notify + watchdog, state and config dirs, dialout, no clock capability", () => {
  const u = readFileSync(join(UNITS, "station-agent.service"), "utf8");
  for (const line of ["Type=notify", "WatchdogSec=", "StateDirectory=station-agent", "ConfigurationDirectory=station-agent", "SupplementaryGroups=dialout", "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes", "RestrictAddressFamilies=", "Restart=on-failure", "CapabilityBoundingSet=\n"]) {
    assert.ok(u.includes(line), `missing ${JSON.stringify(line)}`);
  }
  const settings = u.split("\n").filter((l) => !l.startsWith("#")).join("\n");
  assert.doesNotMatch(settings, /CAP_SYS_TIME/);
  assert.match(readFileSync(join(UNITS, "station-agent-settime.service"), "utf8"), /AmbientCapabilities=CAP_SYS_TIME/);
});

test("the benchmark runs the agent with the unit's Node flags", async () => {
  const { SERVICE_NODE_FLAGS } = await import("../../scripts/bench-station.js");
  const exec = readFileSync(join(UNITS, "station-agent.service"), "utf8").split("\n").find((l) => l.startsWith("ExecStart="))!;
  const flags = exec.split(" ").filter((w) => w.startsWith("--"));
  assert.deepEqual(flags, SERVICE_NODE_FLAGS);
});
