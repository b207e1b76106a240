// `station-agent hj212 decode <FRAME>`: what a technician runs on a frame copied from a platform
// log or a packet capture, to see its fields and exactly what is wrong with it.
import type { Command } from "commander";
import { decodeFrame, encodeFrame, Hj212FrameError, Hj212SegmentError } from "../uplink/hj212/codec.js";
import { Hj212CpError, parseCp } from "../uplink/hj212/cp.js";
import { decryptFrame, Sm4FrameError } from "../uplink/hj212/sm4-frame.js";

/** Frame text as given: `-` reads stdin. A line's trailing LF is not part of the frame, but CRLF is. */
export function frameArgument(arg: string, stdin: () => string): string {
  let text = arg === "-" ? stdin() : arg;
  // A shell cannot easily pass a real CR LF, so the typed escape `\r\n` at the end stands for it.
  if (text.endsWith("\\r\\n")) text = text.slice(0, -4) + "\r\n";
  if (text.endsWith("\n") && !text.endsWith("\r\n")) text = text.slice(0, -1);
  return text;
}

export type DecodeResult =
  | { ok: true; header: Record<string, unknown>; cp: Record<string, string>; quirks: string[] }
  | { ok: false; reason: string; quirk: string | null };

/** The JSON the command prints; pure, so tests need not spawn a process. */
export function decodeForCli(frame: string, tolerant: boolean, sm4Key?: Buffer): DecodeResult {
  try {
    // An HJ 212-2025 frame with a {0x…} CP is decrypted first when a key is given (sm4-frame.ts).
    const plain = sm4Key ? decryptFrame(Buffer.from(frame, "utf8"), [sm4Key])?.frame : undefined;
    const decoded = decodeFrame(plain ?? frame, { tolerant });
    const cp = Object.fromEntries(parseCp(decoded.cp).fields);
    return { ok: true, header: { ...decoded.header }, cp, quirks: decoded.quirks };
  } catch (err) {
    if (err instanceof Hj212FrameError) return { ok: false, reason: err.reason, quirk: err.quirk ?? null };
    if (err instanceof Hj212CpError) return { ok: false, reason: err.message, quirk: null };
    if (err instanceof Sm4FrameError) return { ok: false, reason: err.reason, quirk: null };
    throw err;
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export function registerHj212(program: Command): void {
  const hj212 = program.command("hj212").description("HJ 212 frame tools");

  hj212
    .command("decode")
    .description("decode one HJ 212 frame and print its fields as JSON (exit 1 if it is broken)")
    .argument("<frame>", "the frame, `-` for stdin; a trailing literal \\r\\n stands for CR LF")
    .option("--tolerant", "accept the deviations real senders make, and list them as quirks")
    .option("--sm4-key <key>", "HJ 212-2025: decrypt a {0x…} CP with this key (16 characters, or hex: + 32 hex digits)")
    .action(async (arg: string, opts: { tolerant?: boolean; sm4Key?: string }) => {
      const stdinText = arg === "-" ? await readStdin() : "";
      const { parseSm4Key } = await import("../uplink/hj212/sm4.js");
      let key: Buffer | undefined;
      try {
        key = opts.sm4Key === undefined ? undefined : parseSm4Key(opts.sm4Key);
      } catch (err) {
        process.stderr.write(`--sm4-key: ${(err as Error).message}\n`);
        process.exitCode = 64;
        return;
      }
      const result = decodeForCli(frameArgument(arg, () => stdinText), opts.tolerant ?? false, key);
      process.stdout.write(JSON.stringify(result, null, 2) + "\n");
      // exitCode rather than exit(): stdout may be a pipe that has not drained yet.
      if (!result.ok) process.exitCode = 1;
    });

  hj212
    .command("encode")
    .description("wrap a data segment (QN=…;ST=…;…;CP=&&…&&) into a frame with length and CRC")
    .argument("<segment>", "the data segment, `-` for stdin")
    .action(async (arg: string) => {
      const text = arg === "-" ? (await readStdin()).replace(/\r?\n$/, "") : arg;
      try {
        process.stdout.write(encodeFrame(text));
      } catch (err) {
        if (!(err instanceof Hj212SegmentError)) throw err;
        process.stderr.write(`${err.message}\n`);
        process.exitCode = 1;
      }
    });
}
