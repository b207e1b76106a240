// What an HJ 212 session is given (session.ts). Generic in the session type, so the handlers'
// signatures can name PlatformSession without this file importing it.
import type { EventBus } from "../events.js";
import type { Logger } from "../log.js";
import type { DecodedFrame } from "./hj212/codec.js";
import type { Sm4KeyStore } from "./keys.js";
import type { Outbox } from "./outbox.js";

export interface SessionDepsOf<Session> {
  outbox: Outbox;
  events: EventBus;
  log: Logger;
  stationMn: string;
  /** Handles a platform request (anything but a 9014). */
  onRequest?: (frame: DecodedFrame, session: Session) => void;
  /** A frame whose only fault is its CRC (the segment is readable): answered with QnRtn=9. */
  onBadCrc?: (segment: string, session: Session) => void;
  /** SM4 keys a platform sent with 1014 (HJ 212-2025); without it only the configured key is used. */
  keyStore?: Sm4KeyStore;
  /** Any other frame that cannot be read: counted and summarised by the handler, not logged per frame. */
  onBadFrame?: (reason: string, session: Session) => void;
}
