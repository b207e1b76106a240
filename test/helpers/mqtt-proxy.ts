// A TCP relay in front of a real broker that can swallow the broker's PUBACKs: "a broker that
// never acks" without faking the broker. It cuts the broker → client stream at MQTT packet
// boundaries (fixed header, then the variable-length Remaining Length of MQTT 3.1.1 §2.2.3).
import net from "node:net";

const PUBACK = 4;

/** Splits a byte stream into whole MQTT control packets; keeps a partial one for the next chunk. */
export class MqttPacketSplitter {
  private buf = Buffer.alloc(0);
  push(chunk: Buffer): Buffer[] {
    this.buf = Buffer.concat([this.buf, chunk]);
    const out: Buffer[] = [];
    for (;;) {
      let len = 0;
      let mul = 1;
      let i = 1;
      for (; i < this.buf.length && i <= 4; i++) {
        len += (this.buf[i] & 0x7f) * mul;
        mul *= 128;
        if ((this.buf[i] & 0x80) === 0) break;
      }
      if (i >= this.buf.length || (this.buf[i] & 0x80) !== 0) return out; // length not complete yet
      const total = i + 1 + len;
      if (this.buf.length < total) return out;
      out.push(this.buf.subarray(0, total));
      this.buf = this.buf.subarray(total);
    }
  }
}

export interface AckDroppingProxy {
  port: number;
  url: string;
  /** PUBACKs from the broker reach the client only while this is false. */
  dropAcks: boolean;
  dropped: number;
  close(): Promise<void>;
}

export async function ackDroppingProxy(brokerPort: number): Promise<AckDroppingProxy> {
  const sockets = new Set<net.Socket>();
  const state = { dropAcks: true, dropped: 0 };
  const server = net.createServer((client) => {
    const upstream = net.connect(brokerPort, "127.0.0.1");
    sockets.add(client).add(upstream);
    const splitter = new MqttPacketSplitter();
    client.on("data", (d) => upstream.write(d));
    upstream.on("data", (d) => {
      for (const p of splitter.push(d)) {
        if (state.dropAcks && p[0] >> 4 === PUBACK) state.dropped++;
        else client.write(p);
      }
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("close", end).on("error", end);
    upstream.on("close", end).on("error", end);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    get dropAcks() {
      return state.dropAcks;
    },
    set dropAcks(v: boolean) {
      state.dropAcks = v;
    },
    get dropped() {
      return state.dropped;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
