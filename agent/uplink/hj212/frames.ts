// Cuts a TCP byte stream into HJ 212 frames (`##` … `\r\n`). TCP keeps no message boundaries:
// one read may hold several frames, one frame may take several reads, and real links carry vendor
// heartbeats and line noise between frames. The reader only delimits; decodeFrame judges, so a
// frame with a wrong declared length (e.g. characters counted instead of bytes) is still handed
// over whole and its quirk named there. It never throws and never holds more than `maxBuffer` bytes.

export interface FrameReaderStats {
  /** Frames returned. */
  frames: number;
  /** Bytes skipped because they were outside any frame (noise, vendor heartbeats). */
  garbageBytes: number;
  /** Partial frames discarded (cut off by the next `##`, too long to be a frame, or over the buffer cap). */
  dropped: number;
  droppedBytes: number;
}

export interface FrameReaderOptions {
  /** Most bytes kept between pushes; default 64 KiB. */
  maxBuffer?: number;
}

const CR = 0x0d;
const LF = 0x0a;
const HASH = 0x23;
// `##` + 4-digit length + at most 9999 bytes + CRC + CRLF: nothing longer can be one frame.
const MAX_FRAME_BYTES = 2 + 4 + 9999 + 4 + 2;
const DEFAULT_MAX_BUFFER = 64 * 1024;

function isDigit(b: number | undefined): boolean {
  return b !== undefined && b >= 0x30 && b <= 0x39;
}

/**
 * Index of the next `##` that is followed by 4 digits, or by fewer than 4 bytes so far (it may
 * still become a frame start); -1 if none.
 */
function findStart(b: Buffer, from: number): number {
  for (let i = b.indexOf("##", from); i >= 0; i = b.indexOf("##", i + 1)) {
    let ok = true;
    for (let k = i + 2; k < Math.min(i + 6, b.length); k++) if (!isDigit(b[k])) ok = false;
    if (ok) return i;
  }
  return -1;
}

export class FrameReader {
  readonly stats: FrameReaderStats = { frames: 0, garbageBytes: 0, dropped: 0, droppedBytes: 0 };
  private buf: Buffer = Buffer.alloc(0);
  private readonly maxBuffer: number;

  constructor(opts: FrameReaderOptions = {}) {
    this.maxBuffer = opts.maxBuffer ?? DEFAULT_MAX_BUFFER;
  }

  /** Bytes held back waiting for the rest of a frame. */
  get pending(): number {
    return this.buf.length;
  }

  /** Adds one read's bytes; returns every frame completed by it, CRLF included. */
  push(chunk: Uint8Array): Buffer[] {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.buf = this.buf.length ? Buffer.concat([this.buf, bytes]) : bytes;
    const frames: Buffer[] = [];
    for (let frame = this.next(); frame; frame = this.next()) frames.push(frame);
    if (this.buf.length > this.maxBuffer) this.drop(this.buf.length);
    // Keep our own copy: the caller may reuse its chunk buffer, and a small remainder should not
    // pin a large chunk in memory.
    this.buf = Buffer.from(this.buf);
    return frames;
  }

  /**
   * Hands over whatever is held as a last frame (a sender that omits CRLF, at connection close or
   * after an idle gap), or counts it as garbage if it cannot be one.
   */
  flush(): Buffer[] {
    const rest = this.buf;
    this.buf = Buffer.alloc(0);
    if (rest.length >= 10 && findStart(rest, 0) === 0) {
      this.stats.frames++;
      return [rest];
    }
    this.stats.garbageBytes += rest.length;
    return [];
  }

  private drop(n: number): void {
    this.stats.dropped++;
    this.stats.droppedBytes += n;
    this.buf = this.buf.subarray(n);
  }

  private take(n: number): Buffer {
    const frame = Buffer.from(this.buf.subarray(0, n));
    this.buf = this.buf.subarray(n);
    this.stats.frames++;
    return frame;
  }

  /** The next complete frame in the buffer, or undefined when more bytes are needed. */
  private next(): Buffer | undefined {
    for (;;) {
      const b = this.buf;
      const start = findStart(b, 0);
      if (start < 0) {
        // A trailing `#` may be the first half of the next `##`.
        const keep = b.length && b[b.length - 1] === HASH ? 1 : 0;
        this.stats.garbageBytes += b.length - keep;
        this.buf = b.subarray(b.length - keep);
        return undefined;
      }
      if (start > 0) {
        this.stats.garbageBytes += start;
        this.buf = b.subarray(start);
        continue;
      }
      if (b.length < 6) return undefined;

      // A frame ends at its first CRLF, whatever its declared length says: no field may contain
      // CR or LF, a wrong length (characters counted instead of bytes) is common, and this way the
      // result does not depend on how TCP cut the stream. Unless another frame starts first.
      const crlf = b.indexOf("\r\n", 6);
      const nextStart = findStart(b, 2);
      if (crlf >= 0 && (nextStart < 0 || crlf < nextStart)) return this.take(crlf + 2);
      if (nextStart >= 0) {
        // A sender without CRLF: the next frame starts exactly where the declared length ends this one.
        const byLength = 6 + Number(b.toString("latin1", 2, 6)) + 4;
        if (nextStart === byLength) return this.take(byLength);
        this.drop(nextStart);
        continue;
      }
      if (b.length > MAX_FRAME_BYTES) {
        // No terminator within the longest possible frame: this `##` was not a frame start.
        this.drop(2);
        continue;
      }
      return undefined;
    }
  }
}
