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

/**
 * Cost linear in what arrives: bytes are appended to a growing buffer (amortised, never the whole
 * buffer copied per read), the frame being read is a window into it, and the search for its CRLF
 * and for the next `##` resumes where the previous read left it. A stream of `##0001…` without
 * CRLF, or a frame trickling in a byte at a time, never makes a read rescan what came before.
 */
export class FrameReader {
  readonly stats: FrameReaderStats = { frames: 0, garbageBytes: 0, dropped: 0, droppedBytes: 0 };
  private store: Buffer = Buffer.alloc(0);
  private head = 0;
  private tail = 0;
  /** Absolute index: no CRLF starts in [head + 6, crlfFrom) (or the CRLF found there). */
  private crlfFrom = 0;
  /** Absolute index: no frame start in [head + 2, startFrom) (or the candidate found there). */
  private startFrom = 0;
  private readonly maxBuffer: number;

  constructor(opts: FrameReaderOptions = {}) {
    this.maxBuffer = opts.maxBuffer ?? DEFAULT_MAX_BUFFER;
  }

  /** Bytes held back waiting for the rest of a frame. */
  get pending(): number {
    return this.tail - this.head;
  }

  /** Adds one read's bytes; returns every frame completed by it, CRLF included. */
  push(chunk: Uint8Array): Buffer[] {
    this.append(chunk);
    const frames: Buffer[] = [];
    for (let frame = this.next(); frame; frame = this.next()) frames.push(frame);
    if (this.pending > this.maxBuffer) this.drop(this.pending);
    return frames;
  }

  /**
   * Hands over whatever is held as a last frame (a sender that omits CRLF, at connection close or
   * after an idle gap), or counts it as garbage if it cannot be one.
   */
  flush(): Buffer[] {
    const rest = Buffer.from(this.view());
    this.head = this.tail = 0;
    this.store = Buffer.alloc(0);
    if (rest.length >= 10 && findStart(rest, 0) === 0) {
      this.stats.frames++;
      return [rest];
    }
    this.stats.garbageBytes += rest.length;
    return [];
  }

  private view(): Buffer {
    return this.store.subarray(this.head, this.tail);
  }

  /** Appends without copying what is held more than once on average (capacity doubles; the read part is reclaimed). */
  private append(chunk: Uint8Array): void {
    const n = chunk.byteLength;
    if (this.tail + n > this.store.length) {
      const live = this.tail - this.head;
      const size = Math.max(4096, 2 * (live + n));
      const next = size <= this.store.length ? this.store : Buffer.allocUnsafe(size);
      this.store.copy(next, 0, this.head, this.tail);
      this.crlfFrom -= this.head;
      this.startFrom -= this.head;
      this.store = next;
      this.head = 0;
      this.tail = live;
    }
    this.store.set(chunk, this.tail);
    this.tail += n;
  }

  private advance(n: number): void {
    this.head += n;
    if (this.head === this.tail) this.head = this.tail = this.crlfFrom = this.startFrom = 0;
  }

  private drop(n: number): void {
    this.stats.dropped++;
    this.stats.droppedBytes += n;
    this.advance(n);
  }

  private take(n: number): Buffer {
    const frame = Buffer.from(this.store.subarray(this.head, this.head + n));
    this.advance(n);
    this.stats.frames++;
    return frame;
  }

  /** The next complete frame in the buffer, or undefined when more bytes are needed. */
  private next(): Buffer | undefined {
    for (;;) {
      const b = this.view();
      const start = findStart(b, 0);
      if (start < 0) {
        // A trailing `#` may be the first half of the next `##`.
        const keep = b.length && b[b.length - 1] === HASH ? 1 : 0;
        this.stats.garbageBytes += b.length - keep;
        this.advance(b.length - keep);
        return undefined;
      }
      if (start > 0) {
        this.stats.garbageBytes += start;
        this.advance(start);
        continue;
      }
      if (b.length < 6) return undefined;

      // A frame ends at its first CRLF, whatever its declared length says: no field may contain
      // CR or LF, a wrong length (characters counted instead of bytes) is common, and this way the
      // result does not depend on how TCP cut the stream. Unless another frame starts first.
      const crlf = b.indexOf("\r\n", Math.max(6, this.crlfFrom - this.head));
      this.crlfFrom = crlf >= 0 ? this.head + crlf : Math.max(this.head + 6, this.tail - 1);
      const nextStart = findStart(b, Math.max(2, this.startFrom - this.head));
      this.startFrom = nextStart >= 0 ? this.head + nextStart : Math.max(this.head + 2, this.tail - 5);
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
