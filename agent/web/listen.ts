// Where the local page listens, from `web.listen`: off (false, the default), on at 127.0.0.1:8080
// (true), a port on loopback (8080), or "host:port" ("0.0.0.0:8080", "[::]:8080"). Pure, so the
// config schema checks the same thing the server binds.
import { isIP } from "node:net";

export const WEB_DEFAULT = { host: "127.0.0.1", port: 8080 } as const;

export interface ListenAddress {
  host: string;
  port: number;
}

/** The address, null when off, or what was expected instead (a config error reads "expected …"). */
export function parseListen(v: boolean | number | string): ListenAddress | null | string {
  if (v === false) return null;
  if (v === true) return { ...WEB_DEFAULT };
  if (typeof v === "number") return validPort(v) ? { host: WEB_DEFAULT.host, port: v } : "a port from 1 to 65535";
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(v.trim());
  if (!m) return "host:port, e.g. 127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080";
  const host = m[1] ?? m[2];
  const port = Number(m[3]);
  if (!validPort(port)) return "a port from 1 to 65535";
  if (m[1] !== undefined && isIP(m[1]) !== 6) return "an IPv6 address inside [ ]";
  if (!host) return `a host before :${port} (0.0.0.0:${port} listens on every address)`;
  return { host, port };
}

const validPort = (p: number) => Number.isInteger(p) && p >= 1 && p <= 65535;

/** Only this machine can reach it: 127.0.0.0/8, ::1, localhost. Anything else needs a token. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  if (h === "localhost" || h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  if (isIP(h) === 4) return h.startsWith("127.");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  return mapped ? mapped[1].startsWith("127.") : false;
}

export const formatListen = (a: ListenAddress) => (a.host.includes(":") ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`);
