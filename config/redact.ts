// Secrets never leave the process through the CLI or logs: anything printed goes through here first.
import type { StationConfig } from "./schema.js";

export const REDACTED = "******";

/** A copy of the config with every platform password replaced by "******". */
export function redactConfig(config: StationConfig): StationConfig {
  return { ...config, platforms: config.platforms.map((p) => ({ ...p, pw: REDACTED })) };
}
