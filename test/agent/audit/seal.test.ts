// Forward-secure sealing on a real database file: every tampering an attacker with the disk and
// this project's own hash functions could do, checked with the verification key (the first
// tampered epoch is named) and without it (the chains alone cannot rule it out).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { verifyAudit } from "../../../agent/audit/log.js";
import { verifyReadings } from "../../../agent/audit/readings-chain.js";
import { evolveKey, formatVerificationKey, keyAtEpoch, parseVerificationKey, sealMac } from "../../../agent/audit/seal.js";
import { advanceKeyFile, readKeyFile, sealKeyPath } from "../../../agent/audit/seal-key.js";
import { parseSealText, sealOfCp } from "../../../agent/audit/seal-packet.js";
import { sealRecordOf, type SealRow } from "../../../agent/audit/sealer.js";
import { tempDir } from "../../helpers/station.js";
import { dropTriggers, recomputeAuditChain, recomputeReadingChain, sealedStation, verify, type Station } from "./seal-helpers.js";

function withStation(fn: (st: Station) => void, opts?: { keyed?: boolean }): void {
  const { dir, cleanup } = tempDir();
  const st = sealedStation(dir, opts);
  try {
    fn(st);
  } finally {
    st.db.close();
    cleanup();
  }
}

test("key evolution is one-way and deterministic; the printed key round-trips and rejects typos", () => {
  const k0 = randomBytes(32);
  assert.deepEqual(keyAtEpoch(k0, 3), evolveKey(evolveKey(evolveKey(k0))));
  assert.notDeepEqual(evolveKey(k0), k0);
  const printed = formatVerificationKey(k0);
  assert.match(printed, /^([0-9a-f]{8}-){8}[0-9a-f]{8}$/);
  assert.deepEqual(parseVerificationKey(printed.toUpperCase().replace(/-/g, " ")), k0);
  const typo = (printed[0] === "a" ? "b" : "a") + printed.slice(1);
  assert.throws(() => parseVerificationKey(typo), /checksum/);
  assert.throws(() => parseVerificationKey("12"), /not a verification key/);
});

test("an untouched sealed station verifies intact with its key; every epoch sealed and sent out", () => {
  withStation((st) => {
    const v = verify(st);
    assert.equal(v.status, "intact", JSON.stringify(v));
    assert.equal(v.seals, 3);
    assert.equal(v.sealsChecked, 3);
    assert.equal(v.entries, 8);
    // Each seal went to the platform as a 3020 whose text carries the whole seal: the centre can check its MAC.
    const cps = (st.db.prepare("SELECT cp FROM outbox WHERE cn = '3020' ORDER BY id").all() as { cp: string }[]).map((r) => r.cp);
    assert.equal(cps.length, 3);
    assert.ok(cps.every((cp) => !/PolId/.test(cp) && /i21001-Info=\/\/audit seal .*\/\/$/.test(cp) && !/[,&]/.test(cp.split("i21001-Info=")[1])));
    const rows = st.db.prepare("SELECT * FROM audit_seals ORDER BY id").all() as SealRow[];
    rows.forEach((r, i) => {
      const sent = sealOfCp(cps[i])!;
      assert.deepEqual(sent, sealRecordOf(r));
      const { mac, ...payload } = sent;
      assert.equal(sealMac(keyAtEpoch(st.k0, r.epoch), payload), mac, "the centre recomputes the epoch key from the verification key");
    });
    assert.deepEqual(rows.map((r) => r.kind), ["start", "interval", "stop"]);
    assert.equal(parseSealText("//audit seal nonsense//"), null);
  });
});

test("after each seal the key file holds only the next epoch's key; the old one is overwritten", () => {
  withStation((st) => {
    const path = sealKeyPath(st.path);
    const k = readKeyFile(path)!;
    assert.equal(k.epoch, 3);
    assert.deepEqual(k.key, keyAtEpoch(st.k0, 3));
    const bytes = readFileSync(path);
    for (let e = 0; e < 3; e++) assert.equal(bytes.includes(keyAtEpoch(st.k0, e).toString("hex")), false, `key of epoch ${e} is gone`);
    const mode = statSync(path).mode & 0o777;
    assert.equal(mode, 0o600);
  });
});

const chainTamperings: { name: string; sql: string; epoch: number }[] = [
  { name: "an entry's actor and reason changed", sql: "UPDATE audit_log SET actor = 'nobody', reason = 'routine' WHERE id = 3", epoch: 1 },
  { name: "an entry deleted and the rest renumbered", sql: "DELETE FROM audit_log WHERE id = 4", epoch: 1 },
  { name: "an entry inserted", sql: `UPDATE audit_log SET id = id + 100 WHERE id > 5; UPDATE audit_log SET id = id - 99 WHERE id > 100;
        INSERT INTO audit_log (id, ts, actor, action, reason, details, prev_hash, hash) VALUES (6, 1, 'bob', 'calibration.result', NULL, '{}', '', '')`, epoch: 2 },
  { name: "two entries reordered", sql: "UPDATE audit_log SET id = 100 WHERE id = 1; UPDATE audit_log SET id = 1 WHERE id = 2; UPDATE audit_log SET id = 2 WHERE id = 100", epoch: 0 },
];

