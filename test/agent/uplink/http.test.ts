// The HTTP(S) JSON uplink against a real local HTTP server (node:http) that fails on purpose:
// every packet arrives acknowledged exactly once, in outbox order; refusals are retried less
// often; the token never reaches a log line or `config show`.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { httpPlatformSchema, configSchema } from "../../../config/schema.js";
import { redactConfig } from "../../../config/redact.js";
import { EventBus } from "../../../agent/events.js";
import { openDb } from "../../../agent/store/db.js";
import { HttpUplink } from "../../../agent/uplink/http.js";
import { cpValues, isoLocal, type JsonPacket } from "../../../agent/uplink/http-json.js";
import { Outbox } from "../../../agent/uplink/outbox.js";
import { Agent } from "../../../agent/main.js";
import { createLogger, silentLogger } from "../../../agent/log.js";
import { startSimulation } from "../../../drivers/simulate.js";
import { demoLikeConfig, freePort, MN, tempDir, waitFor } from "../../helpers/station.js";

const TOKEN = "Tk-9f2c-very-secret";

interface Got {
  body: JsonPacket;
  headers: http.IncomingHttpHeaders;
}

/** A receiver whose answer to each request is chosen by `status(n)` (n counts requests from 1). */
async function server(status: (n: number) => number) {
  const acked: Got[] = [];
  let requests = 0;
  const srv = http.createServer((req, res) => {
    let text = "";
    req.on("data", (c) => (text += c));
    req.on("end", () => {
      const code = status(++requests);
      if (code >= 200 && code < 300) acked.push({ body: JSON.parse(text) as JsonPacket, headers: req.headers });
      res.writeHead(code, { "content-type": "text/plain" }).end(code < 300 ? "ok" : `no: ${TOKEN.slice(0, 3)}`);
    });
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/ingest`,
    acked,
    requests: () => requests,
    setStatus: (f: (n: number) => number) => (status = f),
    close: () => new Promise<void>((r) => { srv.closeAllConnections(); srv.close(() => r()); }),
  };
}

function station(n: number) {
  const { dir, cleanup } = tempDir();
  const db = openDb(join(dir, "s.db"));
  const outbox = new Outbox(db, "Asia/Shanghai");
  const t0 = Date.UTC(2026, 0, 1, 0, 0); // 08:00 Beijing
  outbox.enqueue(Array.from({ length: n }, (_, i) => ({
    platform: "ops", cn: "2051", dataTime: t0 + i * 60_000, ackRequired: true,
    cp: `DataTime=20260101${String(8 + Math.floor(i / 60)).padStart(2, "0")}${String(i % 60).padStart(2, "0")}00;a05024-Min=1,a05024-Avg=${i}.5,a05024-Max=9,a05024-Flag=N;a34004-Avg=12,a34004-Flag=D`,
  })));
  const lines: string[] = [];
  const log = createLogger({ level: "debug", write: (l) => lines.push(l) });
  return { db, outbox, lines, log, close: () => { db.close(); cleanup(); } };
}

const uplink = (s: ReturnType<typeof station>, url: string, extra: Record<string, unknown> = {}) =>
  new HttpUplink(httpPlatformSchema.parse({ id: "ops", protocol: "http-json", url, token: TOKEN, headers: { "X-Station": "demo" }, retry_max_s: 0.02, timeout_s: 2, ...extra }), {
    outbox: s.outbox, events: new EventBus(), log: s.log, station: { mn: MN, name: "Test station" }, tz: "Asia/Shanghai",
  });

test("CP values become JSON values: numbers stay numbers, flags stay text", () => {
  assert.deepEqual(cpValues("DataTime=20260101080000;a05024-Min=1,a05024-Avg=2.5,a05024-Flag=N;LA-Rtd=55;w01018-SampleTime=20260101070000"), [
    { code: "a05024", min: 1, avg: 2.5, flag: "N" },
    { code: "LA", rtd: 55 },
    { code: "w01018", sampleTime: "20260101070000" },
  ]);
  assert.equal(isoLocal(Date.UTC(2026, 0, 1, 0, 0), "Asia/Shanghai"), "2026-01-01T08:00:00+08:00");
});

test("a receiver that answers 500 to every third POST gets every packet once acknowledged, in order", async () => {
  const srv = await server((n) => (n % 3 === 0 ? 500 : 200));
  const s = station(60);
  const up = uplink(s, srv.url);
  try {
    up.start();
    await waitFor(() => srv.acked.length >= 60, 15_000, "60 packets acknowledged");
    await up.stop();
    assert.equal(srv.acked.length, 60);
    assert.deepEqual(srv.acked.map((g) => g.body.values[0].avg), Array.from({ length: 60 }, (_, i) => i + 0.5), "in outbox order, each once");
    assert.equal(new Set(srv.acked.map((g) => g.body.qn)).size, 60);
    assert.ok(srv.requests() >= 89, `the 500s were retried (${srv.requests()} requests)`);
    assert.equal(s.outbox.backlog("ops").pending, 0, "every packet recorded as delivered");

    const first = srv.acked[0];
    assert.deepEqual(first.body, {
      station: { mn: MN, name: "Test station" }, qn: first.body.qn, cn: "2051", dataTime: "2026-01-01T08:00:00+08:00", kind: "minute",
      values: [{ code: "a05024", min: 1, avg: 0.5, max: 9, flag: "N" }, { code: "a34004", avg: 12, flag: "D" }],
    });
    assert.equal(first.headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(first.headers["x-station"], "demo");
    assert.equal(up.state().retransmits, srv.requests() - 60);
    assert.ok(!s.lines.join("\n").includes(TOKEN), "the token is never logged");
    assert.ok(s.lines.some((l) => /HTTP 500/.test(l)), "the failure is logged by status");
  } finally {
    await up.stop();
    await srv.close();
    s.close();
  }
});

test("a 4xx refusal is logged and retried ten times less often; 429 and a dead server are retried as usual", async () => {
  const srv = await server(() => 401);
  const s = station(3);
  const up = uplink(s, srv.url, { retry_max_s: 0.05 });
  try {
    up.start();
    await new Promise((r) => setTimeout(r, 1500));
    const refused = srv.requests();
    // 0.5 s capped at 0.05 s, ×10 for a refusal: about one try every 0.5 s.
    assert.ok(refused >= 2 && refused <= 5, `${refused} tries in 1.5 s`);
    assert.equal(up.connected, false);
    assert.match(s.lines.join("\n"), /refused packet \d{17}: HTTP 401 Unauthorized/);

    srv.setStatus((n) => (n % 2 ? 429 : 200));
    const before = srv.requests();
    await waitFor(() => srv.acked.length === 3, 5000, "delivered once accepted");
    assert.ok(srv.requests() - before >= 5, "429s in between were retried");
    assert.equal(up.connected, true);
    assert.ok(!s.lines.join("\n").includes(TOKEN));
  } finally {
    await up.stop();
    await srv.close();
    s.close();
  }

  // Nobody listening: the packet stays pending, nothing is lost, stop() returns promptly.
  const s2 = station(1);
  const dead = uplink(s2, "http://127.0.0.1:9/ingest");
  dead.start();
  await waitFor(() => dead.state().retransmits >= 2, 5000, "retries against a closed port");
  await dead.stop();
  assert.equal(s2.outbox.backlog("ops").pending, 1);
  assert.match(dead.state().lastError ?? "", /ECONNREFUSED/);
  s2.close();
});

test("config: url required for http-json, host/port then refused; config show hides token, headers, URL credentials", () => {
  const base = { station: { name: "T", mn: MN }, storage: { path: "s.db" } };
  const bad = configSchema.safeParse({ ...base, platforms: [{ id: "ops", protocol: "http-json", host: "h" }] });
  assert.ok(!bad.success);
  assert.deepEqual(bad.error.issues.map((i) => i.path.join(".")).sort(), ["platforms.0", "platforms.0.url"]);
  const cfg = configSchema.parse({
    ...base,
    platforms: [
      { id: "city", host: "h", port: 1, st: 22, pw: "Pw-1" },
      { id: "ops", protocol: "http-json", url: `https://user:Url-pw@ops.example.com/in?key=${TOKEN}`, token: TOKEN, headers: { "X-Api-Key": "Hdr-secret" } },
    ],
  });
  const shown = JSON.stringify(redactConfig(cfg));
  for (const secret of [TOKEN, "Url-pw", "Hdr-secret", "Pw-1"]) assert.ok(!shown.includes(secret), secret);
  assert.match(shown, /ops\.example\.com\/in/);
});

