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
import thermo42i from "./thermo-42i.js";
import thermo43i from "./thermo-43i.js";
import thermo48i from "./thermo-48i.js";
import teledyneT100 from "./teledyne-t100.js";
import teledyneT200 from "./teledyne-t200.js";
import teledyneT300 from "./teledyne-t300.js";
import vaisalaWxt530 from "./vaisala-wxt530.js";
import yosemitech from "./yosemitech.js";
import sdlScs900 from "./sdl-scs900.js";
import fpiCems2000 from "./fpi-cems2000.js";
import adam4017 from "./adam-4017.js";
import tuf2000 from "./tuf2000.js";
import hj212Serial from "./hj212-serial.js";

const DRIVERS: readonly Driver[] = [
  teledyneT400, thermo49i, teledyneT640, waterDbs, gammaRs485, noiseRs485, thRs485, genericModbus, metoneBam1020,
  // A full station (issue 13): air, weather, water five-parameter, pollution source.
  thermo42i, thermo43i, thermo48i, teledyneT100, teledyneT200, teledyneT300, vaisalaWxt530,
  yosemitech, sdlScs900, fpiCems2000, adam4017, tuf2000, hj212Serial,
];

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
