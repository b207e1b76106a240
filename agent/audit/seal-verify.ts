// `audit verify` with or without the verification key. One pass over the audit log recomputes its
// chain from the first entry without trusting a stored hash, replays the ledger of the
// intervention tables, and compares the result with every seal a given key authenticates: the
// first epoch whose seal no longer matches is where history was rewritten (an entry edited,
// inserted, deleted or reordered, even with all hashes recomputed; a protected row changed; the
// log or the readings cut short). Without a key only the chains' own consistency can be checked,
// which cannot rule out a rewrite by whoever had the disk: the verdict says so.
import type { Db } from "../store/db.js";
import { entryHash, type AuditVerdict } from "./log.js";
import { GENESIS_HASH } from "./hash.js";
import { currentRows, describeFinding, LedgerReplay } from "./ledger.js";
import { evolveKey, keyId, macEqual, sealMac, tablesDigest } from "./seal.js";
import type { SealKeyState } from "./seal-key.js";
import { hasSealTable, sealRecordOf, type SealRow } from "./sealer.js";

export interface Problem {
  /** The seal whose content no longer matches (null: after the last seal, or no seal involved). */
  seal: { keyId: string; epoch: number; ts: number } | null;
  what: string;
}

export interface SealVerdict {
  status: "intact" | "tampered" | "unchecked";
  entries: number;
  seals: number;
  sealsChecked: number;
  /** The audit log's own chain, as `verifyAudit` reports it (recomputed in the same pass). */
  chain: AuditVerdict;
  firstTampered: Problem | null;
  problems: Problem[];
  notes: string[];
}

