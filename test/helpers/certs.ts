// Throwaway certificates made with openssl for TLS tests: a CA and a server certificate for
// 127.0.0.1/localhost (makeCerts); the same plus a client certificate and an unrelated CA, for
// mutual TLS and a certificate that must be refused (makeTestCerts).
import { spawnSync } from "node:child_process";
import { chmodSync, writeFileSync } from "node:fs";
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

export interface TestCerts {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  otherCa: string;
}

export function makeTestCerts(dir: string): TestCerts | { skip: string } {
  const missing = opensslMissing();
  if (missing) return { skip: missing };
  const p = (f: string) => join(dir, f);
  const ca = (name: string) => run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", `/CN=${name}`, "-keyout", `${name}.key`, "-out", `${name}.pem`], dir);
  ca("ca");
  ca("other-ca");
  writeFileSync(p("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  const leaf = (name: string, ext: string[]) => {
    run(["req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${name}`, "-keyout", `${name}.key`, "-out", `${name}.csr`], dir);
    run(["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-out", `${name}.pem`, ...ext], dir);
    chmodSync(p(`${name}.key`), 0o600);
  };
  leaf("server", ["-extfile", "server.ext"]);
  leaf("station", []);
  return { ca: p("ca.pem"), serverCert: p("server.pem"), serverKey: p("server.key"), clientCert: p("station.pem"), clientKey: p("station.key"), otherCa: p("other-ca.pem") };
}
