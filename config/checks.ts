// Cross-field checks the schema cannot express: ids are unique, analyzers refer to buses and drivers
// that exist, channel overrides name real channels, no two instruments answer to one address.
// They read the raw YAML data defensively, so they run even when the schema found problems and the
// installer sees every problem in one go.
import { analyzerSchema } from "./schema.js";
import type { DriverCatalog } from "./catalog.js";
import type { Problem } from "./issues.js";
import type { KeyPath } from "./locate.js";
import { didYouMean } from "./suggest.js";
import { linkProblems } from "./checks-link.js";
import { sourceChannelProblems } from "./checks-source.js";

export type { DriverCatalog } from "./catalog.js";

type Raw = Record<string, unknown>;

/** The default slave id, read from the schema so the duplicate-address check cannot drift from it. */
const DEFAULT_SLAVE = analyzerSchema.shape.slave.parse(undefined);

/** `where(path)` says where another entry is ("line 12"), to name both sides of a conflict. */
export function crossChecks(data: unknown, drivers: DriverCatalog, where: (path: KeyPath) => string): Problem[] {
  const root = isObject(data) ? data : {};
  const buses = entries(root.buses);
  const analyzers = entries(root.analyzers);
  const platforms = entries(root.platforms);
  const problems: Problem[] = [
    ...uniqueIds("buses", "bus", buses, where),
    ...uniqueIds("analyzers", "analyzer", analyzers, where),
    ...uniqueIds("platforms", "platform", platforms, where),
    ...linkProblems(platforms),
    ...sourceChannelProblems(analyzers, drivers),
  ];

  // Two buses on one serial device would fight over the port (the second open fails or interleaves frames).
  const devices = new Map<string, number>();
  buses.forEach((b, i) => {
    if (b.type !== "rtu" || typeof b.path !== "string") return;
    const first = devices.get(b.path);
    if (first === undefined) devices.set(b.path, i);
    else problems.push({ path: ["buses", i, "path"], expected: `serial device ${b.path} is already used by buses[${first}] (${where(["buses", first, "path"])})` });
  });

  const busIds = [...new Set(buses.map((b) => b.id).filter((id): id is string => typeof id === "string"))];
  const driverIds = drivers.ids();
  const addresses = new Map<string, number>();
  analyzers.forEach((a, i) => {
    if (typeof a.bus === "string" && !busIds.includes(a.bus)) {
      const known = busIds.length ? `buses: ${busIds.join(", ")}` : "no buses are defined";
      problems.push({ path: ["analyzers", i, "bus"], expected: `unknown bus "${a.bus}"${didYouMean(a.bus, busIds)} (${known})` });
    }
    if (typeof a.driver === "string") {
      // generic-modbus: the channels are the ones the analyzer's registers list.
      const channels = drivers.fromConfig?.(a.driver)
        ? entries(a.registers).map((r) => r.channel).filter((c): c is string => typeof c === "string")
        : drivers.channels(a.driver);
      if (channels !== undefined)
        for (const p of drivers.analyzerProblems?.(a) ?? [])
          problems.push({ path: ["analyzers", i, p.key], key: (p.key === "registers" || p.key === "states") && !drivers.fromConfig?.(a.driver), expected: p.message });
      if (channels === undefined) {
        problems.push({
          path: ["analyzers", i, "driver"],
          expected: `unknown driver "${a.driver}"${didYouMean(a.driver, driverIds)} (known drivers: ${driverIds.join(", ")})`,
        });
      } else if (isObject(a.channels) && !drivers.anyChannel?.(a.driver)) {
        for (const name of Object.keys(a.channels)) {
          if (channels.includes(name)) continue;
          problems.push({
            path: ["analyzers", i, "channels", name],
            key: true,
            expected: `unknown channel "${name}" for driver ${a.driver}${didYouMean(name, channels)} (its channels: ${channels.join(", ")})`,
          });
        }
      }
    }
    const slave = a.slave === undefined ? DEFAULT_SLAVE : a.slave;
    if (typeof a.bus !== "string" || typeof slave !== "number") return;
    const address = `${a.bus}\0${slave}`;
    const first = addresses.get(address);
    if (first === undefined) addresses.set(address, i);
    else {
      const other = typeof analyzers[first].id === "string" ? `analyzer "${String(analyzers[first].id)}"` : `analyzers[${first}]`;
      problems.push({
        path: ["analyzers", i, "slave"],
        expected: `slave ${slave} on bus "${a.bus}" is already used by ${other} (${where(["analyzers", first])}); each instrument on a bus needs its own address`,
      });
    }
  });
  return problems;
}

function uniqueIds(list: string, noun: string, items: Raw[], where: (path: KeyPath) => string): Problem[] {
  const seen = new Map<string, number>();
  const problems: Problem[] = [];
  items.forEach((item, i) => {
    if (typeof item.id !== "string") return;
    const first = seen.get(item.id);
    if (first === undefined) seen.set(item.id, i);
    else problems.push({ path: [list, i, "id"], expected: `duplicate ${noun} id "${item.id}" (also ${list}[${first}], ${where([list, first, "id"])})` });
  });
  return problems;
}

/** The mapping entries of a list; anything else becomes an empty object the schema already reported. */
function entries(value: unknown): Raw[] {
  return Array.isArray(value) ? value.map((v) => (isObject(v) ? v : {})) : [];
}

function isObject(value: unknown): value is Raw {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
