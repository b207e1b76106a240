// Who is on the other end of the control socket, from the kernel rather than from the caller's
// word. Node has no SO_PEERCRED, and no well-kept package provides it (node-unix-socket and
// unix-dgram do not; /proc/net/unix lists no peer, and sock_diag needs a netlink socket Node
// cannot open; `ss` shows a peer's process only through /proc/<pid>/fd, which the hardened unit's
// ProtectProc=invisible hides for other users). So the caller proves its uid the way the kernel
// already vouches for: by creating a file. Beside the socket sits `control-auth/`, mode 1730 (the
// socket's group may create files, nobody but the service may list them, the sticky bit keeps
// each caller's files its own). The CLI writes a fresh random secret into a file named by a fresh
// random nonce and sends both with its request; the service opens that file without following
// symlinks, checks it is a regular file with one link holding the secret, and takes its owner as
// the caller's uid. A file's owner is the creator's effective uid and only root can change it,
// so a caller can prove no uid but its own. The pid is the caller's claim (recorded as such).
import { randomBytes } from "node:crypto";
import { chmodSync, closeSync, constants, fstatSync, mkdirSync, openSync, readFileSync, readSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { formatActor } from "../audit/log.js";

export const AUTH_DIR = "control-auth";
const MAX_AGE_MS = 5 * 60_000;

export interface Proof {
  nonce: string;
  secret: string;
}

/** What the caller says about itself: the name given with --actor, SUDO_USER, its pid. */
export interface Claim {
  name?: string;
  sudoUser?: string;
  pid?: number;
  /** The actor the caller would write itself (older callers send only this). */
  actor?: string;
}

export interface Peer {
  uid: number;
  user: string;
  /** Claimed by the caller, not checked. */
  pid: number | null;
  verified: boolean;
  /** As recorded in audit entries: `alice`, `alice (sudo)`, `alice as "Zhang San"`. */
  actor: string;
}

export function authDir(socketPath: string): string {
  return join(dirname(socketPath), AUTH_DIR);
}

/** The service side: the directory callers write their proofs into. */
export function prepareAuthDir(socketPath: string): string {
  const dir = authDir(socketPath);
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o1730); // mkdir's mode would lose the group's write bit to the unit's UMask
  return dir;
}

/** The caller side: a proof file of its own, and how to remove it if the service did not. */
export function createProof(socketPath: string): { proof: Proof; cleanup: () => void } | null {
  const proof = { nonce: randomBytes(16).toString("hex"), secret: randomBytes(16).toString("hex") };
  const path = join(authDir(socketPath), proof.nonce);
  try {
    writeFileSync(path, proof.secret, { flag: "wx", mode: 0o600 });
  } catch {
    return null; // an older service without the directory, or no write access: the request goes unverified
  }
  return {
    proof,
    cleanup: () => {
      try {
        unlinkSync(path);
      } catch {
        /* the service took it */
      }
    },
  };
}

let passwd: Map<number, string> | null = null;
function userName(uid: number): string {
  try {
    passwd ??= new Map(
      readFileSync("/etc/passwd", "utf8")
        .split("\n")
        .map((l) => l.split(":"))
        .filter((f) => f.length > 2)
        .map((f) => [Number(f[2]), f[0]] as [number, string]),
    );
  } catch {
    passwd = new Map();
  }
  return passwd.get(uid) ?? `uid:${uid}`;
}

/** The service side: checks a proof, consumes it, returns the caller's uid; null if it does not hold. */
export function checkProof(dir: string, proof: unknown, now = Date.now()): number | null {
  const p = proof as Proof | undefined;
  if (!p || typeof p.nonce !== "string" || typeof p.secret !== "string" || !/^[0-9a-f]{32}$/.test(p.nonce)) return null;
  const path = join(dir, p.nonce);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.nlink !== 1 || now - st.mtimeMs > MAX_AGE_MS || st.size !== p.secret.length) return null;
    const buf = Buffer.alloc(64);
    const n = readSync(fd, buf, 0, buf.length, 0);
    if (buf.subarray(0, n).toString("utf8") !== p.secret) return null;
    return st.uid;
  } finally {
    closeSync(fd);
    try {
      unlinkSync(path);
    } catch {
      /* the sticky bit lets only the owner or the directory's owner remove it: we own the directory */
    }
  }
}

/** The caller as the audit trail records it: kernel-verified uid when the proof holds, else marked unverified. */
export function identify(dir: string | null, proof: unknown, claim: Claim): Peer {
  const uid = dir ? checkProof(dir, proof) : null;
  const pid = Number.isInteger(claim.pid) ? (claim.pid as number) : null;
  const name = typeof claim.name === "string" ? claim.name : undefined;
  const sudoUser = typeof claim.sudoUser === "string" ? claim.sudoUser : undefined;
  if (uid === null) {
    const said = typeof claim.actor === "string" && claim.actor ? claim.actor.slice(0, 100) : "unknown";
    return { uid: -1, user: "?", pid, verified: false, actor: `${said} (unverified)` };
  }
  const user = userName(uid);
  return { uid, user, pid, verified: true, actor: formatActor(user, { sudoUser, name }) };
}
