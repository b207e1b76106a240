// The local page over real HTTP against a running agent: what the JSON says, read-only, the token
// (query once → cookie, bearer, refused otherwise), ETag revalidation of the trend, and a port
// already in use (a clear error, the agent runs on).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { Agent } from "../../../agent/main.js";
import { WebServer } from "../../../agent/web/server.js";
import type { PageStatus } from "../../../agent/web/data.js";
import type { Trend } from "../../../agent/web/trend.js";
import { demoLikeConfig, freePort, tempDir, waitFor } from "../../helpers/station.js";
import { startWebStation, type WebStation } from "./fixture.js";

const TOKEN = "a-long-enough-page-token-0123";
let st: WebStation;
const warnings: string[] = [];
const log = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m), child: () => log };

before(async () => {
  st = await startWebStation({ token: TOKEN, log });
});
after(() => st?.stop());

const auth = { authorization: `Bearer ${TOKEN}` };

test("/api/status: station, host, every configured channel with value, unit, flag and age; platforms; alarms; audit", async () => {
  const r = await fetch(`${st.url}/api/status`, { headers: auth });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("cache-control"), "no-store");
  const s = (await r.json()) as PageStatus;
  assert.equal(s.station.name, "Test station");
  assert.ok(s.host.diskFreePct === null || (s.host.diskFreePct > 0 && s.host.diskFreePct <= 100));
  assert.ok(s.host.dbBytes! > 0);
  const channels = s.analyzers.flatMap((a) => a.channels.map((c) => `${c.analyzer}/${c.channel}`));
  assert.deepEqual(channels, st.channels);
  for (const c of ["o3/o3", "o3/sample_flow", "th/temperature", "th/humidity"]) assert.ok(channels.includes(c), c);
  const o3 = s.analyzers[0].channels[0];
  assert.equal(o3.unit, "ppb");
  assert.ok(o3.flag && o3.ageS !== null && o3.ageS >= 0, JSON.stringify(o3));
  assert.deepEqual(s.platforms.map((p) => p.id), ["local", "ops"]);
  assert.equal(typeof s.platforms[0].pending, "number");
  assert.ok(s.alarms.some((a) => a.kind === "comms-lost" && a.subject === "th"));
  assert.ok(s.audit.some((e) => e.action === "maintenance.on" && e.reason === "filter change"));
  assert.equal(s.audit[0].action, "maintenance.on", "newest first");
});

test("/api/trend: 24 h of minutes per channel, flagged minutes lettered, revalidated with its ETag", async () => {
  const r = await fetch(`${st.url}/api/trend`, { headers: { ...auth, "accept-encoding": "gzip" } });
  assert.equal(r.status, 200);
  const t = (await r.json()) as Trend;
  assert.equal(t.points, 1440);
  assert.deepEqual(t.series.map((s) => `${s.analyzer}/${s.channel}`), st.channels);
  for (const s of t.series) {
    assert.equal(s.values.length, 1440);
    assert.equal(s.flags.length, 1440);
    assert.ok(s.values.filter((v) => v !== null).length >= 150, `${s.channel}: minute values of the seeded 3 h`);
    assert.match(s.flags, /M{20}/, "the maintenance stretch");
    assert.match(s.flags, /[BH]{15}/, "the no-answer stretch");
  }
  let etag = r.headers.get("etag")!;
  assert.ok(etag);
  // The station runs on: a minute closing between two requests changes the trend, and its ETag
  // with it (a 200 with a new tag). Unchanged content must be answered 304.
  const statuses: number[] = [];
  for (let i = 0; i < 3 && statuses.at(-1) !== 304; i++) {
    const again = await fetch(`${st.url}/api/trend`, { headers: { ...auth, "if-none-match": etag } });
    statuses.push(again.status);
    if (again.status === 200) {
      assert.notEqual(again.headers.get("etag"), etag, "a 200 to a current ETag");
      etag = again.headers.get("etag")!;
      await again.arrayBuffer();
    }
  }
  assert.equal(statuses.at(-1), 304, `answers: ${statuses.join(", ")}`);
});

