// The station page: polls /api/status and /api/trend every 5 s (the trend is revalidated with its
// ETag, so most polls are a 304) and draws the trend plots as SVG here in the browser. Plain
// JavaScript, no library, no build step. Text from the agent always goes in through textContent.
"use strict";

const POLL_MS = 5000;
const SVG = "http://www.w3.org/2000/svg";
const $ = (id) => document.getElementById(id);
let tz = undefined;
let lastTrendTag = null;
let lastStatus = null;
let lastTrend = null;

function el(tag, attrs = {}, ...children) {
  const e = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  for (const c of children) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function age(s) {
  if (s === null || s === undefined) return "-";
  if (s < 90) return `${s} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}

function time(ms, withDate = false) {
  if (ms === null || ms === undefined) return "-";
  const opts = { timeZone: tz, hour: "2-digit", minute: "2-digit", hourCycle: "h23", ...(withDate ? { month: "2-digit", day: "2-digit" } : {}) };
  return new Intl.DateTimeFormat("en-GB", opts).format(new Date(ms));
}

const fmt = (v) => (v === null || v === undefined ? "-" : Number(v.toPrecision(5)).toString());
const key = (c) => `${c.analyzer}/${c.channel}`;

function renderHeader(s) {
  tz = s.station.timezone;
  document.title = `${s.station.name} — station agent`;
  $("station").textContent = s.station.name;
  $("service").textContent = `MN ${s.station.mn} · agent up ${age(s.service.uptimeS)} · pid ${s.service.pid} · Node ${s.service.node}`;
  const h = s.host;
  const items = [
    ["data disk free", h.diskFreePct === null ? "-" : `${h.diskFreePct} %`],
    ["database", h.dbBytes === null ? "-" : `${(h.dbBytes / 1048576).toFixed(1)} MB`],
    ["CPU temp", h.cpuTempC === null ? "-" : `${h.cpuTempC} °C`],
    ["memory used", `${h.memUsedPct} %`],
    ["load", `${h.loadPct} %`],
    ["host up", `${h.uptimeH} h`],
  ];
  $("host").replaceChildren(...items.map(([k, v]) => el("div", {}, el("dt", {}, k), el("dd", {}, v))));
}

function channelCard(a, c) {
  const card = el("article", { class: "card", "data-channel": key(c) });
  card.append(
    el("h3", {}, `${a.id} · ${c.channel}${c.code ? ` (${c.code})` : ""}`),
    el("div", {}, el("span", { class: "value" }, fmt(c.value)), el("span", { class: "unit" }, c.unit),
      " ", el("span", { class: `flag f-${c.flag ?? "none"}`, title: c.state ?? "no reading" }, c.flag ?? "–")),
    el("div", { class: "meta" }, c.ts === null ? "no reading yet" : `${c.state} · ${age(c.ageS)} ago · ${time(c.ts)}`),
    el("svg:svg", { class: "plot", "data-plot": key(c), viewBox: "0 0 600 110", preserveAspectRatio: "none", role: "img", "aria-label": `${key(c)} trend` }),
  );
  return card;
}

function renderChannels(s) {
  const cards = [];
  for (const a of s.analyzers) {
    const rate = a.errorRate === undefined ? "" : ` · comm errors ${(a.errorRate * 100).toFixed(1)} %`;
    for (const c of a.channels) {
      const card = channelCard(a, c);
      card.querySelector(".meta").append(rate);
      cards.push(card);
    }
  }
  $("channels").replaceChildren(...cards);
}

/** Consecutive minutes with the same non-N flag, as [first, count, flag]. */
function flaggedStretches(flags) {
  const out = [];
  for (let i = 0; i < flags.length; i++) {
    const f = flags[i];
    if (f === "N" || f === ".") continue;
    const last = out[out.length - 1];
    if (last && last[2] === f && last[0] + last[1] === i) last[1]++;
    else out.push([i, 1, f]);
  }
  return out;
}

function drawPlot(svg, series, from, stepMs) {
  const W = 600, H = 110, top = 6, bottom = 16, left = 34;
  const n = series.values.length;
  const vals = series.values.filter((v) => v !== null);
  svg.replaceChildren();
  svg.setAttribute("data-points", String(vals.length));
  const x = (i) => left + (i / Math.max(1, n - 1)) * (W - left - 2);
  for (const [i, len, f] of flaggedStretches(series.flags)) {
    svg.append(el("svg:rect", { class: `shade s-${f}`, "data-flag": f, x: x(i).toFixed(1), y: top, width: Math.max(1, x(i + len) - x(i)).toFixed(1), height: H - top - bottom }, el("svg:title", {}, `${len} min flagged ${f} from ${time(from + i * stepMs)}`)));
  }
  let lo = Math.min(...vals), hi = Math.max(...vals);
  if (!vals.length) { lo = 0; hi = 1; }
  if (hi === lo) { hi += 1; lo -= 1; }
  const y = (v) => top + (1 - (v - lo) / (hi - lo)) * (H - top - bottom);
  svg.append(el("svg:line", { class: "grid", x1: left, x2: W, y1: H - bottom, y2: H - bottom }), el("svg:line", { class: "grid", x1: left, x2: W, y1: top, y2: top }));
  svg.append(el("svg:text", { x: 2, y: top + 8 }, fmt(hi)), el("svg:text", { x: 2, y: H - bottom }, fmt(lo)));
  for (let q = 0; q <= 4; q++) {
    const i = Math.round((q / 4) * (n - 1));
    svg.append(el("svg:text", { x: Math.min(W - 30, x(i) - 12).toFixed(1), y: H - 3 }, time(from + i * stepMs)));
  }
  // One path with a move at every gap: no line is drawn across minutes without a value.
  let d = "", pen = false;
  series.values.forEach((v, i) => {
    if (v === null) { pen = false; return; }
    d += `${pen ? "L" : "M"}${x(i).toFixed(1)} ${y(v).toFixed(1)}`;
    pen = true;
  });
  if (vals.length === 1) d += "h2";
  if (d) svg.append(el("svg:path", { class: "line", d }));
  if (!vals.length) svg.append(el("svg:text", { x: W / 2 - 60, y: H / 2 }, "no minute values yet"));
}

function drawPlots(t) {
  const byKey = new Map(t.series.map((s) => [key(s), s]));
  $("hours").textContent = String(Math.round((t.points * t.stepS) / 3600));
  for (const svg of document.querySelectorAll("svg[data-plot]")) {
    const s = byKey.get(svg.getAttribute("data-plot"));
    if (s) drawPlot(svg, s, t.from, t.stepS * 1000);
  }
  document.body.setAttribute("data-plotted", String(byKey.size));
}

function renderPlatforms(s) {
  $("platforms").tBodies[0].replaceChildren(...s.platforms.map((p) => {
    const link = p.connected == null ? el("span", {}, "unknown") : p.connected ? el("span", { class: "up" }, "connected") : el("span", { class: "down" }, `down${p.lastError ? ` (${p.lastError})` : ""}`);
    return el("tr", { "data-platform": p.id }, el("td", {}, p.id), el("td", {}, p.port ? `${p.host}:${p.port}` : p.host), el("td", {}, link),
      el("td", {}, `${p.pending}${p.inFlight ? ` (${p.inFlight} in flight)` : ""}`), el("td", {}, time(p.oldestPendingTime, true)), el("td", {}, time(p.lastAckAt, true)));
  }));
}

function renderAlarms(s) {
  const items = s.alarms.map((a) => el("li", {}, el("strong", {}, `${a.kind} ${a.subject}`), `: ${a.message} (since ${time(a.raisedAt, true)}${a.count > 1 ? `, ${a.count}×` : ""})`));
  $("alarms").replaceChildren(...(items.length ? items : [el("li", { class: "none" }, "no alarm open")]));
}

function renderAudit(s) {
  $("audit").tBodies[0].replaceChildren(...s.audit.map((e) =>
    el("tr", {}, el("td", {}, time(e.ts, true)), el("td", {}, e.actor), el("td", {}, e.action), el("td", {}, e.reason ?? ""), el("td", { class: "details" }, e.details))));
}

async function getJson(path) {
  const r = await fetch(path, { credentials: "same-origin" });
  if (r.status === 401) { location.reload(); throw new Error("token required"); }
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return { etag: r.headers.get("etag"), json: await r.json() };
}

async function poll() {
  try {
    const [status, t] = await Promise.all([getJson("/api/status"), getJson("/api/trend")]);
    lastStatus = status.json;
    renderHeader(lastStatus);
    renderChannels(lastStatus);
    renderPlatforms(lastStatus);
    renderAlarms(lastStatus);
    renderAudit(lastStatus);
    if (t.etag !== lastTrendTag || !lastTrend) {
      lastTrend = t.json;
      lastTrendTag = t.etag;
    }
    drawPlots(lastTrend);
    $("error").hidden = true;
    $("updated").textContent = `last update ${time(lastStatus.generatedAt)}`;
  } catch (err) {
    $("error").hidden = false;
    $("error").textContent = `Cannot reach the agent: ${err.message}. Retrying every ${POLL_MS / 1000} s.`;
  } finally {
    document.body.setAttribute("data-ready", "1");
    setTimeout(poll, POLL_MS);
  }
}

poll();