for (const t of chainTamperings) {
  test(`${t.name}, every hash recomputed: with the key the first tampered epoch is ${t.epoch}; without it only "cannot rule out"`, () => {
    withStation((st) => {
      dropTriggers(st.db);
      st.db.exec(t.sql);
      recomputeAuditChain(st.db);
      assert.equal(verifyAudit(st.db).ok, true, "the plain chain is fooled");
      const v = verify(st);
      assert.equal(v.status, "tampered", JSON.stringify(v));
      assert.equal(v.firstTampered?.seal?.epoch, t.epoch, JSON.stringify(v.firstTampered));
      const blind = verify(st, []);
      assert.notEqual(blind.status, "intact");
      assert.ok(blind.notes.some((n) => /cannot rule out/.test(n)));
    });
  });
}

test("history cut off: sealed entries deleted at the tail", () => {
  withStation((st) => {
    dropTriggers(st.db);
    st.db.exec("DELETE FROM audit_log WHERE id > 5");
    const v = verify(st);
    assert.equal(v.status, "tampered");
    assert.equal(v.firstTampered?.seal?.epoch, 2);
    assert.match(v.firstTampered!.what, /history cut off/);
  });
});

test("history cut off: the last seals and what they covered deleted (the key file knows the next epoch)", () => {
  withStation((st) => {
    dropTriggers(st.db);
    st.db.exec("DELETE FROM audit_seals WHERE epoch >= 1; DELETE FROM audit_log WHERE id > 2");
    const v = verify(st);
    assert.equal(v.status, "tampered", JSON.stringify(v));
    assert.ok(v.problems.some((p) => /epochs 1–2 .*cut off/.test(p.what)), JSON.stringify(v.problems));
  });
});

test("a seal forged to match recomputed content fails its MAC; a seal removed from the middle breaks the links", () => {
  withStation((st) => {
    dropTriggers(st.db);
    st.db.exec("UPDATE audit_log SET reason = 'nothing happened' WHERE id = 3");
    recomputeAuditChain(st.db);
    const head = st.db.prepare("SELECT hash FROM audit_log WHERE id = 5").get() as { hash: string };
    st.db.prepare("UPDATE audit_seals SET audit_hash = ? WHERE epoch = 1").run(head.hash);
    const v = verify(st);
    assert.equal(v.firstTampered?.seal?.epoch, 1);
    assert.match(v.firstTampered!.what, /MAC/);
  });
  withStation((st) => {
    dropTriggers(st.db);
    st.db.exec("DELETE FROM audit_seals WHERE epoch = 1");
    const v = verify(st);
    assert.equal(v.status, "tampered");
    assert.ok(v.problems.some((p) => /missing|does not follow/.test(p.what)));
  });
});

test("readings changed and their chain recomputed: the plain chain is fooled, the seal is not", () => {
  withStation((st) => {
    dropTriggers(st.db);
    st.db.exec("UPDATE readings SET value = 99 WHERE id = 7");
    recomputeReadingChain(st.db);
    assert.equal(verifyReadings(st.db).ok, true);
    const v = verify(st);
    assert.equal(v.status, "tampered");
    assert.equal(v.firstTampered?.seal?.epoch, 1);
    assert.match(v.firstTampered!.what, /readings chain/);
  });
});

test("a maintenance window deleted or altered in the QC tables shows, with and without the key", () => {
  for (const sql of ["DELETE FROM qc_windows WHERE id = 1", "UPDATE qc_windows SET to_ts = from_ts + 3600000 WHERE id = 1", "INSERT INTO qc_windows (kind, analyzer, channel, from_ts, to_ts, flag, reason, actor, created_at) VALUES ('manual', 'o3', NULL, 0, 1, 'F', 'x', 'x', 0)"]) {
    withStation((st) => {
      st.db.exec(sql);
      const v = verify(st);
      assert.equal(v.status, "tampered", sql);
      assert.match(v.firstTampered!.what, /qc_windows row/);
      if (!sql.startsWith("INSERT")) assert.equal(v.firstTampered?.seal?.epoch, 1, "sealed in the epoch of maintenance off");
      assert.equal(verify(st, []).status, "tampered", "the ledger shows it without the key too");
    });
  }
});

test("the key file replaced or rewound is noticed; a wrong (well-formed) key cannot check", () => {
  withStation((st) => {
    const path = sealKeyPath(st.path);
    const k = readKeyFile(path)!;
    advanceKeyFile(path, { ...k, key: randomBytes(32) }, k.epoch + 1);
    assert.equal(verify(st).status, "tampered");
    assert.equal(verify(st, [randomBytes(32)]).status, "unchecked");
  });
});

test("an unsealed station runs; verify cannot confirm it", () => {
  withStation((st) => {
    assert.equal(st.sealer.sealed, false);
    const v = verify(st);
    assert.equal(v.seals, 0);
    assert.equal(v.status, "unchecked");
  }, { keyed: false });
});