test("read-only: anything but GET and HEAD is refused", async () => {
  for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
    const r = await fetch(`${st.url}/api/status`, { method, headers: auth });
    assert.equal(r.status, 405, method);
    assert.equal(r.headers.get("allow"), "GET, HEAD");
  }
  const head = await fetch(`${st.url}/`, { method: "HEAD", headers: auth });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), "");
});

test("token: refused without it, wrong or not; accepted once in the URL then as a cookie, or as a bearer", async () => {
  assert.equal((await fetch(`${st.url}/api/status`)).status, 401);
  assert.equal((await fetch(`${st.url}/api/status`, { headers: { authorization: "Bearer wrong-token-of-some-length" } })).status, 401);
  const form = await fetch(`${st.url}/`);
  assert.equal(form.status, 401);
  assert.match(await form.text(), /<form method="get"/);
  assert.equal((await fetch(`${st.url}/style.css`)).status, 200, "the form's stylesheet is public");
  assert.equal((await fetch(`${st.url}/app.js`)).status, 401);
  assert.equal((await fetch(`${st.url}/?token=wrong-token-of-some-length`, { redirect: "manual" })).status, 401);

  const login = await fetch(`${st.url}/?token=${TOKEN}`, { redirect: "manual" });
  assert.equal(login.status, 303);
  assert.equal(login.headers.get("location"), "/");
  const cookie = login.headers.get("set-cookie")!;
  assert.match(cookie, /HttpOnly; SameSite=Strict/);
  const withCookie = await fetch(`${st.url}/api/status`, { headers: { cookie: cookie.split(";")[0] } });
  assert.equal(withCookie.status, 200);
  assert.ok(warnings.some((w) => /without a valid token/.test(w)), "refusals are logged");
  assert.ok(!warnings.some((w) => w.includes(TOKEN)), "the token is never logged");
});

test("security headers on every answer: no framing, no sniffing, only the agent's own scripts", async () => {
  const r = await fetch(`${st.url}/`, { headers: auth });
  assert.match(r.headers.get("content-security-policy")!, /default-src 'none'; script-src 'self'/);
  assert.equal(r.headers.get("x-frame-options"), "DENY");
  assert.equal(r.headers.get("x-content-type-options"), "nosniff");
  const html = await r.text();
  assert.doesNotMatch(html, /https?:\/\//, "nothing from another host (no CDN)");
});

test("a web port already in use: a clear error at start, the rest of the agent runs", async () => {
  const { dir, cleanup } = tempDir();
  const blocker = createServer();
  const port = await freePort();
  await new Promise<void>((r) => blocker.listen(port, "127.0.0.1", r));
  const loaded = demoLikeConfig({ dir, simPort: await freePort(), platformPort: await freePort() });
  loaded.config.web = { listen: `127.0.0.1:${port}`, trend_hours: 24, audit_entries: 20 };
  const errors: string[] = [];
  const l = { debug() {}, info() {}, warn() {}, error: (m: string) => errors.push(m), child: () => l };
  const agent = new Agent(loaded, { log: l, control: false });
  try {
    await agent.start();
    assert.ok(errors.some((e) => e === `web page: cannot listen on 127.0.0.1:${port}: the port is already in use (EADDRINUSE); the page is off, the rest of the agent runs`), errors.join("\n"));
    assert.equal(agent.web?.address, null);
    // The agent goes on: it polls (B readings from the absent simulator count) and stores.
    await waitFor(() => agent.readings.latest().length > 0, 8000, "readings stored while the page is off");
  } finally {
    await agent.stop();
    blocker.close();
    cleanup();
  }
});

test("off by default: no listener", async () => {
  const s = new WebServer({ listen: false, trend_hours: 24, audit_entries: 20 }, st.agent, log);
  await s.start();
  assert.equal(s.address, null);
  await s.stop();
});
