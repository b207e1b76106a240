// TLS for a platform connection (platform key `tls`): options for tls.connect, read from the
// configured PEM files at each connection (so a renewed certificate is picked up without a
// restart), and certificate errors said in words a technician can act on.
import { readFileSync } from "node:fs";
import net from "node:net";
import type { ConnectionOptions } from "node:tls";
import { lazyTls } from "../builtin.js";
import type { PlatformConfig } from "../../config/schema.js";

export function tlsConnectOptions(cfg: PlatformConfig): ConnectionOptions {
  const t = cfg.tls!;
  return {
    host: cfg.host,
    port: cfg.port,
    servername: t.servername ?? (/^[\d.]+$|:/.test(cfg.host) ? undefined : cfg.host),
    ca: t.ca ? readFileSync(t.ca) : undefined,
    cert: t.cert ? readFileSync(t.cert) : undefined,
    key: t.key ? readFileSync(t.key) : undefined,
    rejectUnauthorized: t.reject_unauthorized,
    minVersion: "TLSv1.2",
  };
}

// OpenSSL's verification codes (err.code) that mean "this is not the platform we were told to trust".
const CERT_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT", "SELF_SIGNED_CERT_IN_CHAIN", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID", "ERR_TLS_CERT_ALTNAME_INVALID", "CERT_REVOKED",
  "CERT_SIGNATURE_FAILURE", "CERT_UNTRUSTED", "CERT_REJECTED", "INVALID_CA",
]);

/** `ECONNREFUSED host:port`, or for TLS `certificate rejected: CERT_HAS_EXPIRED (certificate has expired)`. */
export function describeSocketError(err: NodeJS.ErrnoException, cfg: PlatformConfig): string {
  const where = `${cfg.host}:${cfg.port}`;
  if (err.code && CERT_CODES.has(err.code)) return `TLS: the platform's certificate was rejected: ${err.code} (${err.message}) ${where}`;
  if (cfg.tls && (/ssl|tls|alert|certificate/i.test(err.message) || err.code?.startsWith("ERR_SSL") || err.code?.startsWith("ERR_TLS"))) {
    return `TLS: ${err.code ?? "error"} (${err.message.split("\n")[0].slice(0, 160)}) ${where}`;
  }
  if (cfg.tls && err.code === "ENOENT") return `TLS: cannot read a certificate or key file: ${err.message}`;
  return err.code ? `${err.code} ${where}` : err.message;
}

/** A plain or TLS socket to the platform; an unreadable certificate file surfaces as the socket's error (retried with back-off). */
export function openSocket(cfg: PlatformConfig): net.Socket {
  try {
    return cfg.tls ? lazyTls().connect(tlsConnectOptions(cfg)) : net.connect({ host: cfg.host, port: cfg.port });
  } catch (err) {
    const s = new net.Socket();
    setImmediate(() => s.destroy(err as Error));
    return s;
  }
}
