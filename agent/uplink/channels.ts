// Which channel of which analyzer is uploaded under which code, converted how. Built once from the
// config, for every driver kind: a Modbus analyzer's channels are its definition as configured
// (overrides, options and generic-modbus `registers:` applied, drivers/configure.ts), so a channel
// described in YAML with a `code:` is uploaded like a driver's own; an ASCII driver has its fixed list;
// an instrument that sends HJ 212 itself (hj212-serial) uploads every code it sends.
//
// Default conversions: a gas channel in ppb/ppm uploaded under a code with a known molar mass (SO2,
// NO, NO2, NOx, CO, O3, NH3, H2S: platforms read those codes as mass concentrations) is converted
// unless the channel's config says otherwise (`convert`, `unit`, `scale` or `offset` set). Ambient air:
// GB 3095-2012's reference state as its 2018 amendment sets, 25 °C and 1013.25 hPa (ppb → µg/m³,
// ppm → mg/m³). Pollution source (every HJ 212 platform ST 31 or 32): mg/m³ at standard conditions
// (0 °C, 101.325 kPa; HJ 75/76).
import { configureDriver } from "../../drivers/configure.js";
import { getDriver } from "../../drivers/index.js";
import type { ChannelInfo } from "../../drivers/types.js";
import { hj212Platforms, type AnalyzerConfig, type StationConfig } from "../../config/schema.js";
import type { ChannelLookup, UploadChannel } from "./packets.js";
import { conversionFactor, MOLAR_MASS, type Conversion } from "./units.js";
import type { ChannelRef, ZsSpec } from "./zs.js";
import { isSoundLevel } from "../aggregate/noise.js";
import { kgPerUnitM3, m3PerUnitSecond, type CouSpec } from "../aggregate/totals.js";

/** How one channel is uploaded, and why (printed by `config check`). */
export interface ChannelUpload {
  analyzer: string;
  channel: string;
  /** The instrument's unit, and the one uploaded. */
  unit: string;
  uploadUnit: string;
  code: string;
  conversion: Conversion | null;
  /** "configured", "default (ambient, 25 °C)", "default (pollution source, 0 °C)", "none". */
  why: string;
  scale: number;
  offset: number;
  zs?: ZsSpec;
  cou?: CouSpec;
}

/** `<analyzer>.<channel>` → its parts (the last dot splits: analyzer ids may contain dots). */
export function parseRef(ref: string | undefined): ChannelRef | undefined {
  if (!ref) return undefined;
  const at = ref.lastIndexOf(".");
  return at > 0 ? { analyzer: ref.slice(0, at), channel: ref.slice(at + 1) } : undefined;
}

/** This analyzer's channel uploaded under `code` (the config's code first), or one named `name`. */
function sibling(a: AnalyzerConfig, channels: readonly ChannelInfo[], code: string, name: string): ChannelRef | undefined {
  const hit = channels.find((c) => (a.channels[c.name]?.code ?? c.code) === code) ?? channels.find((c) => c.name === name);
  return hit && { analyzer: a.id, channel: hit.name };
}

/** Converted concentration and totals settings of one channel (pollution source; undefined when none apply). */
function sourceSpecs(a: AnalyzerConfig, ch: ChannelInfo, code: string, uploadUnit: string): { zs?: ZsSpec; cou?: CouSpec } {
  const o = a.channels[ch.name];
  const siblings = analyzerChannels(a);
  const out: { zs?: ZsSpec; cou?: CouSpec } = {};
  if (o?.reference_o2 !== undefined) {
    const o2 = parseRef(o.o2_channel) ?? sibling(a, siblings, "a19001", "o2");
    const humidity = parseRef(o.humidity_channel) ?? sibling(a, siblings, "a01014", "humidity");
    if (o2) out.zs = { referenceO2: o.reference_o2, o2, basis: o.basis ?? "dry", ...(humidity ? { humidity } : {}) };
  }
  if (code === "w00000" || code === "a00000") {
    const perSecond = m3PerUnitSecond(uploadUnit, code);
    const totalizer = parseRef(o?.totalizer_channel) ?? (siblings.some((c) => c.name === "total") ? { analyzer: a.id, channel: "total" } : undefined);
    if (perSecond !== undefined) out.cou = { kind: "flow", m3PerUnitSecond: perSecond, ...(totalizer ? { totalizer } : {}) };
  } else if (o?.flow_channel) {
    const kg = kgPerUnitM3(uploadUnit, code);
    const flow = parseRef(o.flow_channel);
    if (kg !== undefined && flow) out.cou = { kind: "pollutant", flow, kgPerUnitM3: kg };
  }
  return out;
}

