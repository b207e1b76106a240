// The channels a station's config polls, as the page lists them: the driver's channels (or a
// generic-modbus analyzer's registers), minus disabled analyzers and channels.
import type { StationConfig } from "../../config/schema.js";
import { getDriver } from "../../drivers/index.js";

export interface ConfiguredChannel {
  analyzer: string;
  channel: string;
  code: string;
  unit: string;
}

export function configuredChannels(cfg: StationConfig): ConfiguredChannel[] {
  return cfg.analyzers
    .filter((a) => a.enabled)
    .flatMap((a) => {
      const defs = a.registers?.map((r) => ({ name: r.channel, code: r.code ?? "", unit: r.unit ?? "" })) ?? getDriver(a.driver)?.channels ?? [];
      return defs
        .filter((d) => a.channels[d.name]?.enabled !== false)
        .map((d) => ({ analyzer: a.id, channel: d.name, code: a.channels[d.name]?.code ?? d.code ?? "", unit: d.unit ?? "" }));
    });
}
