// `station-agent audit keygen` and `station-agent audit export`: the station's first sealing key
// (its verification key printed once, for the centre), and the trail as JSON lines for the centre.
import type { Command } from "commander";
import { randomBytes } from "node:crypto";
import { chownSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { AuditLog, osActor } from "../audit/log.js";
import { formatVerificationKey, keyId, parseVerificationKey } from "../audit/seal.js";
import { createKeyFile, eraseKeyFile, readKeyFile, sealKeyPath } from "../audit/seal-key.js";
import { hasSealTable, sealRecordOf, type SealRow } from "../audit/sealer.js";
import { callControl, controlSocketPath } from "../control/socket.js";
import { openDb } from "../store/db.js";
import { parseCliTime } from "../time.js";
import { configPath, loadConfigOrExit } from "./common.js";
import { exitOnKnownError, serviceRunning } from "./service.js";

/** Keys from --verification-key (repeatable) and --verification-key-file; exits 2 on a malformed one. */
export function verificationKeys(opts: { verificationKey?: string[]; verificationKeyFile?: string[] }): Buffer[] {
  const texts = [...(opts.verificationKey ?? [])];
  try {
    for (const f of opts.verificationKeyFile ?? []) texts.push(readFileSync(f, "utf8"));
    return texts.map(parseVerificationKey);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
}

export const collect = (v: string, prev: string[] = []) => [...prev, v];

/** A QR code of the key in the terminal (qrcode-terminal: no dependencies); nothing where it is missing. */
function printQr(text: string): void {
  try {
    const qr = createRequire(import.meta.url)("qrcode-terminal") as { generate(t: string, o: { small: boolean }, cb: (s: string) => void): void };
    qr.generate(text, { small: true }, (s) => process.stdout.write(s + "\n"));
  } catch {
    process.stdout.write("(no QR code: the qrcode-terminal package is not installed)\n");
  }
}

export function registerAuditSeal(audit: Command): void {
  audit
    .command("keygen")
    .description("create the station's first sealing key and print, once, the verification key for the monitoring centre")
    .option("-c, --config <file>", "station config file")
    .option("--force", "replace an existing key (its successor is erased; seals from now on need the new verification key)")
    .option("--no-qr", "no QR code")
    .action(async (opts: { config?: string; force?: boolean; qr: boolean }) => {
      const { config } = loadConfigOrExit(configPath(opts.config));
      const path = sealKeyPath(config.storage.path);
      let old: string | null = null;
      try {
        old = readKeyFile(path)?.keyId ?? null;
        if (old && !opts.force) {
          process.stderr.write(`this station already has a sealing key (${old}, ${path}); --force replaces it\n`);
          process.exit(1);
        }
        if (old && (await serviceRunning(config))) {
          process.stderr.write("the service is running and seals with the current key: stop it before replacing the key\n");
          process.exit(1);
        }
        if (old) eraseKeyFile(path);
        const k0 = randomBytes(32);
        createKeyFile(path, k0);
        // Run as root (sudo): the key belongs to the service user, who owns the state directory.
        if (process.getuid?.() === 0) {
          const d = statSync(dirname(path));
          chownSync(path, d.uid, d.gid);
        }
        const db = openDb(config.storage.path);
        new AuditLog(db).append({ actor: osActor(), action: "audit.keygen", details: { keyId: keyId(k0), replaced: old } });
        db.close();
        const vk = formatVerificationKey(k0);
        k0.fill(0);
        process.stdout.write(
          [
            `sealing key ${keyId(parseVerificationKey(vk))} created in ${path}${old ? ` (replacing ${old})` : ""}`,
            "",
            "VERIFICATION KEY: give it to the monitoring centre now and keep it OFF the station.",
            "It is shown this once; with it anyone can check (and forge) the seals, so it must not stay here.",
            "",
            `    ${vk}`,
            "",
          ].join("\n") + "\n",
        );
        if (opts.qr) printQr(vk);
        if (await serviceRunning(config)) {
          await callControl(controlSocketPath(config.storage.path), "audit-seal-start", {}).catch(() => undefined);
          process.stdout.write("the running service now seals with it\n");
        } else process.stdout.write("the service seals with it from its next start\n");
      } catch (err) {
        const e = err as Error & { sealKeyError?: boolean };
        if (e.sealKeyError) {
          process.stderr.write(`${e.message}\n`);
          process.exit(1);
        }
        exitOnKnownError(err);
      }
    });

  audit
    .command("export")
    .description("audit entries and seals as JSON lines (one object per line, type entry|seal), for the centre")
    .option("-c, --config <file>", "station config file")
    .option("--from <time>", "from this station local time (YYYY-MM-DDTHH:MM)")
    .option("--to <time>", "before this station local time")
    .action((opts: { config?: string; from?: string; to?: string }) => {
      const { config } = loadConfigOrExit(configPath(opts.config));
      const tz = config.station.timezone;
      try {
        const from = opts.from ? parseCliTime(opts.from, tz) : 0;
        const to = opts.to ? parseCliTime(opts.to, tz) : Number.MAX_SAFE_INTEGER;
        const db = openDb(config.storage.path, { readonly: true });
        try {
          exportLines(db, from, to, (line) => process.stdout.write(line + "\n"));
        } finally {
          db.close();
        }
      } catch (err) {
        exitOnKnownError(err);
      }
    });
}

/** Writes entries then seals of from ≤ ts < to, oldest first, each one JSON object on a line. */
export function exportLines(db: ReturnType<typeof openDb>, from: number, to: number, write: (line: string) => void): number {
  let n = 0;
  if (db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'audit_log'").get())
    for (const r of db.prepare("SELECT * FROM audit_log WHERE ts >= ? AND ts < ? ORDER BY id").iterate(from, to) as IterableIterator<Record<string, unknown>>) {
      write(JSON.stringify({ type: "entry", id: r.id, ts: r.ts, actor: r.actor, action: r.action, reason: r.reason, details: JSON.parse(r.details as string), prevHash: r.prev_hash, hash: r.hash }));
      n++;
    }
  if (hasSealTable(db))
    for (const r of db.prepare("SELECT * FROM audit_seals WHERE ts >= ? AND ts < ? ORDER BY id").iterate(from, to) as IterableIterator<SealRow>) {
      write(JSON.stringify({ type: "seal", ...sealRecordOf(r), tableDigests: JSON.parse(r.tables) }));
      n++;
    }
  return n;
}