/** The channels of an analyzer as it is configured (empty for a config its driver rejects). */
export function analyzerChannels(a: AnalyzerConfig): ChannelInfo[] {
  const d = getDriver(a.driver);
  if (!d) return [];
  if (d.protocol === "hj212") return Object.keys(a.channels).map((name) => ({ name, unit: a.channels[name].unit ?? "", code: name }));
  if (d.protocol !== "modbus") return d.channels;
  try {
    return configureDriver(a, d).channels;
  } catch {
    return d.channels; // the config check reports the problem; the agent refuses to start on it
  }
}

/** Pollution source when every HJ 212 platform says so (ST 31 / 32); otherwise ambient. */
export function stationKind(cfg: Pick<StationConfig, "platforms">): "ambient" | "source" {
  const sts = hj212Platforms(cfg).map((p) => p.st);
  return sts.length > 0 && sts.every((st) => st === "31" || st === "32") ? "source" : "ambient";
}

function defaultConversion(unit: string, code: string, kind: "ambient" | "source"): Conversion | null {
  if (!(code in MOLAR_MASS)) return null;
  const u = unit.trim().toLowerCase();
  if (u !== "ppb" && u !== "ppm") return null;
  if (kind === "source") return u === "ppb" ? "ppb-to-mg/m3@0C" : "ppm-to-mg/m3@0C";
  return u === "ppb" ? "ppb-to-ug/m3@25C" : "ppm-to-mg/m3@25C";
}

export function channelUpload(cfg: Pick<StationConfig, "platforms">, a: AnalyzerConfig, ch: ChannelInfo): ChannelUpload | null {
  const o = a.channels[ch.name];
  if (o && o.enabled === false) return null;
  const code = o?.code ?? ch.code;
  const kind = stationKind(cfg);
  const says = o !== undefined && (o.convert !== undefined || o.unit !== undefined || o.scale !== 1 || o.offset !== 0);
  const conversion = o?.convert === "none" ? null : o?.convert ?? (says ? null : defaultConversion(ch.unit, code, kind));
  const h10 = a.options.h10 === undefined ? undefined : Number(a.options.h10);
  const conv = conversion ? conversionFactor(conversion, code, { molarMass: o?.molar_mass, h10 }) : null;
  const why = o?.convert === "none" ? "none (configured)" : o?.convert ? "configured" : conversion ? `default (${kind === "source" ? "pollution source, 0 °C" : "ambient, 25 °C"})` : "none";
  const uploadUnit = o?.unit ?? conv?.unit ?? ch.unit;
  return {
    ...sourceSpecs(a, ch, code, uploadUnit),
    analyzer: a.id,
    channel: ch.name,
    unit: ch.unit,
    uploadUnit,
    code,
    conversion,
    why,
    scale: (conv?.factor ?? 1) * (o?.scale ?? 1),
    offset: o?.offset ?? 0,
  };
}

/** Every uploaded channel of the station (those with a code), in config order. */
export function uploadChannels(cfg: StationConfig): ChannelUpload[] {
  return cfg.analyzers.flatMap((a) => analyzerChannels(a).map((ch) => channelUpload(cfg, a, ch)).filter((c): c is ChannelUpload => c !== null && c.code !== ""));
}

/** The upload lookup: configured channels, plus every code an hj212-serial analyzer sends. */
export function buildLookup(cfg: StationConfig): ChannelLookup {
  const m = new Map<string, UploadChannel>();
  for (const a of cfg.analyzers)
    for (const ch of analyzerChannels(a)) {
      const c = channelUpload(cfg, a, ch);
      // A sound level goes out as the noise items of HJ 212-2017 Table 4 (noise-cp.ts).
      const noise = c ? isSoundLevel(ch.unit, a.channels[ch.name]?.energy_average) : false;
      if (c) m.set(`${a.id}\u0000${ch.name}`, { code: c.code, scale: c.scale, offset: c.offset, ...(noise ? { noise } : {}), ...(c.zs ? { zs: c.zs } : {}), ...(c.cou ? { cou: c.cou } : {}) });
    }
  const listening = new Map(cfg.analyzers.filter((a) => getDriver(a.driver)?.protocol === "hj212").map((a) => [a.id, a]));
  return (analyzer, channel) => {
    const hit = m.get(`${analyzer}\u0000${channel}`);
    if (hit || !listening.has(analyzer)) return hit;
    const a = listening.get(analyzer)!;
    if (a.channels[channel]?.enabled === false) return undefined;
    return { code: channel, scale: 1, offset: 0 };
  };
}
