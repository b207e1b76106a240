// Yosemitech Y-series digital water probes (Y532 pH, Y504 DO, Y520 conductivity, Y510/Y511 turbidity),
// Modbus RTU. One driver; `options.sensor: ph | do | cond | turb` picks the probe's map.
// Map: instruments.md §10.1, from the vendor's Modbus instructions stored in EnviroDIY/YosemitechModbus
// doc/, its working library src/YosemitechModbus.cpp, and the data-logger drivers in Yimning/Daily-Code.
// FC03 reads, floats in little-endian byte order DCBA (the manual's pH 7.6 = bytes 33 33 F3 40).
// Confidence H.
//
// Ambiguities and overrides (analyzer `options`, drivers/configure.ts):
// - pH at 0x2800 (the Y532 manual); the 0x2600 block holds "potential, pH" and a DC driver reads the
//   second float there: `"ph.address": 0x2602`.
// - DO: mg/L from 0x2604 (YosemitechModbus); probes that report mg/L in the second float (older
//   firmware, the DC driver): `"do.address": 0x2602`.
// - Conductivity is mS/cm on the wire and HJ 212 w01014 is µS/cm: the channel reads µS/cm (× 1000).
//   `"conductivity.scale": 1` with `channels: {conductivity: {unit: mS/cm}}` keeps mS/cm.
// - Turbidity w01003 (NTU) is not in HJ 212-2017 Table B.1 but is what data loggers upload; set another
//   code with `channels: {turbidity: {code: …}}`.
// - Error flag (conductivity, turbidity): high byte of 0x2604, 0xFF = range-switching error → D. The pH
//   and DO probes have no status register: NaN or an exception is the only sign of trouble (B/no value).
import { defineModbusDriver, float32, register } from "./define.js";
import { WORK_STATE, type FieldDef, type SimHint, type StateDef } from "./types.js";

const f = (channel: string, address: number, unit: string, code: string, description: string, sim: SimHint, scale = 1): FieldDef =>
  float32({ channel, fc: 3, address, order: "DCBA", unit, code, description, sim, scale });

const temperature = (address: number) => f("temperature", address, "°C", "w01010", "Water temperature", { base: 18, amplitude: 3, period_s: 86400, noise: 0.05 });
const errorFlag: StateDef = register({ fc: 3, address: 0x2604, mask: 0xff00, equals: 0xff00, state: "range-error", flag: "D", description: "Error flag 0xFF: range-switching error" });

const SENSORS: Record<string, { fields: FieldDef[]; states: StateDef[] }> = {
  ph: {
    fields: [
      f("ph", 0x2800, "pH", "w01001", "pH, temperature-compensated", { base: 7.4, amplitude: 0.3, period_s: 86400, noise: 0.01 }),
      temperature(0x2400),
      f("potential", 0x1200, "mV", "", "Electrode potential", { base: -20, noise: 1 }),
    ],
    states: [],
  },
  do: {
    fields: [
      temperature(0x2600),
      f("saturation", 0x2602, "", "", "DO saturation (fraction; × 100 = %)", { base: 0.92, noise: 0.005 }),
      f("do", 0x2604, "mg/L", "w01009", "Dissolved oxygen", { base: 8.4, amplitude: 0.8, period_s: 86400, noise: 0.02 }),
    ],
    states: [],
  },
  cond: {
    fields: [
      temperature(0x2600),
      f("conductivity", 0x2602, "µS/cm", "w01014", "Conductivity (mS/cm on the wire, × 1000)", { base: 420, amplitude: 30, period_s: 86400, noise: 2 }, 1000),
    ],
    states: [errorFlag],
  },
  turb: {
    fields: [
      temperature(0x2600),
      f("turbidity", 0x2602, "NTU", "w01003", "Turbidity", { base: 12, amplitude: 4, period_s: 86400, noise: 0.3 }),
    ],
    states: [errorFlag],
  },
};

const all = Object.values(SENSORS).flatMap((s) => s.fields);
const channels = [...new Map(all.map((x) => [x.channel, { name: x.channel, unit: x.unit, code: x.code, description: x.description }])).values()];

export default defineModbusDriver({
  id: "yosemitech",
  version: 1,
  models: ["Y532 pH", "Y504 DO", "Y520 conductivity", "Y510 turbidity", "Y511 turbidity"],
  description: "Yosemitech Y-series water probes (options.sensor: ph | do | cond | turb; DCBA floats)",
  fields: [],
  channels,
  // Working state (Table B.10, i12001): 0 running; the range-switching error (conductivity, turbidity) → 2 fault.
  working: { normal: WORK_STATE.running },
  hooks: {
    fromOptions(options) {
      const sensor = options.sensor;
      const known = Object.keys(SENSORS).join(", ");
      if (sensor === undefined) return { fields: [], problems: [`driver yosemitech needs options.sensor, the probe: one of ${known}`] };
      const picked = typeof sensor === "string" ? SENSORS[sensor] : undefined;
      if (!picked) return { fields: [], problems: [`options.sensor must be one of ${known}, got ${JSON.stringify(sensor)}`] };
      return { fields: picked.fields, states: picked.states, problems: [] };
    },
  },
});
