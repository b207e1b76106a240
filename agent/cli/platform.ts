// `station-agent platform`: a local HJ 212 receiver that acknowledges and prints what it gets.
import type { Command } from "commander";
import type { ReceivedPacket } from "../uplink/receiver.js";

export function describePacket(p: ReceivedPacket): string {
  const h = p.frame.header;
  const values = Object.entries(p.fields)
    .filter(([k]) => k !== "DataTime")
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  return `CN=${h.cn} QN=${h.qn} MN=${h.mn} DataTime=${p.fields.DataTime ?? "-"}${p.acked ? " (acked)" : ""} ${values}`;
}

export function registerPlatform(program: Command): void {
  program
    .command("platform")
    .description("run a local HJ 212 platform receiver that acks and prints what it gets")
    .option("-p, --port <n>", "TCP port to listen on", "19212")
    .option("--host <addr>", "address to listen on", "127.0.0.1")
    .option("--pw <pw>", "only acknowledge packets with this password")
    .option("--drop-ack-every <n>", "leave every Nth ack out (to test retransmission)")
    .option("--json", "one JSON object per packet")
    .option("--sm4-key <key>", "HJ 212-2025 SM4 key (16 characters, or hex: + 32 hex digits): decrypt what stations send, encrypt requests")
    .option("--length-basis <basis>", "length field of encrypted requests: transmitted or plaintext", "transmitted")
    .option("--tls-cert <file>", "serve TLS with this certificate (PEM), with --tls-key")
    .option("--tls-key <file>", "private key of --tls-cert (PEM)")
    .option("--tls-ca <file>", "require station certificates signed by this CA (mutual TLS)")
    .action(async (opts: { port: string; host: string; pw?: string; dropAckEvery?: string; json?: boolean; sm4Key?: string; lengthBasis: string; tlsCert?: string; tlsKey?: string; tlsCa?: string }) => {
      const { PlatformReceiver } = await import("../uplink/receiver.js");
      const { parseSm4Key } = await import("../uplink/hj212/sm4.js");
      const { readFileSync } = await import("node:fs");
      if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) {
        process.stderr.write("--tls-cert and --tls-key go together\n");
        process.exit(64);
      }
      let sm4Key: Buffer | undefined;
      try {
        sm4Key = opts.sm4Key === undefined ? undefined : parseSm4Key(opts.sm4Key);
      } catch (err) {
        process.stderr.write(`--sm4-key: ${(err as Error).message}\n`);
        process.exit(64);
      }
      const tls = opts.tlsCert && opts.tlsKey ? { cert: readFileSync(opts.tlsCert), key: readFileSync(opts.tlsKey), ca: opts.tlsCa ? readFileSync(opts.tlsCa) : undefined } : undefined;
      const receiver = new PlatformReceiver({
        sm4Key,
        lengthBasis: opts.lengthBasis === "plaintext" ? "plaintext" : "transmitted",
        tls,
        host: opts.host,
        port: Number(opts.port),
        pw: opts.pw,
        dropAckEvery: opts.dropAckEvery ? Number(opts.dropAckEvery) : undefined,
        onPacket: (p) =>
          process.stdout.write(
            (opts.json ? JSON.stringify({ header: { ...p.frame.header, pw: "******" }, fields: p.fields, acked: p.acked, quirks: p.frame.quirks }) : describePacket(p)) + "\n",
          ),
        onBadFrame: (reason) => process.stderr.write(`bad frame: ${reason}\n`),
      });
      const port = await receiver.start();
      const security = [tls ? (tls.ca ? "TLS, station certificates required" : "TLS") : "plain TCP", sm4Key ? "SM4" : null].filter(Boolean).join(", ");
      process.stderr.write(`HJ 212 platform listening on ${opts.host}:${port} (${security})\n`);
      const stop = () => void receiver.stop().then(() => process.exit(0));
      process.on("SIGTERM", stop);
      process.on("SIGINT", stop);
    });
}
