// Install and set-time hardening: root-owned install, the set-time script's refusals (a symlinked
// or malformed request is removed and never echoed), the units' limits.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../helpers/station.js";

const ROOT = join(import.meta.dirname, "../..");
const SETTIME = join(ROOT, "scripts/settime.sh");

test("install.sh installs root-owned files: tar --no-same-owner, then chown -R root:root and no group/other write", () => {
  const s = readFileSync(join(ROOT, "scripts/install.sh"), "utf8");
  assert.match(s, /tar -C "\$PREFIX" --no-same-owner -xf -/);
  assert.match(s, /chown -R root:root "\$PREFIX"/);
  assert.match(s, /chmod -R go-w "\$PREFIX"/);
  assert.equal(spawnSync("bash", ["-n", join(ROOT, "scripts/install.sh")]).status, 0, "syntax");
});

test("settime.sh refuses a symlinked request without reading through it, and never echoes a malformed one", () => {
  const { dir, cleanup } = tempDir();
  try {
    const secret = join(dir, "secret");
    writeFileSync(secret, "2026-01-01 00:00:00 root-password-here\n");
    const req = join(dir, "settime.request");
    symlinkSync(secret, req);
    let r = spawnSync("sh", [SETTIME, req], { encoding: "utf8" });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /not a regular file/);
    assert.equal(existsSync(req), false, "removed");
    writeFileSync(req, "root:x:0:0:root:/root:/bin/bash\n");
    r = spawnSync("sh", [SETTIME, req], { encoding: "utf8" });
    assert.equal(r.status, 1);
    assert.doesNotMatch(r.stdout + r.stderr, /root:x/, "the content is not echoed");
    assert.equal(spawnSync("sh", [SETTIME, req]).status, 0, "no request: nothing to do");
  } finally {
    cleanup();
  }
});

test("the set-time unit runs as the agent's user with CAP_SYS_TIME alone and a system-call filter; no core dumps", () => {
  const u = readFileSync(join(ROOT, "systemd/station-agent-settime.service"), "utf8");
  for (const line of ["User=station-agent", "CapabilityBoundingSet=CAP_SYS_TIME", "SystemCallFilter=@system-service @clock", "NoNewPrivileges=yes", "LimitCORE=0"]) assert.ok(u.includes(line), line);
  assert.match(readFileSync(join(ROOT, "systemd/station-agent.service"), "utf8"), /^LimitCORE=0$/m);
});
