// The driver registry. Adding an instrument: one new file in drivers/, one line here, one test
// (test/drivers/all-drivers.test.ts checks that every driver file is listed).
import type { DriverDefinition } from "./types.js";
import teledyneT400 from "./teledyne-t400.js";

const DRIVERS: readonly DriverDefinition[] = [teledyneT400];

export function listDrivers(): DriverDefinition[] {
  return [...DRIVERS];
}

export function getDriver(id: string): DriverDefinition | undefined {
  return DRIVERS.find((d) => d.id === id);
}

export type { DriverDefinition } from "./types.js";
