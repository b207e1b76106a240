// `station-agent read` / `write` / `scan`: Modbus requests by hand, for a technician with a laptop
// on the RS-485 line. Through the same transport the agent polls with (modbus-serial).
import type { Command } from "commander";
import type { BusConfig } from "../../config/schema.js";
import { decode, encode } from "../../drivers/codec.js";
import type { RegisterType, WordOrder } from "../../drivers/types.js";
import { createTransport, type Transport } from "../bus/transport.js";
import { callControl, controlSocketPath } from "../control/socket.js";
import { loadConfigOrExit, configPath } from "./common.js";
import { printJson, table } from "./format.js";
import { progressBar } from "./progress.js";

interface LineOpts {
  config?: string;
  bus?: string;
  port?: string;
  baud: string;
  parity: string;
  host?: string;
  tcpPort: string;
  timeout: string;
  force?: boolean;
}

const int = (s: string, what: string): number => {
  const n = s.startsWith("0x") || s.startsWith("0X") ? parseInt(s, 16) : Number(s);
  if (!Number.isInteger(n)) throw new UsageError(`${what}: expected an integer (decimal or 0x hex), got "${s}"`);
  return n;
};

export class UsageError extends Error {
  readonly usage = true;
}

function lineOptions(cmd: Command): Command {
  return cmd
    .option("-c, --config <file>", "station config (with --bus)")
    .option("--bus <id>", "a bus from the config")
    .option("--port <path>", "serial port, e.g. /dev/ttyUSB0 (Modbus RTU)")
    .option("--baud <n>", "baud rate", "9600")
    .option("--parity <p>", "none|even|odd", "none")
    .option("--host <addr>", "Modbus TCP host")
    .option("--tcp-port <n>", "Modbus TCP port", "502")
    .option("--timeout <ms>", "response timeout", "1000")
    .option("--force", "use a bus the running service owns: its poller is paused meanwhile (audited)");
}

/** The bus to talk on, and whether the running service polls it (then it must be paused first). */
async function resolveLine(o: LineOpts, baud = int(o.baud, "--baud")): Promise<{ bus: BusConfig; release: () => Promise<void> }> {
  let bus: BusConfig;
  let socket: string | null = null;
  if (o.bus) {
    const { config } = loadConfigOrExit(configPath(o.config));
    const b = config.buses.find((x) => x.id === o.bus);
    if (!b) throw new UsageError(`unknown bus "${o.bus}" (known: ${config.buses.map((x) => x.id).join(", ")})`);
    bus = b.type === "rtu" ? { ...b, baud } : b;
    socket = controlSocketPath(config.storage.path);
  } else if (o.port) {
    bus = { id: "cli", type: "rtu", path: o.port, baud, parity: o.parity as "none", data_bits: 8, stop_bits: 1, timeout_ms: int(o.timeout, "--timeout") };
    if (o.config || process.env.STATION_AGENT_CONFIG) {
      const { config } = loadConfigOrExit(configPath(o.config));
      const owned = config.buses.find((x) => x.type === "rtu" && x.path === o.port);
      if (owned) socket = controlSocketPath(config.storage.path);
      if (owned) o.bus = owned.id;
    }
  } else if (o.host) {
    bus = { id: "cli", type: "tcp", host: o.host, port: int(o.tcpPort, "--tcp-port"), timeout_ms: int(o.timeout, "--timeout") };
  } else {
    throw new UsageError("say where: --port /dev/ttyUSB0, --host 192.168.1.50, or --bus ID with --config");
  }
  // A serial line has one master: the running service's poller, unless it steps aside.
  if (socket && bus.type === "rtu") {
    const running = await callControl(socket, "ping", {}, 1000).then(() => true, () => false);
    if (running) {
      if (!o.force) throw new UsageError(`the running service polls bus ${o.bus} (${bus.path}); add --force to pause its poller while this runs`);
      await callControl(socket, "bus-pause", { bus: o.bus, seconds: 120, reason: "manual Modbus request from the CLI" });
      return { bus, release: () => callControl(socket!, "bus-resume", { bus: o.bus }).then(() => {}, () => {}) };
    }
  }
  return { bus, release: async () => {} };
}

async function withTransport<T>(o: LineOpts, fn: (t: Transport, bus: BusConfig) => Promise<T>, baud?: number): Promise<T> {
  const { bus, release } = await resolveLine(o, baud);
  const t = createTransport(bus);
  try {
    await t.open();
    return await fn(t, bus);
  } finally {
    await t.close().catch(() => {});
    await release();
  }
}

const hex = (words: Iterable<number>) => [...words].map((w) => w.toString(16).padStart(4, "0")).join(" ");

function fail(err: unknown): never {
  console.error((err as Error).message);
  process.exit((err as UsageError).usage ? 2 : 1);
}

