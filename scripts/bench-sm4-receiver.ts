// The platform of the SM4 benchmark, in a process of its own (a platform is another machine, and
// the figure is the station's): it acknowledges every frame by its QN at once without decoding
// it further, and counts the frames whose CP arrived as ciphertext. Prints its port; on SIGTERM
// prints its counts to stderr and exits.
import net from "node:net";
import { buildSegment, encodeFrame } from "../agent/uplink/hj212/codec.js";
import { FrameReader } from "../agent/uplink/hj212/frames.js";

let frames = 0;
let encrypted = 0;
const server = net.createServer((s) => {
  const reader = new FrameReader();
  s.on("error", () => {});
  s.on("data", (chunk) => {
    let out = "";
    for (const f of reader.push(chunk)) {
      frames++;
      if (f.includes("CP=&&{0x")) encrypted++;
      const at = f.indexOf("QN=");
      if (at < 0 || f.indexOf(";CN=9", at) === at + 20) continue; // heartbeats and answers need no ack
      const qn = f.toString("latin1", at + 3, at + 20);
      out += encodeFrame(buildSegment({ qn, st: "91", cn: "9014", pw: "123456", mn: "010000A8900016F000169DC0", flag: 8 }, ""));
    }
    if (out) s.write(out);
  });
});
server.listen(0, "127.0.0.1", () => process.stdout.write(`${(server.address() as net.AddressInfo).port}\n`));
process.on("SIGTERM", () => {
  process.stderr.write(`frames ${frames} encrypted ${encrypted}\n`);
  process.exit(0);
});
