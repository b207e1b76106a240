// A throwaway CA and a server certificate for 127.0.0.1/localhost, made with openssl, for TLS tests.
import { spawnSync } from "node:child_process";
import { join } from "node:path";

export function opensslMissing(): string | null {
  const r = spawnSync("openssl", ["version"], { stdio: "ignore" });
  return r.error || r.status !== 0 ? "openssl is not installed (apt-get install openssl)" : null;
}

function run(args: string[], cwd: string): void {
  const r = spawnSync("openssl", args, { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
}

/** Writes ca.pem, server.pem, server.key into `dir`. */
export function makeCerts(dir: string): { ca: string; cert: string; key: string } {
  run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=station-test-ca"], dir);
  run(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"], dir);
  const ext = join(dir, "san.ext");
  spawnSync("sh", ["-c", `printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > '${ext}'`]);
  run(["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "san.ext"], dir);
  return { ca: join(dir, "ca.pem"), cert: join(dir, "server.pem"), key: join(dir, "server.key") };
}
