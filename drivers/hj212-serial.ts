// An analyzer that sends HJ 212 frames on RS-232/RS-485 by itself (many CEMS and water analyzers, and
// data loggers chained behind another logger). The agent only listens: each frame's CRC is checked,
// tolerant of the quirks real senders are known for (named by agent/uplink/hj212/codec.ts: a Modbus CRC,
// a byte-swapped Modbus CRC, lowercase hex, a length counting characters, a missing CR LF), and every
// `<code>-Rtd` becomes a reading with the frame's `<code>-Flag` (N when absent) and DataTime as its time.
// A frame that fails the CRC or cannot be parsed is counted and dropped; no frame during an analyzer's
// interval gives B readings, as silence does for any driver.
//
// Config: the serial line is an rtu bus the instrument has to itself (its frames carry no address).
// Channels are the codes it sends; `channels: {a21026: {code: a21026z}}` uploads one under another code,
// `{enabled: false}` drops it. `interval_s` should be at least the instrument's sending interval.
// `options.timezone` is the zone of its DataTime (default Asia/Shanghai).
import { defineHj212Driver } from "./families/hj212.js";

export default defineHj212Driver({
  id: "hj212-serial",
  version: 1,
  models: ["any analyzer sending HJ 212 (2005/2017/2025) on a serial line"],
  description: "Listens to an instrument that sends HJ 212 frames itself: each -Rtd with its own -Flag",
});
