// Platform keys for a link the platform can trust: HJ 212-2025 SM4 encryption of CP (§6.4),
// the heartbeat's answer, and TLS on the TCP connection (any protocol). Spread into platformSchema.
import { z } from "zod";
import { parseSm4Key } from "../agent/uplink/hj212/sm4.js";

const sm4KeyText = z.string().refine(
  (v) => {
    try {
      parseSm4Key(v);
      return true;
    } catch {
      return false;
    }
  },
  "an SM4 key: 16 printable ASCII characters as the platform distributes it (their bytes are the key), or hex: followed by 32 hex digits",
);

export const tlsSchema = z
  .object({
    ca: z.string().min(1).optional().describe("PEM file of the CA that signed the platform's certificate (default: the system's CAs)."),
    cert: z.string().min(1).optional().describe("PEM file of this station's client certificate, for mutual TLS (with key)."),
    key: z.string().min(1).optional().describe("PEM file of this station's private key, for mutual TLS (with cert). Readable only by the service."),
    servername: z.string().min(1).optional().describe("Name the platform's certificate must carry (SNI and verification), when host is an IP address or differs from it."),
    reject_unauthorized: z
      .boolean()
      .default(true)
      .describe("Refuse a platform whose certificate does not verify. Leave true: false lets anyone on the path pose as the platform."),
  })
  .strict();

export const linkSecurityKeys = {
  sm4_key: sm4KeyText
    .optional()
    .describe("HJ 212-2025 SM4 key of this platform (§6.4.2): the 16 characters the platform distributes, e.g. \"0000000000000000\", or hex: + 32 hex digits. A secret: never logged or printed. A key the platform sends with 1014 is kept in the state directory and wins over this one."),
  sm4_key_file: z
    .string()
    .min(1)
    .optional()
    .describe("File holding the SM4 key (same forms as sm4_key; one line), readable only by the service (mode 0600). Instead of sm4_key."),
  encrypt: z
    .boolean()
    .optional()
    .describe("Encrypt CP of CN 2000-2999, 1014 and 3020 (HJ 212-2025 §6.4.1: required over the internet). Default: true when a key is given."),
  length_basis: z
    .enum(["transmitted", "plaintext"])
    .default("transmitted")
    .describe("Length field of an encrypted frame: transmitted (the segment as sent, HJ 212-2025 Table 2) or plaintext (as the printed Appendix A.2 example shows). Both are accepted when receiving."),
  heartbeat_ack: z
    .boolean()
    .default(false)
    .describe("HJ 212-2025 heartbeat (9015): ask the platform to answer it (Flag A bit), and answer the platform's heartbeats with 9013."),
  tls: tlsSchema.optional().describe("TLS on the connection to this platform (any protocol), for a platform behind a TLS terminator or VPN appliance. Mutual TLS when cert and key are given."),
};
