// Modbus TCP framing for the simulator: MBAP header (transaction id, protocol 0, length, unit id)
// around a PDU (Modbus Messaging on TCP/IP Implementation Guide v1.0b §3.1.3).
import net from "node:net";
import type { SimulatedDevice } from "./model.js";
import { answer } from "./pdu.js";

export interface SimServer {
  /** "host:port" or the serial path. */
  readonly endpoint: string;
  close(): Promise<void>;
}

export interface TcpSimServer extends SimServer {
  readonly host: string;
  readonly port: number;
}

/** Listens on host:port (port 0 picks a free one) and answers for the slaves by unit id. */
export async function serveTcp(
  slaves: ReadonlyMap<number, SimulatedDevice>,
  listen: { host: string; port: number },
  log: (msg: string) => void = () => {},
): Promise<TcpSimServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    let buf = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 8) {
        const length = buf.readUInt16BE(4);
        if (length < 2 || length > 254) {
          // Not Modbus TCP: drop the connection like a real device would.
          log(`tcp sim: bad MBAP length ${length}, closing`);
          socket.destroy();
          return;
        }
        if (buf.length < 6 + length) break;
        const tid = buf.readUInt16BE(0);
        const unit = buf[6];
        const pdu = Buffer.from(buf.subarray(7, 6 + length));
        buf = buf.subarray(6 + length);
        answer(slaves.get(unit), pdu, (response) => {
          if (socket.destroyed) return;
          const header = Buffer.alloc(7);
          header.writeUInt16BE(tid, 0);
          header.writeUInt16BE(0, 2);
          header.writeUInt16BE(response.length + 1, 4);
          header[6] = unit;
          socket.write(Buffer.concat([header, response]));
        });
      }
    });
    socket.on("error", () => socket.destroy());
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address() as net.AddressInfo;
  log(`tcp sim listening on ${listen.host}:${addr.port} (slaves ${[...slaves.keys()].join(", ")})`);
  return {
    host: listen.host,
    port: addr.port,
    endpoint: `${listen.host}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
