// TLS to a platform over real sockets, with certificates made by openssl at test time: a verified
// link, mutual TLS, certificate errors named and retried, and with TLS off, acks that only count
// for QNs sent on that connection.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { buildSegment, encodeFrame } from "../../../agent/uplink/hj212/codec.js";
import { parseSm4Key, sm4Available } from "../../../agent/uplink/hj212/sm4.js";
import { makeTestCerts, type TestCerts } from "../../helpers/certs.js";
import { MN, tempDir, waitFor } from "../../helpers/station.js";
import { KEY, linkHarness, PW } from "./link-harness.js";

const certDir = tempDir("station-certs-");
const made = makeTestCerts(certDir.dir);
const skip = "skip" in made ? made.skip : false;
const certs = made as TestCerts;
process.on("exit", () => certDir.cleanup());

const minute = (i: number) => ({ platform: "city", cn: "2051", dataTime: i, cp: `DataTime=20260101080${i}00;a05024-Avg=${i},a05024-Flag=N`, ackRequired: true });
const serverTls = (ca?: string) => ({ cert: readFileSync(certs.serverCert), key: readFileSync(certs.serverKey), ca: ca ? readFileSync(ca) : undefined });

test("TLS: the station verifies the platform against its CA and the backlog drains; status says tls", { skip }, async () => {
  const h = await linkHarness({ receiver: { tls: serverTls() }, platform: { protocol: "hj212-2017", tls: { ca: certs.ca } } });
  try {
    h.outbox.enqueue([1, 2, 3].map(minute));
    await h.connect();
    await waitFor(() => h.outbox.backlog("city").pending === 0, 5000, "backlog over TLS");
    assert.equal(h.session.state().link, "tls");
    assert.equal(h.receiver.distinctQns(), 3);
  } finally {
    await h.close();
  }
});

test("mutual TLS with SM4: a station with its certificate gets in (tls+sm4); one without is refused, retried, loses nothing", { skip: skip || (!sm4Available() && "no sm4-ecb") }, async () => {
  const good = await linkHarness({
    receiver: { tls: serverTls(certs.ca), sm4Key: parseSm4Key(KEY) },
    platform: { sm4_key: KEY, tls: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey, servername: "localhost" } },
  });
  try {
    good.outbox.enqueue([1, 2].map(minute));
    await good.connect();
    await waitFor(() => good.outbox.backlog("city").pending === 0, 5000, "backlog over mutual TLS");
    assert.equal(good.session.state().link, "tls+sm4");
    assert.equal(good.receiver.stats.encrypted, good.receiver.received.filter((p) => p.frame.header.cn === "2051").length);
    assert.ok(good.receiver.stats.encrypted >= 2);
  } finally {
    await good.close();
  }
  const anon = await linkHarness({ receiver: { tls: serverTls(certs.ca) }, platform: { tls: { ca: certs.ca } } });
  try {
    anon.outbox.enqueue([1].map(minute));
    anon.session.start();
    await waitFor(() => anon.session.state().reconnects >= 2, 8000, "retried");
    assert.equal(anon.outbox.backlog("city").pending, 1, "nothing marked delivered");
    assert.ok(anon.receiver.stats.tlsErrors >= 1 || anon.receiver.stats.connections >= 1);
    assert.equal(anon.receiver.stats.packets, 0);
  } finally {
    await anon.close();
  }
});

test("a platform certificate from another CA: logged with the reason, retried with back-off, nothing sent", { skip }, async () => {
  const h = await linkHarness({ receiver: { tls: serverTls() }, platform: { tls: { ca: certs.otherCa } } });
  try {
    h.outbox.enqueue([minute(1)]);
    h.session.start();
    await waitFor(() => h.session.state().reconnects >= 2, 8000, "retried");
    assert.match(h.session.state().lastError ?? "", /certificate was rejected: (UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN)/);
    assert.equal(h.logs.filter((l) => /certificate was rejected/.test(l)).length, 1, "logged once, not at every retry");
    assert.equal(h.receiver.stats.packets, 0);
    assert.equal(h.outbox.backlog("city").pending, 1);
  } finally {
    await h.close();
  }
});

test("without TLS, a 9014 for a QN never sent on the connection is ignored and counted; the real ack counts", async () => {
  const h = await linkHarness({ receiver: { dropAckEvery: 1 }, platform: { protocol: "hj212-2017", window: 1, ack_timeout_s: 30 } });
  try {
    const [first, second] = h.outbox.enqueue([minute(1), minute(2)]);
    await h.connect();
    await waitFor(() => h.receiver.received.length >= 1, 3000, "first packet sent");
    const ack = (qn: string) => encodeFrame(buildSegment({ qn, st: "91", cn: "9014", pw: PW, mn: MN, flag: 4 }, ""));
    h.receiver.sendRaw(ack(second.qn));
    h.receiver.sendRaw(ack("20260101080000999"));
    await waitFor(() => h.session.state().unknownAcks === 2, 3000, "stray acks counted");
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(h.outbox.get("city", second.qn)!.ackedAt, null, "a packet not yet sent is not marked delivered");
    h.receiver.sendRaw(ack(first.qn));
    await waitFor(() => h.outbox.get("city", first.qn)!.ackedAt !== null, 3000, "the real ack");
    assert.equal(h.session.state().link, "plain");
  } finally {
    await h.close();
  }
});
