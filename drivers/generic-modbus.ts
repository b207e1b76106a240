// A Modbus instrument nobody wrote a driver for, described in the station config: the analyzer's
// `registers` list gives its values (channel, fc, address, type, order, scale, unit, code) and its
// optional `states` list the bits or register values that flag them (config/schema-modbus.ts).
// drivers/configure.ts turns those keys into a definition; the poller reads it and the simulator
// serves it, so `station-agent simulate` works for such a device too. Example (station.example.yaml):
//
//   - id: flow
//     driver: generic-modbus
//     bus: rs485-1
//     slave: 7
//     registers:
//       - { channel: flow, fc: 3, address: 0, type: float32, order: CDAB, unit: m3/h, code: w00000 }
//     states:
//       - { state: fault, flag: D, fc: 3, address: 10, bit: 0 }
//
// The overrides of every driver ("<channel>.address", "flag.<state>", address_offset…) apply as well.
// - Working state (HJ 212-2017 Table B.10, i12001): 0 running; the configured states by their flag
//   (C 3 calibration, M 1 maintenance, D 2 fault, F 9 standby); no i12003.
import { defineModbusDriver } from "./define.js";
import { WORK_STATE } from "./types.js";

export default defineModbusDriver({
  id: "generic-modbus",
  version: 1,
  models: ["any Modbus RTU/TCP instrument"],
  description: "Any Modbus instrument, its registers and states given in the analyzer's config",
  fields: [],
  fromConfig: true,
  working: { normal: WORK_STATE.running },
});
