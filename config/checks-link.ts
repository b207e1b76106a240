// Cross-field checks of the link-security keys (schema-link.ts) on the raw YAML data: one key
// source at a time, a cert with its key, and an SM4 key only where this Node can use it.
import { sm4Available } from "../agent/uplink/hj212/sm4.js";
import type { Problem } from "./issues.js";

type Raw = Record<string, unknown>;

export function linkProblems(platforms: readonly Raw[], hasSm4 = sm4Available): Problem[] {
  const problems: Problem[] = [];
  platforms.forEach((p, i) => {
    if (p.sm4_key !== undefined && p.sm4_key_file !== undefined) {
      problems.push({ path: ["platforms", i, "sm4_key_file"], expected: "either sm4_key or sm4_key_file, not both" });
    }
    const hasKey = p.sm4_key !== undefined || p.sm4_key_file !== undefined;
    if (hasKey && p.encrypt !== false && !hasSm4()) {
      problems.push({
        path: ["platforms", i, p.sm4_key !== undefined ? "sm4_key" : "sm4_key_file"],
        expected: `SM4 encryption, but this Node (${process.version}, OpenSSL ${process.versions.openssl}) has no sm4-ecb cipher: use a Node built with an OpenSSL that provides SM4, or set encrypt: false`,
      });
    }
    if (p.encrypt === true && !hasKey) problems.push({ path: ["platforms", i, "encrypt"], expected: "an SM4 key to encrypt with (sm4_key or sm4_key_file)" });
    if (hasKey && p.protocol !== "hj212-2025") {
      problems.push({ path: ["platforms", i, "protocol"], expected: "protocol: hj212-2025 for a platform with an SM4 key (HJ 212-2017 has no encryption)" });
    }
    const tls = p.tls;
    if (tls && typeof tls === "object" && !Array.isArray(tls)) {
      const t = tls as Raw;
      if ((t.cert === undefined) !== (t.key === undefined)) {
        problems.push({ path: ["platforms", i, "tls", t.cert === undefined ? "key" : "cert"], expected: "tls.cert and tls.key together (mutual TLS needs both)" });
      }
    }
  });
  return problems;
}
