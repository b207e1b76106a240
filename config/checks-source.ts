// Cross-field checks of the pollution-source channel keys (issue 13): o2_channel, humidity_channel,
// flow_channel and totalizer_channel name an analyzer's channel that exists, and a channel with
// reference_o2 has an O2 reading to convert with. Reads raw YAML data defensively, like checks.ts.
import type { DriverCatalog } from "./catalog.js";
import type { Problem } from "./issues.js";

type Raw = Record<string, unknown>;
const REF_KEYS = ["o2_channel", "humidity_channel", "flow_channel", "totalizer_channel"] as const;
const isObject = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);

export function sourceChannelProblems(analyzers: readonly Raw[], drivers: DriverCatalog): Problem[] {
  const channelsOf = (a: Raw): string[] | undefined => {
    if (typeof a.driver !== "string") return undefined;
    if (drivers.anyChannel?.(a.driver)) return isObject(a.channels) ? Object.keys(a.channels) : [];
    if (drivers.fromConfig?.(a.driver)) return Array.isArray(a.registers) ? a.registers.map((r) => (isObject(r) ? String(r.channel) : "")) : [];
    return drivers.channels(a.driver);
  };
  const byId = new Map(analyzers.filter((a) => typeof a.id === "string").map((a) => [a.id as string, a]));
  const problems: Problem[] = [];
  analyzers.forEach((a, i) => {
    if (!isObject(a.channels)) return;
    for (const [name, c] of Object.entries(a.channels)) {
      if (!isObject(c)) continue;
      for (const key of REF_KEYS) {
        const ref = c[key];
        if (typeof ref !== "string" || ref.lastIndexOf(".") <= 0) continue; // the schema reports the form
        const at = ref.lastIndexOf(".");
        const [id, channel] = [ref.slice(0, at), ref.slice(at + 1)];
        const target = byId.get(id);
        const known = target ? channelsOf(target) : undefined;
        if (!target) problems.push({ path: ["analyzers", i, "channels", name, key], expected: `no analyzer "${id}" (analyzers: ${[...byId.keys()].join(", ")})` });
        else if (known && !known.includes(channel)) problems.push({ path: ["analyzers", i, "channels", name, key], expected: `analyzer ${id} has no channel "${channel}" (its channels: ${known.join(", ")})` });
      }
      if (c.reference_o2 !== undefined && c.o2_channel === undefined) {
        const own = channelsOf(a) ?? [];
        const coded = Object.entries(a.channels).some(([, x]) => isObject(x) && x.code === "a19001");
        if (!own.includes("o2") && !coded)
          problems.push({ path: ["analyzers", i, "channels", name, "reference_o2"], expected: `reference_o2 needs an O2 reading: set o2_channel: "<analyzer>.<channel>" (analyzer ${String(a.id)} has no O2 channel)` });
      }
    }
  });
  return problems;
}