interface EntryRow {
  id: number;
  ts: number;
  actor: string;
  action: string;
  reason: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

export interface VerifyOptions {
  keys: readonly Buffer[];
  /** The station's key file: its state, null when absent, "unreadable" when it cannot be read. */
  keyFile: SealKeyState | null | "unreadable";
}

const MAX_PROBLEMS = 50;

export function verifySealed(db: Db, opts: VerifyOptions): SealVerdict {
  const problems: Problem[] = [];
  const notes: string[] = [];
  const add = (seal: SealRow | null, what: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push({ seal: seal && { keyId: seal.key_id, epoch: seal.epoch, ts: seal.ts }, what });
  };
  const seals = hasSealTable(db) ? (db.prepare("SELECT * FROM audit_seals ORDER BY id").all() as SealRow[]) : [];
  const keys = new Map(opts.keys.map((k) => [keyId(k), k]));

  // 1. The seals themselves: each MAC under its epoch's key, epochs contiguous, each linked to the one before.
  const authentic: SealRow[] = [];
  const current = new Map<string, { epoch: number; key: Buffer }>();
  const unknownKeys = new Set<string>();
  let _mac: string;
  seals.forEach((s, i) => {
    if (s.prev_mac !== (i === 0 ? "" : seals[i - 1].mac)) add(s, "this seal does not follow the one before it (a seal was removed, inserted or reordered)");
    const k0 = keys.get(s.key_id);
    if (!k0) return void unknownKeys.add(s.key_id);
    let c = current.get(s.key_id) ?? { epoch: 0, key: k0 };
    if (s.epoch < c.epoch) return add(s, `epoch ${s.epoch} comes after epoch ${c.epoch - 1}: seals reordered`);
    if (s.epoch > c.epoch) add(s, `the seals of epochs ${c.epoch}–${s.epoch - 1} are missing (history cut out)`);
    while (c.epoch < s.epoch) c = { epoch: c.epoch + 1, key: evolveKey(c.key) };
    let payload;
    try {
      ({ mac: _mac, ...payload } = sealRecordOf(s));
    } catch {
      return add(s, "the seal's table digests are unreadable");
    }
    if (!macEqual(sealMac(c.key, payload), s.mac)) add(s, "the seal's MAC does not match its content under this epoch's key (the seal was forged or altered)");
    else authentic.push(s);
    current.set(s.key_id, { epoch: c.epoch + 1, key: evolveKey(c.key) });
  });
  if (unknownKeys.size) notes.push(`seals made with key${unknownKeys.size > 1 ? "s" : ""} ${[...unknownKeys].join(", ")} could not be checked: give ${unknownKeys.size > 1 ? "those keys" : "that key"} with --verification-key`);
  for (const [id, k0] of keys) if (!seals.some((s) => s.key_id === id)) notes.push(`no seal in this database was made with key ${id}`), void k0;

  // 2. One pass over the audit log: chain recomputed, ledger replayed, sealed heads compared.
  const byHead = [...authentic].sort((a, b) => (a.audit_id ?? 0) - (b.audit_id ?? 0));
  let next = 0;
  while (next < byHead.length && byHead[next].audit_id === null) next++;
  const replay = new LedgerReplay();
  let computed = GENESIS_HASH;
  let expectId = 1;
  let entries = 0;
  let chain: AuditVerdict | null = null;
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'").get();
  const checkSealsAt = (id: number, hash: string) => {
    while (next < byHead.length && byHead[next].audit_id! <= id) {
      const s = byHead[next++];
      if (s.audit_id! < id) add(s, `audit entry ${s.audit_id} was sealed and is gone (entries were deleted or renumbered)`);
      else if (s.audit_hash !== hash) add(s, `the audit log up to entry ${id} is not what was sealed (an entry up to it was edited, inserted, deleted or reordered)`);
      else if (JSON.stringify(Object.fromEntries(Object.entries(replay.tableDigests()).sort())) !== JSON.stringify(sortedTables(s.tables)))
        add(s, "the intervention tables' digests sealed here do not match what the audit log records of them (a row was written without its audit entry)");
    }
  };
  if (exists)
    for (const r of db.prepare("SELECT * FROM audit_log ORDER BY id").iterate() as IterableIterator<EntryRow>) {
      entries++;
      const h = entryHash(computed, r);
      if (!chain && (r.id !== expectId || r.prev_hash !== computed || h !== r.hash)) {
        const reason =
          r.id !== expectId ? `entry ${expectId} is missing (the next entry is ${r.id})` : r.prev_hash !== computed ? "its prev_hash is not the hash of the entry before it" : "its content does not match its hash (the row was changed)";
        chain = { ok: false, brokenAt: r.id, reason, entries: 0 };
        add(null, `audit entry ${r.id}: ${reason}`);
      }
      computed = h;
      expectId = r.id + 1;
      if (r.details.includes('"_rows"')) replay.add(r.id, JSON.parse(r.details) as Record<string, unknown>);
      checkSealsAt(r.id, computed);
    }
  for (; next < byHead.length; next++) add(byHead[next], `audit entries up to ${byHead[next].audit_id} were sealed, the log ends at ${expectId - 1} (history cut off)`);

  // 3. The readings chain: each sealed head link must still hold the sealed hash.
  const links = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'reading_chain'").get()
    ? (db.prepare("SELECT MIN(id) AS lo, MAX(id) AS hi FROM reading_chain").get() as { lo: number | null; hi: number | null })
    : { lo: null, hi: null };
  const linkHash = links.lo === null ? null : db.prepare("SELECT hash FROM reading_chain WHERE id = ?");
  for (const s of authentic) {
    if (s.readings_id === null) continue;
    if (links.hi === null || s.readings_id > links.hi) add(s, `readings up to batch ${s.readings_id} were sealed, the chain ends at ${links.hi ?? "nothing"} (readings cut off)`);
    else if (s.readings_id >= links.lo!) {
      const h = (linkHash!.get(s.readings_id) as { hash: string } | undefined)?.hash;
      if (h !== s.readings_hash) add(s, `the readings chain up to batch ${s.readings_id} is not what was sealed (readings changed and the chain recomputed)`);
    }
  }

  // 4. The intervention tables now, against the ledger.
  const lastSealed = (entry: number | null): SealRow | null => byHead.find((s) => entry !== null && s.audit_id! >= entry) ?? null;
  for (const f of replay.compare(currentRows(db))) add(f.problem === "unrecorded" ? null : lastSealed(f.entry), describeFinding(f));

  // 5. History cut off after the last seal: the key file knows which epoch comes next.
  checkKeyFile(opts, seals, keys, add, notes);

  const ordered = problems.map((p, i) => ({ p, i, at: p.seal ? seals.findIndex((s) => s.key_id === p.seal!.keyId && s.epoch === p.seal!.epoch) : Infinity }));
  ordered.sort((a, b) => a.at - b.at || a.i - b.i);
  const firstTampered = ordered[0]?.p ?? null;
  const last = seals[seals.length - 1];
  if (last && (last.audit_id ?? 0) < expectId - 1) notes.push(`${expectId - 1 - (last.audit_id ?? 0)} entries after the last seal (epoch ${last.epoch}) are not sealed yet`);
  const checkedAll = keys.size > 0 && unknownKeys.size === 0 && authentic.length > 0 && opts.keyFile !== "unreadable" && opts.keyFile !== null;
  if (!keys.size) notes.push("without the verification key the chains can only be checked for consistency: that cannot rule out a rewrite with every hash recomputed");
  return {
    status: problems.length ? "tampered" : checkedAll ? "intact" : "unchecked",
    entries, seals: seals.length, sealsChecked: authentic.length, chain: chain ? { ...chain, entries } : { ok: true, entries }, firstTampered, problems: ordered.map((o) => o.p), notes,
  };
}

const sortedTables = (json: string) => Object.fromEntries(Object.entries(JSON.parse(json) as Record<string, string>).sort());

function checkKeyFile(opts: VerifyOptions, seals: SealRow[], keys: Map<string, Buffer>, add: (s: SealRow | null, what: string) => void, notes: string[]): void {
  const kf = opts.keyFile;
  const last = seals[seals.length - 1];
  if (kf === "unreadable") return void notes.push("the station's key file cannot be read here (run as the service user or root): whether seals after the last one were cut off is not checked");
  if (kf === null) {
    if (last) notes.push(`the station's key file is not beside the database: seals after epoch ${last.epoch} may have been cut off`);
    return;
  }
  const k0 = keys.get(kf.keyId);
  if (!k0) return;
  let k = k0;
  for (let i = 0; i < kf.epoch; i++) k = evolveKey(k);
  if (!k.equals(kf.key)) return add(null, `the key file does not hold this station's key for epoch ${kf.epoch} (it was replaced)`);
  const mine = seals.filter((s) => s.key_id === kf.keyId);
  const lastEpoch = mine.length ? mine[mine.length - 1].epoch : -1;
  if (kf.epoch > lastEpoch + 1) add(mine[mine.length - 1] ?? null, `the key is at epoch ${kf.epoch} but the last seal is epoch ${lastEpoch}: the seals of epochs ${lastEpoch + 1}–${kf.epoch - 1} and what they covered were cut off`);
  if (last && last.key_id !== kf.keyId) add(last, `the last seal was made with key ${last.key_id}, the station's key is ${kf.keyId}`);
}

/** The digest a seal's tables JSON stands for (for the export). */
export function sealTablesDigest(json: string): string {
  return tablesDigest(JSON.parse(json) as Record<string, string>);
}
