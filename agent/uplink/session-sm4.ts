// What a platform session does with SM4 and QNs, kept out of session.ts: segments encoded (and
// encrypted where HJ 212-2025 says so) for sending, received encrypted frames turned back into
// plaintext (QnRtn=100 for one that does not decrypt), and the QNs sent on the connection.
import type { PlatformConfig } from "../../config/schema.js";
import type { Logger } from "../log.js";
import { QN_RTN, qnRtn, type AnswerIdentity } from "./answers.js";
import { encodeFrame } from "./hj212/codec.js";
import { decryptFrame, encodeEncryptedFrame, isEncryptedCn, segmentCn, Sm4FrameError } from "./hj212/sm4-frame.js";
import type { Sm4KeyStore } from "./keys.js";
import { linkSecurity, PlatformCrypto, type LinkSecurity } from "./link-crypto.js";

export class LinkCodec {
  /** Encrypted frames that did not decrypt, on every connection. */
  undecryptable = 0;

  readonly crypto: PlatformCrypto;

  constructor(
    private readonly cfg: PlatformConfig,
    keyStore: Sm4KeyStore | undefined,
    private readonly log: Logger,
  ) {
    this.crypto = new PlatformCrypto(cfg, keyStore);
  }

  /** How the link is protected, for status: TLS on the socket, SM4 on CP, both, or plain. */
  link(): LinkSecurity {
    return linkSecurity(!!this.cfg.tls, this.crypto.encrypting);
  }

  /** A segment as sent: CP encrypted for CN 2000–2999, 1014 and 3020 when the platform has a key. */
  encode(segment: string): string | Buffer {
    const key = this.crypto.encrypting ? this.crypto.encryptKey() : null;
    if (!key || !isEncryptedCn(segmentCn(segment))) return encodeFrame(segment, this.cfg.crc);
    return encodeEncryptedFrame(segment, key, { crc: this.cfg.crc, lengthBasis: this.cfg.length_basis });
  }

  /**
   * The plaintext of a received frame (itself when not encrypted), or null when it does not decrypt:
   * then it is logged (the first ten, then every hundredth) and answered QnRtn=100 unless it is an answer.
   */
  decrypt(raw: Buffer, answer: (segment: string) => void, id: AnswerIdentity): Buffer | null {
    try {
      return decryptFrame(raw, this.crypto.decryptKeys())?.frame ?? raw;
    } catch (err) {
      if (!(err instanceof Sm4FrameError)) throw err;
      const n = ++this.undecryptable;
      const { qn, cn } = err.header;
      if (n <= 10 || n % 100 === 0) this.log.warn(`platform ${this.cfg.id}: encrypted frame CN=${cn ?? "?"} QN=${qn ?? "?"} dropped (${n} so far): ${err.reason}; answered QnRtn=100`);
      if (cn && !cn.startsWith("90")) answer(qnRtn(id, qn, QN_RTN.unknown));
      return null;
    }
  }
}

/**
 * QNs sent on one connection, to tell an ack for a packet we sent from a stray or forged one.
 * Bounded: the oldest are forgotten first. An ack that counts is for a packet in flight (at most
 * the window) or a late duplicate of one just acknowledged, so a few windows are enough; a bound
 * of 50,000 held every QN of a 30-day backlog drain in memory (~60 bytes each).
 */
export class SentQns {
  private readonly qns = new Set<string>();
  constructor(private readonly max = 4096) {}
  /** Four windows' worth, never fewer than 1024. */
  static forWindow(window: number): SentQns {
    return new SentQns(Math.max(1024, 4 * window));
  }
  add(qn: string): void {
    this.qns.add(qn);
    if (this.qns.size > this.max) this.qns.delete(this.qns.values().next().value!);
  }
  has(qn: string): boolean {
    return this.qns.has(qn);
  }
}
