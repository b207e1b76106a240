// Teledyne API T640 / T640x PM mass monitor (optical, PM2.5 and PM10), Modbus TCP.
// Map: instruments.md §2, from NOAA GML forge `forge/acquisition/instrument/teledynet640/instrument.py`
// and its simulator (a working driver at NOAA stations): FC04 input registers, floats ABCD
// (`struct.unpack('>f')`), 0-based PDU addresses. Confidence M-H; we did not find the manual's own table.
//
// Ambiguities and how an installer overrides them (analyzer `options`, drivers/configure.ts):
// - PM1 (IR 64) exists only with the option; without it the unit answers an exception or a wild value.
//   So pm1 is read only when the config lists it: `channels: {pm1: {code: <code>}}`. It has no default
//   code (the platform's PM1 code varies); give one to upload it.
// - Bypass flow (IR 48) is 0 on a plain T640 and 11.67 L/min on a T640x.
// - Ambient pressure (IR 34) is in kPa (forge multiplies by 10 for hPa); upload conversion is per channel
//   (`channels: {pressure: {scale: 10, unit: hPa}}`).
// - DIs: sample flow out of range (1), bypass flow out of range (6) and system fault (7) flag D: the
//   mass concentration needs the right flows. Box/sample temperature (0, 5), serial timeout (2) and
//   system reset (3) are warnings that do not invalidate data by themselves and are not mapped.
//   Re-flag or ignore any state with `"flag.<state>": "<letter>" | "off"` (e.g. a plain T640 that raises
//   a bypass alarm: `"flag.bypass-flow": "off"`).
// - No Modbus calibration commands are known for the T640 (span checks are run on the front panel).
// - Working state (HJ 212-2017 Table B.10, i12001): continuous, 0 running; a flow out of range or
//   the system fault → 2 fault. No alarm output is mapped, so no i12003.
import { bit, defineModbusDriver, float32 } from "./define.js";
import { WORK_STATE } from "./types.js";

const f = (channel: string, address: number, unit: string, description: string, base: number) =>
  float32({ channel, fc: 4, address, unit, description, sim: { base, noise: Math.abs(base) * 0.005 } });

export default defineModbusDriver({
  id: "teledyne-t640",
  version: 1,
  models: ["T640", "T640x"],
  description: "Teledyne API T640/T640x PM2.5/PM10 mass monitor (forge map, FC04 ABCD floats)",
  fields: [
    float32({ channel: "pm10", fc: 4, address: 6, unit: "µg/m³", code: "a34002", description: "PM10 concentration",
      sim: { base: 60, amplitude: 20, period_s: 900, noise: 1 } }),
    float32({ channel: "pm25", fc: 4, address: 8, unit: "µg/m³", code: "a34004", description: "PM2.5 concentration",
      sim: { base: 35, amplitude: 12, period_s: 900, noise: 0.8 } }),
    float32({ channel: "pm1", fc: 4, address: 64, unit: "µg/m³", optional: true, description: "PM1 concentration (option)",
      sim: { base: 20, noise: 0.5 } }),
    f("led_temp", 32, "°C", "LED temperature", 40),
    f("pressure", 34, "kPa", "Ambient pressure", 101.3),
    f("sample_rh", 36, "%", "Sample relative humidity", 35),
    f("box_temp", 38, "°C", "Box temperature", 30),
    f("ambient_temp", 40, "°C", "Ambient temperature", 22),
    f("asc_temp", 42, "°C", "ASC tube temperature", 28),
    f("sample_temp", 44, "°C", "Sample temperature", 27),
    f("sample_flow", 46, "L/min", "Sample flow", 5),
    f("bypass_flow", 48, "L/min", "Bypass flow (T640x; 0 on a T640)", 11.67),
    f("pump_duty", 56, "%", "Pump duty cycle", 45),
    f("valve_duty", 58, "%", "Proportional valve duty cycle", 50),
    f("heater_duty", 60, "%", "ASC heater duty cycle", 20),
    f("span_deviation", 86, "%", "Span deviation (SpanDust check)", 1),
  ],
  states: [
    bit({ fc: 2, address: 1, state: "sample-flow", flag: "D", description: "Sample flow out of range" }),
    bit({ fc: 2, address: 6, state: "bypass-flow", flag: "D", description: "Bypass flow out of range" }),
    bit({ fc: 2, address: 7, state: "fault", flag: "D", description: "System fault" }),
  ],
  working: { normal: WORK_STATE.running },
});