test("the agent feeds an http-json platform from the same outbox as its HJ 212 ones", { timeout: 30_000 }, async () => {
  const srv = await server(() => 200);
  const { dir, cleanup } = tempDir();
  const loaded = demoLikeConfig({ dir, simPort: await freePort(), platformPort: await freePort(), interval_s: 0.3, realtime_s: 1 });
  loaded.config.platforms.push(httpPlatformSchema.parse({ id: "ops", protocol: "http-json", url: srv.url, token: TOKEN, uploads: ["realtime"], realtime_interval_s: 1 }));
  // The value as the instrument sends it (ppb): this test is about the uplink, not the default ppb → µg/m³.
  loaded.config.analyzers[0].channels = { o3: { enabled: true, scale: 1, offset: 0, convert: "none" } };
  const sim = await startSimulation(loaded.config, { seed: 1 });
  const agent = new Agent(loaded, { log: silentLogger, control: false });
  try {
    sim.analyzer("o3").set("o3", 42.25);
    await agent.start();
    await waitFor(() => srv.acked.some((g) => g.body.kind === "realtime" && g.body.values.some((v) => v.code === "a05024" && v.rtd === 42.25)), 10_000, "a realtime JSON packet");
    await waitFor(() => agent.status().platforms.find((p) => p.id === "ops")?.lastAckAt !== null, 3000, "the ack recorded");
    const ops = agent.status().platforms.find((p) => p.id === "ops")!;
    assert.equal(ops.host, srv.url);
    assert.equal(ops.connected, true);
  } finally {
    await agent.stop();
    await sim.stop();
    await srv.close();
    cleanup();
  }
});
