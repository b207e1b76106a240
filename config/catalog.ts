// What the config checks know about drivers, as an interface: config/ checks analyzers against
// it, and the loader builds it from the driver registry (drivers/index.ts).
/** What the config checks need to know about drivers; built from drivers/index.ts by default. */
export interface DriverCatalog {
  ids(): string[];
  /** Channel names of a driver, or undefined when there is no such driver. */
  channels(driverId: string): string[] | undefined;
  /** Whether the driver's channels come from the analyzer's `registers` key (generic-modbus). */
  fromConfig?(driverId: string): boolean;
  /** Whether any channel name is the driver's (hj212-serial: its channels are the codes it sends). */
  anyChannel?(driverId: string): boolean;
  /** Problems of one analyzer entry (raw YAML data) with its driver: overrides in options, registers… */
  analyzerProblems?(analyzer: unknown): Array<{ key: string; message: string }>;
}
