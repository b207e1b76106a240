// Serves a station's instruments from their driver definitions: one Modbus server (slave side) per
// configured bus, every analyzer of that bus a slave. Used by tests, the demo, and installers who
// want to try a config without instruments. Modbus TCP and RTU framing live in sim/tcp.ts and sim/rtu.ts.
import type { StationConfig } from "../config/schema.js";
import { configureDriver } from "./configure.js";
import { getDriver, getModbusDriver } from "./index.js";
import { AsciiSimDevice, serveAscii } from "./sim/ascii.js";
import { Hj212SimDevice, serveHj212 } from "./sim/hj212-serial.js";
import { SimulatedDevice, type SlaveControls, type WriteRecord } from "./sim/model.js";
import { serveRtu } from "./sim/rtu.js";
import { serveTcp, type SimServer } from "./sim/tcp.js";

export { SimulatedDevice, type SlaveControls, type WriteRecord } from "./sim/model.js";
export { serveTcp } from "./sim/tcp.js";
export { serveRtu, crc16 } from "./sim/rtu.js";
export { AsciiSimDevice, serveAscii } from "./sim/ascii.js";

/** The slaves of one bus, controlled by slave (unit) id. */
export class ModbusSimulator {
  constructor(readonly slaves: ReadonlyMap<number, SimulatedDevice>) {}

  device(slave: number): SimulatedDevice {
    const d = this.slaves.get(slave);
    if (!d) throw new Error(`no simulated slave ${slave} (have ${[...this.slaves.keys()].join(", ")})`);
    return d;
  }
  set(slave: number, channel: string, value: number | null): void {
    this.device(slave).set(channel, value);
  }
  force(slave: number, state: string | null): void {
    this.device(slave).force(state);
  }
  dead(slave: number, on = true): void {
    this.device(slave).dead(on);
  }
  delay(slave: number, ms: number): void {
    this.device(slave).delay(ms);
  }
  exception(slave: number, code: number | null): void {
    this.device(slave).exception(code);
  }
  lastServed(slave: number, channel: string): number | undefined {
    return this.device(slave).lastServed(channel);
  }
  writes(slave: number): WriteRecord[] {
    return this.device(slave).writes();
  }
}

export interface Simulation {
  /** Controls of the slave that simulates this analyzer. */
  analyzer(id: string): SlaveControls;
  /** The simulator of a bus, by bus id. */
  bus(id: string): ModbusSimulator;
  /** Where a bus is served: "host:port" (the real port when the config said 0) or the serial path. */
  endpoint(busId: string): string;
  stop(): Promise<void>;
}

export interface SimulationOptions {
  log?: (msg: string) => void;
  /** Makes the noise deterministic. */
  seed?: number;
}

/**
 * Starts one server per bus: tcp buses listen on host:port (port 0: any free port, see endpoint());
 * rtu buses open `path` as the slave side (the caller provides a line, e.g. a socat pty pair).
 * Disabled analyzers are simulated too (a disabled analyzer is still on the wire).
 */
export async function startSimulation(config: StationConfig, opts: SimulationOptions = {}): Promise<Simulation> {
  const log = opts.log ?? (() => {});
  const servers = new Map<string, SimServer>();
  const buses = new Map<string, ModbusSimulator>();
  const byAnalyzer = new Map<string, SlaveControls>();
  try {
    for (const bus of config.buses) {
      const slaves = new Map<number, SimulatedDevice>();
      const onBus = config.analyzers.filter((x) => x.bus === bus.id);
      // An instrument that sends HJ 212 itself has its serial line to itself too; it writes a frame each interval.
      const hj = onBus.map((a) => ({ a, def: getDriver(a.driver) })).find((x) => x.def?.protocol === "hj212");
      if (hj && hj.def?.protocol === "hj212") {
        if (bus.type !== "rtu" || onBus.length > 1) throw new Error(`bus ${bus.id}: an HJ 212 serial instrument needs a serial (type: rtu) line of its own`);
        const device = new Hj212SimDevice(hj.def, { codes: Object.keys(hj.a.channels) });
        byAnalyzer.set(hj.a.id, device);
        buses.set(bus.id, new ModbusSimulator(slaves));
        const everyMs = Math.max(50, Number(hj.a.options.send_interval_s ?? hj.a.interval_s / 2) * 1000);
        servers.set(bus.id, await serveHj212(device, { path: bus.path, baud: bus.baud, parity: bus.parity, dataBits: bus.data_bits, stopBits: bus.stop_bits, everyMs }, log));
        continue;
      }
      // An ASCII instrument has its serial line to itself (agent/bus/line.ts enforces the same).
      const ascii = onBus.map((a) => ({ a, def: getDriver(a.driver) })).find((x) => x.def?.protocol === "ascii");
      if (ascii && ascii.def?.protocol === "ascii") {
        if (bus.type !== "rtu" || onBus.length > 1) throw new Error(`bus ${bus.id}: an ASCII instrument needs a serial (type: rtu) line of its own`);
        const device = new AsciiSimDevice(ascii.def, { seed: opts.seed });
        byAnalyzer.set(ascii.a.id, device);
        buses.set(bus.id, new ModbusSimulator(slaves));
        servers.set(bus.id, await serveAscii(device, { path: bus.path, baud: bus.baud, parity: bus.parity, dataBits: bus.data_bits, stopBits: bus.stop_bits }, log));
        continue;
      }
      for (const a of onBus) {
        const def = getModbusDriver(a.driver);
        if (!def) throw new Error(`analyzer ${a.id}: unknown driver "${a.driver}"`);
        if (slaves.has(a.slave)) throw new Error(`bus ${bus.id}: slave ${a.slave} used twice (analyzer ${a.id})`);
        const seed = opts.seed === undefined ? undefined : (opts.seed + a.slave * 7919) >>> 0;
        // The analyzer's own map (overrides applied, generic-modbus built from its registers): the poller reads the same.
        const tz = typeof a.options.timezone === "string" ? a.options.timezone : undefined;
        const device = new SimulatedDevice(configureDriver(a, def), { seed, tz });
        slaves.set(a.slave, device);
        byAnalyzer.set(a.id, device);
      }
      buses.set(bus.id, new ModbusSimulator(slaves));
      const server =
        bus.type === "tcp"
          ? await serveTcp(slaves, { host: bus.host, port: bus.port }, log)
          : await serveRtu(slaves, { path: bus.path, baud: bus.baud, parity: bus.parity, dataBits: bus.data_bits, stopBits: bus.stop_bits }, log);
      servers.set(bus.id, server);
    }
  } catch (e) {
    await Promise.all([...servers.values()].map((s) => s.close()));
    throw e;
  }
  return {
    analyzer(id) {
      const d = byAnalyzer.get(id);
      if (!d) throw new Error(`no simulated analyzer "${id}"`);
      return d;
    },
    bus(id) {
      const b = buses.get(id);
      if (!b) throw new Error(`no simulated bus "${id}"`);
      return b;
    },
    endpoint(busId) {
      const s = servers.get(busId);
      if (!s) throw new Error(`no simulated bus "${busId}"`);
      return s.endpoint;
    },
    async stop() {
      await Promise.all([...servers.values()].map((s) => s.close()));
      servers.clear();
    },
  };
}
