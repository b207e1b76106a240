// The driver registry. Adding an instrument: one new file in drivers/, one line here, one test
// (test/drivers/all-drivers.test.ts checks that every driver file is listed).
import type { Driver, DriverDefinition } from "./types.js";
import teledyneT400 from "./teledyne-t400.js";
import metoneBam1020 from "./metone-bam1020.js";
import thermo49i from "./thermo-49i.js";
import teledyneT640 from "./teledyne-t640.js";
import waterDbs from "./water-dbs.js";
import gammaRs485 from "./gamma-rs485.js";
import noiseRs485 from "./noise-rs485.js";
import thRs485 from "./th-rs485.js";
import genericModbus from "./generic-modbus.js";

const DRIVERS: readonly Driver[] = [teledyneT400, thermo49i, teledyneT640, waterDbs, gammaRs485, noiseRs485, thRs485, genericModbus, metoneBam1020];

/** Every driver, Modbus and ASCII alike (`protocol` tells them apart). */
export function listDrivers(): Driver[] {
  return [...DRIVERS];
}

export function getDriver(id: string): Driver | undefined {
  return DRIVERS.find((d) => d.id === id);
}

/** The driver if it is a Modbus one (simulator tables, register plans). */
export function getModbusDriver(id: string): DriverDefinition | undefined {
  const d = getDriver(id);
  return d?.protocol === "modbus" ? d : undefined;
}

export type { AsciiDriverDefinition, Driver, DriverDefinition } from "./types.js";
