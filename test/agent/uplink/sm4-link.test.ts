// An HJ 212-2025 link with SM4 over real loopback sockets: what the platform sees on the wire, RF on
// re-sent data, requests that arrive encrypted (and ones that do not decrypt), and key rotation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { parseSm4Key, sm4Available } from "../../../agent/uplink/hj212/sm4.js";
import { Sm4KeyStore } from "../../../agent/uplink/keys.js";
import { waitFor } from "../../helpers/station.js";
import { KEY, linkHarness } from "./link-harness.js";

const skip = sm4Available() ? false : "this Node's OpenSSL has no sm4-ecb";
const rtn = (cps: string[], key: string) => cps.flatMap((c) => [...c.matchAll(new RegExp(`${key}=(\\d+)`, "g"))].map((m) => Number(m[1])));
// At least one 16-byte block, so the request is encrypted (shorter content stays plain).
const RANGE = "BeginTime=20260101080000;EndTime=20260101090000";
const minute = (i: number) => ({ platform: "city", cn: "2051", dataTime: i, cp: `DataTime=20260101${String(800 + i).padStart(4, "0")}00;a05024-Avg=${i}.5,a05024-Flag=N`, ackRequired: true });

test("backlog goes out encrypted with RF=1, live data encrypted without RF; the platform decrypts both and acks", { skip }, async () => {
  const h = await linkHarness({ platform: { sm4_key: KEY }, receiver: { sm4Key: parseSm4Key(KEY) } });
  try {
    h.outbox.enqueue([0, 1, 2, 3, 4].map(minute));
    await h.connect();
    await waitFor(() => h.outbox.backlog("city").pending === 0, 5000, "backlog acknowledged");
    const [live] = h.outbox.enqueue([minute(5)]);
    h.session.kick();
    await waitFor(() => h.outbox.backlog("city").pending === 0, 5000, "live packet acknowledged");
    const byQn = new Map(h.receiver.received.map((p) => [p.frame.header.qn, p]));
    const got = [...byQn.values()].filter((p) => p.frame.header.cn === "2051");
    assert.equal(got.length, 6);
    for (const p of got) {
      assert.equal(p.frame.header.flag, 9, "version 2, answer requested");
      assert.equal(p.frame.header.rf, p.frame.header.qn === live.qn ? undefined : 1, `RF of ${p.fields["a05024-Avg"]}`);
    }
    assert.deepEqual(got.map((p) => p.fields["a05024-Avg"]).sort(), ["0.5", "1.5", "2.5", "3.5", "4.5", "5.5"]);
    // Every frame that came, retransmissions included (a loaded machine misses a 0.3 s ack), came encrypted.
    assert.equal(h.receiver.stats.encrypted, h.receiver.received.filter((p) => p.frame.header.cn === "2051").length);
    const wire = h.receiver.encryptedSegments.join("\n");
    assert.ok(!wire.includes("a05024-Avg"), "no plaintext value on the wire");
    assert.match(wire, /;RF=1;CP=&&\{0x[0-9A-F]{2},/, "RF before CP, ciphertext in braces");
    assert.equal(h.session.state().link, "sm4");
  } finally {
    await h.close();
  }
});

test("a platform with another key decrypts nothing and acks nothing: every packet stays pending", { skip }, async () => {
  const h = await linkHarness({ platform: { sm4_key: KEY }, receiver: { sm4Key: parseSm4Key("1111111111111111") } });
  try {
    h.outbox.enqueue([0, 1, 2].map(minute));
    await h.connect();
    await waitFor(() => h.receiver.stats.badFrames >= 3, 5000, "frames refused by the platform");
    assert.equal(h.receiver.stats.acked, 0);
    assert.equal(h.outbox.backlog("city").pending, 3);
  } finally {
    await h.close();
  }
});

test("encrypted requests are decrypted and answered; one that does not decrypt gets QnRtn=100 and a log line", { skip }, async () => {
  const h = await linkHarness({ platform: { sm4_key: KEY }, receiver: { sm4Key: parseSm4Key(KEY) }, deps: { readingsBetween: () => [{ ts: Date.now(), code: "LA", value: 55.25, unit: "dB", flag: "N" }] } });
  try {
    await h.connect();
    const ok = await h.ask("2052", RANGE);
    assert.deepEqual(ok.cns, ["9011", "2052", "9012"]);
    assert.deepEqual(rtn(ok.cps, "ExeRtn"), [1]);
    assert.match(ok.cps[1], /LA-Data=55\.3/);
    h.receiver.setSm4Key(parseSm4Key("2222222222222222"));
    const bad = await h.ask("2052", RANGE, { until: (c) => c.includes("9011") });
    assert.deepEqual(bad.cns, ["9011"]);
    assert.deepEqual(rtn(bad.cps, "QnRtn"), [100]);
    assert.ok(h.logs.some((l) => /encrypted frame CN=2052 .*wrong key.*QnRtn=100/.test(l)), h.logs.join("\n"));
    assert.equal(h.session.state().undecryptable, 1);
    assert.equal(h.session.connected, true, "the link stays up");
  } finally {
    await h.close();
  }
});

test("1014: the new key is stored (0600, not in the audit), used from the next packet, survives a restart; the old key decrypts for 60 s", { skip }, async () => {
  let now = Date.now();
  const NEW = "abcdefghijklmnop";
  const h = await linkHarness({ platform: { sm4_key: KEY }, receiver: { sm4Key: parseSm4Key(KEY) }, now: () => now });
  try {
    await h.connect();
    const r = await h.ask("1014", `SKCreateTime=20260101080000;NewSK=${NEW}`);
    assert.deepEqual(rtn(r.cps, "QnRtn"), [1]);
    assert.deepEqual(rtn(r.cps, "ExeRtn"), [1]);
    const file = h.keyStore.path;
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.ok(readFileSync(file, "utf8").includes(Buffer.from(NEW).toString("hex")));
    const entry = h.audit.find((e) => e.action === "platform.sm4_key_set")!;
    assert.ok(entry, "audited");
    assert.ok(!JSON.stringify(h.audit).includes(NEW) && !h.logs.join("\n").includes(NEW), "the key is neither in the audit nor in the log");
    // The next data packet: the platform has switched to the new key and decrypts it.
    h.receiver.setSm4Key(parseSm4Key(NEW));
    h.outbox.enqueue([minute(7)]);
    h.session.kick();
    await waitFor(() => h.outbox.backlog("city").pending === 0, 5000, "packet under the new key acknowledged");
    // A request the platform sent with the old key just before it switched: still decrypted.
    h.receiver.setSm4Key(parseSm4Key(KEY));
    assert.deepEqual((await h.ask("2062", RANGE)).cns.at(-1), "9012");
    now += 61_000;
    assert.deepEqual(rtn((await h.ask("2062", RANGE, { until: (c) => c.includes("9011") })).cps, "QnRtn"), [100], "after 60 s the old key is gone");
    // A restart reads the stored key.
    const again = new Sm4KeyStore(file).load();
    assert.deepEqual(again.current("city", parseSm4Key(KEY)), Buffer.from(NEW));
  } finally {
    await h.close();
  }
});

test("1014 with a malformed key: ExeRtn=3, a log line, the current key kept and nothing stored", { skip }, async () => {
  const h = await linkHarness({ platform: { sm4_key: KEY }, receiver: { sm4Key: parseSm4Key(KEY) } });
  try {
    await h.connect();
    for (const cp of ["SKCreateTime=20260101080000;NewSK=short", "SKCreateTime=20260101080000", "NewSK=0123456789abcdef0"]) {
      const r = await h.ask("1014", cp);
      assert.deepEqual(rtn(r.cps, "ExeRtn"), [3], cp);
    }
    assert.equal(h.logs.filter((l) => /1014\) refused/.test(l)).length, 3);
    assert.deepEqual(h.keyStore.current("city", null), null, "nothing stored");
    h.outbox.enqueue([minute(1)]);
    h.session.kick();
    await waitFor(() => h.outbox.backlog("city").pending === 0, 5000, "still encrypting with the old key");
  } finally {
    await h.close();
  }
});
