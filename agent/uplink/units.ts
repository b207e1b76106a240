// Named unit conversions applied before upload (stored values stay in the instrument's unit).
// Gas mixing ratios to mass concentrations at a named reference state: c = x · M / Vm, with
// Vm = 22.414 L/mol · T / 273.15 K at 101.325 kPa. GB 3095-2012 (as amended in 2018) reports
// gases at 25 °C; older data and some platforms use 0 °C or 20 °C: the state is in the name.

export const CONVERSIONS = [
  "ppb-to-ug/m3@25C",
  "ppb-to-ug/m3@20C",
  "ppb-to-ug/m3@0C",
  "ppb-to-mg/m3@0C",
  "ppm-to-mg/m3@25C",
  "ppm-to-mg/m3@20C",
  "ppm-to-mg/m3@0C",
  "uSv/h-to-nGy/h",
  "nGy/h-to-uSv/h",
] as const;
export type Conversion = (typeof CONVERSIONS)[number];

/** Molar masses (g/mol) of the gases with HJ 212 codes, for the ppb/ppm conversions. */
export const MOLAR_MASS: Record<string, number> = {
  a05024: 48.0, // O3
  a21026: 64.066, // SO2
  a21004: 46.0055, // NO2
  a21003: 30.006, // NO
  a21002: 46.0055, // NOx, as NO2
  a21005: 28.01, // CO
  a21001: 17.031, // NH3
  a21028: 34.08, // H2S
};

const KELVIN: Record<string, number> = { "25C": 298.15, "20C": 293.15, "0C": 273.15 };

export class ConversionError extends Error {
  readonly conversionError = true;
  constructor(message: string, readonly conversion: string, readonly code: string) {
    super(message);
  }
}

/**
 * The factor and resulting unit of a named conversion for a channel uploaded under `code`.
 * `h10` is the ambient dose equivalent per air kerma (Sv/Gy) a γ probe was calibrated with.
 */
export function conversionFactor(c: Conversion, code: string, opts: { molarMass?: number; h10?: number } = {}): { factor: number; unit: string } {
  if (c === "uSv/h-to-nGy/h") return { factor: 1000 / (opts.h10 ?? 1), unit: "nGy/h" };
  if (c === "nGy/h-to-uSv/h") return { factor: (opts.h10 ?? 1) / 1000, unit: "uSv/h" };
  const m = opts.molarMass ?? MOLAR_MASS[code];
  if (!m) throw new ConversionError(`${c} needs the molar mass of ${code || "this channel"}: set molar_mass (g/mol)`, c, code);
  const [, state] = c.split("@");
  const vm = (22.414 * KELVIN[state]) / 273.15;
  // ppb → mg/m³ (a pollution-source platform's unit for an analyzer reporting ppb) is ppb → µg/m³ / 1000.
  if (c.startsWith("ppb-to-mg")) return { factor: m / vm / 1000, unit: "mg/m3" };
  return { factor: m / vm, unit: c.startsWith("ppb") ? "ug/m3" : "mg/m3" };
}
