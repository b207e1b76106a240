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
    .action(async (opts: { port: string; host: string; pw?: string; dropAckEvery?: string; json?: boolean }) => {
      const { PlatformReceiver } = await import("../uplink/receiver.js");
      const receiver = new PlatformReceiver({
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
      process.stderr.write(`HJ 212 platform listening on ${opts.host}:${port}\n`);
      const stop = () => void receiver.stop().then(() => process.exit(0));
      process.on("SIGTERM", stop);
      process.on("SIGINT", stop);
    });
}
