// The control socket learns who calls from the kernel (file ownership of a one-time proof), not
// from the request: a real Unix socket, real files, the real OS user.
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { chownSync, linkSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { callControl, ControlServer } from "../../../agent/control/socket.js";
import { authDir, checkProof } from "../../../agent/control/peer.js";
import { tempDir } from "../../helpers/station.js";

async function withServer(fn: (sock: string, seen: Record<string, unknown>[]) => Promise<void>): Promise<void> {
  const { dir, cleanup } = tempDir();
  const sock = join(dir, "station-agent.sock");
  const seen: Record<string, unknown>[] = [];
  const server = new ControlServer(sock, (_cmd, args) => (seen.push(args), { ok: 1 }));
  await server.start();
  try {
    await fn(sock, seen);
  } finally {
    await server.stop();
    cleanup();
  }
}

const me = userInfo().username;

test("the recorded actor is the caller's OS user from the kernel, whatever the request claims; --actor goes beside it", async () => {
  await withServer(async (sock, seen) => {
    assert.equal(statSync(sock).mode & 0o777, 0o660, "the socket is group-restricted");
    assert.equal(statSync(authDir(sock)).mode & 0o7777, 0o1730);
    await callControl(sock, "maintenance", { actor: "mallory" });
    assert.equal(seen[0].actor, me);
    assert.deepEqual(seen[0].peer, { uid: process.getuid!(), user: me, pid: process.pid, verified: true });
    process.env.STATION_AGENT_ACTOR = "Zhang San";
    try {
      await callControl(sock, "flag", {});
    } finally {
      delete process.env.STATION_AGENT_ACTOR;
    }
    assert.equal(seen[1].actor, `${me} as "Zhang San"`);
  });
});

test("a sudo caller is recorded with SUDO_USER; a claim by a non-root user keeps the real user in the record", async () => {
  await withServer(async (sock, seen) => {
    process.env.SUDO_USER = "alice";
    try {
      await callControl(sock, "resend", {});
    } finally {
      delete process.env.SUDO_USER;
    }
    assert.equal(seen[0].actor, me === "root" ? "alice (sudo)" : `alice (sudo -u ${me})`);
  });
});

test("a request without a proof is recorded as unverified with what it claimed", async () => {
  await withServer(async (sock, seen) => {
    const reply = await new Promise<string>((resolve) => {
      const s = net.connect(sock, () => s.write(JSON.stringify({ cmd: "maintenance", args: { actor: "alice" } }) + "\n"));
      s.setEncoding("utf8");
      s.on("data", (d: string) => (s.end(), resolve(d)));
    });
    assert.match(reply, /"ok":true/);
    assert.equal(seen[0].actor, "alice (unverified)");
    assert.equal((seen[0].peer as { verified: boolean }).verified, false);
  });
});

test("forged proofs are refused: a symlink, a second hard link, a wrong secret, a stale name; the file's owner is what counts", async () => {
  await withServer(async (sock) => {
    const dir = authDir(sock);
    const secret = "b".repeat(32);
    const target = join(dir, "..", "target");
    writeFileSync(target, secret);
    const n = (c: string) => c.repeat(32);
    symlinkSync(target, join(dir, n("1")));
    assert.equal(checkProof(dir, { nonce: n("1"), secret }), null, "symlink");
    linkSync(target, join(dir, n("2")));
    assert.equal(checkProof(dir, { nonce: n("2"), secret }), null, "hard link");
    writeFileSync(join(dir, n("3")), secret);
    assert.equal(checkProof(dir, { nonce: n("3"), secret: "c".repeat(32) }), null, "wrong secret");
    assert.equal(checkProof(dir, { nonce: "../target", secret }), null, "a path, not a nonce");
    writeFileSync(join(dir, n("4")), secret);
    assert.equal(checkProof(dir, { nonce: n("4"), secret }, Date.now() + 3600_000), null, "stale");
    writeFileSync(join(dir, n("5")), secret);
    assert.equal(checkProof(dir, { nonce: n("5"), secret }), process.getuid!());
    assert.equal(checkProof(dir, { nonce: n("5"), secret }), null, "a proof is used once");
    if (process.getuid!() === 0) {
      writeFileSync(join(dir, n("6")), secret);
      chownSync(join(dir, n("6")), 65534, 65534);
      assert.equal(checkProof(dir, { nonce: n("6"), secret }), 65534, "the owner's uid, not the server's");
    }
  });
});