export function registerModbus(program: Command): void {
  lineOptions(program.command("read").description("one Modbus read by hand: raw words, decoded value, timing"))
    .requiredOption("-s, --slave <id>", "slave id")
    .option("--fc <n>", "function code 1|2|3|4", "3")
    .requiredOption("-a, --address <n>", "PDU address (0-based; decimal or 0x hex)")
    .option("-n, --count <n>", "registers/bits (default: what --type needs)")
    .option("-t, --type <type>", "int16|uint16|int32|uint32|float32", "uint16")
    .option("-o, --order <order>", "word order ABCD|CDAB|BADC|DCBA", "ABCD")
    .option("--scale <x>", "multiply the decoded value", "1")
    .option("--json", "JSON output")
    .action(async (o: LineOpts & { slave: string; fc: string; address: string; count?: string; type: RegisterType; order: WordOrder; scale: string; json?: boolean }) => {
      try {
        const fc = int(o.fc, "--fc") as 1 | 2 | 3 | 4;
        if (![1, 2, 3, 4].includes(fc)) throw new UsageError(`--fc: expected 1, 2, 3 or 4, got ${fc}`);
        const width = o.type === "int16" || o.type === "uint16" ? 1 : 2;
        const count = o.count ? int(o.count, "--count") : width;
        const address = int(o.address, "--address");
        const slave = int(o.slave, "--slave");
        const r = await withTransport(o, async (t) => {
          const t0 = performance.now();
          const data = await t.read(slave, fc, address, count, int(o.timeout, "--timeout"));
          return { data, ms: Math.round((performance.now() - t0) * 10) / 10 };
        });
        if (fc === 1 || fc === 2) {
          const bits = (r.data as boolean[]).slice(0, count).map((b) => (b ? 1 : 0));
          if (o.json) return printJson({ slave, fc, address, bits, ms: r.ms });
          return console.log(`bits: ${bits.join(" ")}   (${r.ms} ms)`);
        }
        const words = [...(r.data as Uint16Array)];
        const values: number[] = [];
        for (let i = 0; i + width <= words.length; i += width) values.push(decode(words.slice(i, i + width), o.type, o.order, Number(o.scale)));
        if (o.json) return printJson({ slave, fc, address, words, hex: hex(words), type: o.type, order: o.order, values, ms: r.ms });
        console.log(`raw: ${hex(words)}\n${o.type} ${o.order}: ${values.join(", ")}\ntime: ${r.ms} ms`);
      } catch (err) {
        fail(err);
      }
    });

  lineOptions(program.command("write").description("one Modbus write by hand (FC 5, 6 or 16)"))
    .requiredOption("-s, --slave <id>", "slave id")
    .option("--fc <n>", "function code 5|6|16", "6")
    .requiredOption("-a, --address <n>", "PDU address (0-based; decimal or 0x hex)")
    .requiredOption("-v, --value <v>", "value (a number; for FC 5: 1/0 or on/off)")
    .option("-t, --type <type>", "int16|uint16|int32|uint32|float32 (FC 16)", "uint16")
    .option("-o, --order <order>", "word order", "ABCD")
    .option("--scale <x>", "the value is divided by this before encoding", "1")
    .option("--json", "JSON output")
    .action(async (o: LineOpts & { slave: string; fc: string; address: string; value: string; type: RegisterType; order: WordOrder; scale: string; json?: boolean }) => {
      try {
        const fc = int(o.fc, "--fc") as 5 | 6 | 16;
        const address = int(o.address, "--address");
        const slave = int(o.slave, "--slave");
        let values: number[] | boolean[];
        if (fc === 5) values = [/^(1|on|true)$/i.test(o.value)];
        else if (fc === 6) values = encode(Number(o.value), "uint16" === o.type || "int16" === o.type ? o.type : "uint16", o.order, Number(o.scale));
        else if (fc === 16) values = encode(Number(o.value), o.type, o.order, Number(o.scale));
        else throw new UsageError(`--fc: expected 5, 6 or 16, got ${fc}`);
        const ms = await withTransport(o, async (t) => {
          const t0 = performance.now();
          await t.write(slave, fc, address, values, int(o.timeout, "--timeout"));
          return Math.round((performance.now() - t0) * 10) / 10;
        });
        if (o.json) return printJson({ slave, fc, address, values, ms });
        console.log(`written ${JSON.stringify(values)} at ${address} (slave ${slave}, FC ${fc}) in ${ms} ms`);
      } catch (err) {
        fail(err);
      }
    });

  lineOptions(program.command("scan").description("find the slaves that answer on a line (id range, baud rates)"))
    .option("--from <id>", "first slave id", "1")
    .option("--to <id>", "last slave id", "247")
    .option("--bauds <list>", "baud rates to try, comma separated (RTU)")
    .option("--fc <n>", "function code of the probe read", "3")
    .option("-a, --address <n>", "register of the probe read", "0")
    .option("--json", "JSON output")
    .action(async (o: LineOpts & { from: string; to: string; bauds?: string; fc: string; address: string; json?: boolean }) => {
      try {
        const from = int(o.from, "--from");
        const to = int(o.to, "--to");
        const bauds = o.bauds ? o.bauds.split(",").map((b) => int(b, "--bauds")) : [int(o.baud, "--baud")];
        const found: { baud: number | null; slave: number; answer: string }[] = [];
        const total = (to - from + 1) * bauds.length;
        const bar = progressBar(total, "scanning");
        for (const baud of bauds) {
          await withTransport(
            o,
            async (t, bus) => {
              for (let slave = from; slave <= to; slave++) {
                try {
                  await t.read(slave, int(o.fc, "--fc") as 3, int(o.address, "--address"), 1, int(o.timeout, "--timeout"));
                  found.push({ baud: bus.type === "rtu" ? baud : null, slave, answer: "data" });
                } catch (err) {
                  // An exception answer proves a device is there just as well as data.
                  if ((err as { exception?: boolean }).exception) found.push({ baud: bus.type === "rtu" ? baud : null, slave, answer: `exception ${(err as { code: number }).code}` });
                }
                bar.tick(`${found.length} found`);
              }
            },
            baud,
          );
        }
        bar.done();
        if (o.json) return printJson(found);
        if (!found.length) return console.log("no slave answered");
        console.log(table(["baud", "slave", "answer"], found.map((f) => [f.baud, f.slave, f.answer])));
      } catch (err) {
        fail(err);
      }
    });
}
