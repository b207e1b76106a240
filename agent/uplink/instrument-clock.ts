// An instrument's own clock for HJ 212 1011/1012 with PolId (C.2, C.3): read and set through its
// driver (`clock` in the driver file: water-dbs reads 0x1080 and sets with opcode 13), over the
// bus the poller owns, between polls. An instrument whose driver has no clock gets ExeRtn=2.
import type { AnalyzerConfig } from "../../config/schema.js";
import { BCD_TIME_REGISTERS, decodeBcdTime } from "../../drivers/codec.js";
import { configureDriver } from "../../drivers/configure.js";
import type { Driver } from "../../drivers/types.js";
import { commandWrite } from "../bus/readings.js";
import { DEFAULT_TZ } from "../time.js";

export interface ClockBus {
  readRegisters(analyzer: string, fc: 3 | 4, address: number, count: number): Promise<Uint16Array>;
  writeCommand(analyzer: string, w: { fc: 5 | 6 | 16; address: number; values: number[] | boolean[] }): Promise<void>;
}

/** What 1011/1012 need: null when the instrument has no clock the station can reach. */
export interface InstrumentClock {
  read(analyzer: string): Promise<number | null>;
  set(analyzer: string, ms: number): Promise<boolean>;
  has(analyzer: string): boolean;
}

export function instrumentClock(analyzers: readonly AnalyzerConfig[], driverOf: (id: string) => Driver | undefined, bus: (analyzer: string) => ClockBus | undefined): InstrumentClock {
  const plan = (id: string) => {
    const a = analyzers.find((x) => x.id === id);
    const d = a && driverOf(a.driver);
    if (!a || !d || d.protocol !== "modbus" || !d.clock) return undefined;
    return { a, driver: configureDriver(a, d), timezone: String(a.options.timezone ?? DEFAULT_TZ) };
  };
  return {
    has: (id) => plan(id) !== undefined,
    async read(id) {
      const p = plan(id);
      const b = bus(id);
      if (!p || !b) return null;
      const c = p.driver.clock!.read;
      return decodeBcdTime(await b.readRegisters(id, c.fc, c.address, BCD_TIME_REGISTERS), p.timezone);
    },
    async set(id, ms) {
      const p = plan(id);
      const b = bus(id);
      if (!p || !b) return false;
      await b.writeCommand(id, commandWrite(p, p.driver.clock!.set, { now: ms }));
      return true;
    },
  };
}
