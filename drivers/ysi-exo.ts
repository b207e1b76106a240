// YSI EXO multiparameter sonde through its Modbus adapter (EXO1/EXO2/EXO3), Modbus RTU.
// Map: instruments.md §10.2, from Wilderness Labs Meadow.Foundation's EXO driver (Apache-2.0; Exo.cs,
// Exo.HoldingRegisters.cs, Exo.ParameterStatus.cs, ParameterCode.cs @423788a), which cites the EXO user
// manual. Confidence M. Holding registers only (FC03); floats CDAB ("first register = low word").
//
// The parameter list is configured in the sonde, not fixed: registers 128..159 hold the parameter codes
// in reading order, 256..287 each one's status (0 available, 1 not set, 2 not available), and 384..447
// the values (parameter i at 384 + 2i). `options.params` says which list the sonde was set to, as codes
// joined by "/" (default "1/7/18/212/223": temperature, specific conductance, pH, ODO mg/L, turbidity
// FNU). The agent reads the list back every poll: a position whose code differs from `params` gives no
// value and flag D (state param-mismatch), so a sonde reconfigured in the field is never misread. It does
// not write the list. Status 2 (not available) → D; 1 (not set) → no value.
//
// Codes → HJ 212: 1 temperature w01010; 7 specific conductance (compensated to 25 °C, the usual choice)
// w01014; 5 conductivity µS/cm (no code by default); 18 pH w01001; 212 ODO mg/L w01009; 223 turbidity
// FNU w01003 (37 NTU: no code by default, keep one of the two); others stored without a code.
import { defineModbusDriver, float32, uint16 } from "./define.js";
import { WORK_STATE, type DriverOptions, type FieldDef } from "./types.js";
import type { Reading } from "../agent/types.js";

interface Param {
  channel: string;
  unit: string;
  code: string;
  base: number;
}
const PARAMS: Record<number, Param> = {
  1: { channel: "temperature", unit: "°C", code: "w01010", base: 18 },
  4: { channel: "conductivity_ms", unit: "mS/cm", code: "", base: 0.4 },
  5: { channel: "conductivity", unit: "µS/cm", code: "", base: 400 },
  6: { channel: "specific_conductance_ms", unit: "mS/cm", code: "", base: 0.42 },
  7: { channel: "specific_conductance", unit: "µS/cm", code: "w01014", base: 420 },
  12: { channel: "salinity", unit: "ppt", code: "", base: 0.2 },
  18: { channel: "ph", unit: "pH", code: "w01001", base: 7.4 },
  19: { channel: "orp", unit: "mV", code: "", base: 180 },
  22: { channel: "depth", unit: "m", code: "", base: 1.5 },
  28: { channel: "battery", unit: "V", code: "", base: 6.2 },
  37: { channel: "turbidity_ntu", unit: "NTU", code: "", base: 12 },
  193: { channel: "chlorophyll", unit: "µg/L", code: "", base: 3 },
  211: { channel: "odo_saturation", unit: "%", code: "", base: 95 },
  212: { channel: "odo", unit: "mg/L", code: "w01009", base: 8.4 },
  223: { channel: "turbidity", unit: "FNU", code: "w01003", base: 12 },
};
const DEFAULT_PARAMS = "1/7/18/212/223";
const MAX_PARAMS = 32;

function parseParams(options: DriverOptions): { codes: number[]; problems: string[] } {
  const text = String(options.params ?? DEFAULT_PARAMS);
  const codes = text.split("/").map((x) => Number(x.trim()));
  const problems: string[] = [];
  const bad = codes.filter((c) => !(c in PARAMS));
  if (bad.length || codes.length === 0) problems.push(`options.params: unknown parameter code(s) ${bad.join(", ")} in "${text}" (known: ${Object.keys(PARAMS).join(", ")})`);
  if (codes.length > MAX_PARAMS) problems.push(`options.params: the sonde reports at most ${MAX_PARAMS} parameters`);
  if (new Set(codes).size !== codes.length) problems.push(`options.params: a parameter is listed twice in "${text}"`);
  return { codes, problems };
}

function fieldsOf(codes: number[]): FieldDef[] {
  const fields: FieldDef[] = [];
  codes.forEach((code, i) => {
    const p = PARAMS[code];
    if (!p) return;
    fields.push(float32({ channel: p.channel, fc: 3, address: 384 + 2 * i, order: "CDAB", unit: p.unit, code: p.code, description: `Parameter ${code} (position ${i})`, sim: { base: p.base, noise: Math.abs(p.base) * 0.01 } }));
    fields.push(uint16({ channel: `${p.channel}_status`, fc: 3, address: 256 + i, unit: "", description: `Status of parameter ${code}: 0 available, 1 not set, 2 not available`, sim: { base: 0 } }));
    fields.push(uint16({ channel: `${p.channel}_param`, fc: 3, address: 128 + i, unit: "", description: `Parameter code at position ${i} (expected ${code})`, sim: { base: code } }));
  });
  return fields;
}

function derive(readings: Reading[], options: DriverOptions): Reading[] {
  const { codes } = parseParams(options);
  const byChannel = new Map(readings.map((r) => [r.channel, r]));
  return readings.map((r) => {
    const code = codes.find((c) => PARAMS[c]?.channel === r.channel);
    if (code === undefined || r.flag === "B") return r;
    const status = byChannel.get(`${r.channel}_status`)?.value;
    const listed = byChannel.get(`${r.channel}_param`)?.value;
    if (listed !== code) return { ...r, value: null, flag: "D", state: "param-mismatch" };
    if (status === 2) return { ...r, flag: r.flag === "N" ? "D" : r.flag, state: r.flag === "N" ? "not-available" : r.state };
    if (status === 1) return { ...r, value: null };
    return r;
  });
}

const all = fieldsOf(Object.keys(PARAMS).map(Number));

export default defineModbusDriver({
  id: "ysi-exo",
  version: 1,
  models: ["EXO1", "EXO2", "EXO3"],
  description: "YSI EXO sonde via its Modbus adapter (options.params: the sonde's parameter list; CDAB floats)",
  fields: fieldsOf(parseParams({}).codes),
  channels: [...new Map(all.map((f) => [f.channel, { name: f.channel, unit: f.unit, code: f.code, description: f.description }])).values()],
  // Working state (Table B.10, i12001): 0 running; a parameter not available or a changed list → 2 fault (its reading's flag D).
  working: { normal: WORK_STATE.running },
  hooks: {
    fromOptions(options) {
      const { codes, problems } = parseParams(options);
      return { fields: fieldsOf(codes), problems };
    },
    derive,
  },
});
