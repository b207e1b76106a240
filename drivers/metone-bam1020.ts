// Met One BAM-1020 beta-attenuation PM monitor, RS-232 ASCII ("computer mode"). Confidence L-M:
// written from general knowledge of the BAM-1020 operation manual (80-xxxx, section 6 "Serial
// communications"), not checked against a copy of it; nothing in ../shared/instruments.md covers it.
// What we rely on, and how sure we are:
// - M: RS-232, 9600 8N1 by default; a CR/LF on an idle port brings the "*" prompt, and a one-character
//   menu selection prints a report as comma-separated lines with a header line naming the columns.
// - L: report "4" prints the last data record (header + one line). If a firmware numbers its menu
//   differently, set `options: {request: "<text>\r\n"}` on the analyzer (any text, escapes included).
// - M: the record has Time, Conc (mg/m3 by default), Qtot (m3 sampled in the hour), the met sensor
//   channels (WS, WD, BP, RH, AT) and one 0/1 column per error letter E U M I L R N F P D C T.
//   Columns are matched by header name (without the "(unit)"), so a different order is harmless;
//   `index` is used only when no header comes.
// - L: the meaning of the error letters below: M maintenance → M; every other letter is an
//   instrument or sample error → D. "L" and "E" are named by their letter only, their meaning being
//   unconfirmed. Override per analyzer: `options: {"flag.error-l": "off"}` (or another flag letter).
// - Units: the BAM reports mg/m3 (factory setting). We store µg/m3 (scale 1000), the unit HJ 212 uses
//   for a34004 (PM2.5) and a34002 (PM10). A PM10 BAM: `channels: {conc: {code: a34002}}`. A BAM set
//   to report µg/m3 itself: `channels: {conc: {scale: 0.001}}` before upload, or change it on the BAM.
// - The record is the last hour's average; readings are timestamped when the answer arrived.
// - Working state (HJ 212-2017 Table B.10, i12001): a continuous monitor, 0 running; the M letter → 1
//   maintenance, P (power failure during the hour) → 6 power failure, the other error letters → 2 fault.
//   It reports no alarm apart from its errors, so no i12003.
import { column, defineAsciiDriver, flagColumn } from "./define-ascii.js";
import type { AsciiStateDef } from "./types.js";
import { WORK_STATE } from "./types.js";

const ERROR_LETTERS: Array<[letter: string, state: string, description: string]> = [
  ["E", "error-e", "Error letter E (meaning unconfirmed)"],
  ["U", "telemetry-fault", "Telemetry fault input from a connected logger"],
  ["M", "maintenance", "Maintenance: the BAM was in setup/maintenance during the hour"],
  ["I", "interface-error", "Interface error inside the instrument"],
  ["L", "error-l", "Error letter L (meaning unconfirmed)"],
  ["R", "reference-error", "Reference membrane check failed"],
  ["N", "nozzle-error", "Nozzle did not seal/move"],
  ["F", "flow-error", "Sample flow out of range"],
  ["P", "power-failure", "Power failure during the hour"],
  ["D", "deviant-density", "Deviant membrane density"],
  ["C", "count-error", "Beta counts out of range"],
  ["T", "tape-error", "Filter tape broken or out"],
];

/** The error columns follow the 10 data columns (Time … AT). */
const states: AsciiStateDef[] = ERROR_LETTERS.map(([letter, state, description], i) =>
  flagColumn({ column: letter, index: 10 + i, state, flag: letter === "M" ? "M" : "D", description }),
);

export default defineAsciiDriver({
  id: "metone-bam1020",
  version: 1,
  models: ["BAM-1020"],
  description: "Met One BAM-1020 beta-attenuation PM2.5/PM10 monitor, RS-232 ASCII last-record report (confidence L-M)",
  serial: { baud: 9600, parity: "none", dataBits: 8, stopBits: 1 },
  request: "4\r\n",
  lineEnd: "\r\n",
  separator: ",",
  headerStart: "Time",
  fields: [
    column({ channel: "conc", column: "Conc", index: 1, scale: 1000, unit: "µg/m³", code: "a34004",
      description: "PM concentration, last hour (reported in mg/m3)", sim: { base: 35, amplitude: 15, period_s: 3600, noise: 2 } }),
    column({ channel: "qtot", column: "Qtot", index: 2, unit: "m³", description: "Air volume sampled in the hour",
      sim: { base: 0.701, noise: 0.001 } }),
    column({ channel: "ws", column: "WS", index: 4, unit: "m/s", description: "Wind speed (met sensor option)", sim: { base: 2, noise: 0.3 } }),
    column({ channel: "wd", column: "WD", index: 5, unit: "°", description: "Wind direction (met sensor option)", sim: { base: 180, noise: 20 } }),
    column({ channel: "bp", column: "BP", index: 6, unit: "mmHg", description: "Barometric pressure", sim: { base: 760, noise: 0.5 } }),
    column({ channel: "rh", column: "RH", index: 7, unit: "%", description: "Relative humidity", sim: { base: 45, noise: 1 } }),
    column({ channel: "at", column: "AT", index: 9, unit: "°C", description: "Ambient temperature", sim: { base: 21, amplitude: 4, period_s: 86400, noise: 0.1 } }),
  ],
  states,
  working: { normal: WORK_STATE.running, states: { "power-failure": WORK_STATE.powerFault } },
});
