// What an MQTT platform receives (pure): the topic of a packet and its payload, either the same
// JSON as http-json or the HJ 212 frame itself.
import type { MqttPlatformConfig } from "../../config/schema.js";
import type { Packet } from "../types.js";
import { encodeFrame, flagBits, MAX_SEGMENT_BYTES } from "./hj212/codec.js";
import { splitIntoPackets } from "./hj212/split.js";
import { jsonPacket, KIND } from "./http-json.js";
import { sealOfCp } from "../audit/seal-packet.js";

/** The topic kind of a packet: as http-json names it; a 3020 is an audit seal (audit/seal-packet.ts) or an alarm (alarms/notify.ts). */
export function mqttKind(cn: string, cp: string): string {
  if (cn === "3020") return sealOfCp(cp) ? "audit-seal" : "alarm";
  return KIND[cn] ?? `cn${cn}`;
}

/** `{prefix}/{mn}/{kind}`, or `{prefix}/{mn}/state` for the retained online/offline state. */
export function mqttTopic(prefix: string, mn: string, kind: string): string {
  return `${prefix.replace(/\/+$/, "")}/${mn}/${kind}`;
}

export type PayloadOptions = Pick<MqttPlatformConfig, "payload" | "st" | "pw" | "hj212_version"> & {
  mn: string;
  station: { mn: string; name: string };
  tz: string;
};

/**
 * The message body of a packet. An HJ 212 frame is published whole, with Flag A unset: the PUBACK
 * is the acknowledgement, no 9014 comes back over MQTT. The 1024-byte limit of a data segment
 * (HJ 212-2025 §8.1.2) is kept on TCP; a message carries a whole frame up to what the 4-digit
 * length field can declare (9999 bytes), and only beyond that is the packet split into PNUM
 * frames, all in one message.
 */
export function mqttPayload(p: Packet, o: PayloadOptions): string {
  if (o.payload === "json") return JSON.stringify(jsonPacket(p, o.station, o.tz));
  const header = { qn: p.qn, st: o.st!, cn: p.cn, pw: o.pw!, mn: o.mn, flag: flagBits(o.hj212_version, { ack: false }) };
  const items = p.cp.split(";");
  // DataTime opens every part, as on TCP, so a platform can file each part on its own.
  const repeat = items[0]?.startsWith("DataTime=") ? [items.shift()!] : [];
  return splitIntoPackets(header, items, MAX_SEGMENT_BYTES, repeat).map((s) => encodeFrame(s)).join("");
}
