// Secrets never leave the process through the CLI or logs: anything printed goes through here first.
import type { StationConfig } from "./schema.js";

export const REDACTED = "******";

/**
 * A copy of the config with every platform password replaced by "******"; for an HTTP uplink, its
 * token, its header values, and any user:password or query in its URL; for an MQTT broker, its
 * password (a password_file is only a path, and stays), frame PW, and URL credentials.
 */
export function redactConfig(config: StationConfig): StationConfig {
  const http = config.alarms.http;
  return {
    ...config,
    // The alarm endpoint's URL credentials and query, and its header values (tokens live there).
    alarms: http ? { ...config.alarms, http: { ...http, url: redactUrl(http.url), headers: Object.fromEntries(Object.keys(http.headers).map((k) => [k, REDACTED])) } } : config.alarms,
    platforms: config.platforms.map((p) =>
      p.protocol === "http-json"
        ? {
            ...p,
            url: redactUrl(p.url),
            ...(p.token === undefined ? {} : { token: REDACTED }),
            headers: Object.fromEntries(Object.keys(p.headers).map((k) => [k, REDACTED])),
          }
        : p.protocol === "mqtt"
          ? {
              ...p,
              url: redactUrl(p.url),
              ...(p.password === undefined ? {} : { password: REDACTED }),
              ...(p.pw === undefined ? {} : { pw: REDACTED }),
            }
          : { ...p, pw: REDACTED, ...(p.sm4_key === undefined ? {} : { sm4_key: REDACTED }) },
    ),
  };
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) [u.username, u.password] = [REDACTED, ""];
    for (const k of [...u.searchParams.keys()]) u.searchParams.set(k, REDACTED);
    return u.toString();
  } catch {
    return REDACTED;
  }
}
