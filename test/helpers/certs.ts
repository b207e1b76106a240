// Test certificates made at test time with the openssl command line: a CA, a server certificate
// for 127.0.0.1/localhost and a client certificate signed by it, and a second, unrelated CA.
// Returns null (with the reason) where openssl is not installed.
import { execFileSync } from "node:child_process";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface TestCerts {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  otherCa: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: "pipe" });
}

export function makeTestCerts(dir: string): TestCerts | { skip: string } {
  try {
    execFileSync("openssl", ["version"], { stdio: "pipe" });
  } catch {
    return { skip: "openssl is not installed: no test certificates" };
  }
  const p = (f: string) => join(dir, f);
  const ca = (name: string) => openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", `/CN=${name}`, "-keyout", `${name}.key`, "-out", `${name}.pem`], dir);
  ca("ca");
  ca("other-ca");
  writeFileSync(p("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  const leaf = (name: string, ext: string[]) => {
    openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${name}`, "-keyout", `${name}.key`, "-out", `${name}.csr`], dir);
    openssl(["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-out", `${name}.pem`, ...ext], dir);
    chmodSync(p(`${name}.key`), 0o600);
  };
  leaf("server", ["-extfile", "server.ext"]);
  leaf("station", []);
  return { ca: p("ca.pem"), serverCert: p("server.pem"), serverKey: p("server.key"), clientCert: p("station.pem"), clientKey: p("station.key"), otherCa: p("other-ca.pem") };
}
