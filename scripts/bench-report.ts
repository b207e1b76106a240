// The readable side of `npm run bench`: an SVG chart (every figure against its target, and our
// station against the same station on Node-RED) and the README's table of latest figures.
// A full run writes docs/bench.svg and rewrites the README between the bench markers; a --quick
// run (noisier, what CI runs) writes bench-results.svg next to bench-results.json and leaves the
// documented figures alone. `node --import tsx scripts/bench-report.ts` redraws from bench-results.json.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";

export interface ReportRow {
  name: string;
  value: number | null;
  unit: string;
  op: ">=" | "<=" | "info";
  target: number | null;
  met: boolean | null;
  note?: string;
}

const ROOT = join(import.meta.dirname, "..");
const README_BEGIN = "<!-- bench:begin (written by npm run bench) -->";
const README_END = "<!-- bench:end -->";

/** What each figure measures, for the README table. */
const DESCRIPTIONS: Record<string, string> = {
  "downlink-year-request-rss-growth": "One 2051 request for a year (a year of minute aggregates of 20 channels): peak RSS growth of the station process while it is answered",
  "downlink-year-request-loop-block": "The same request: longest event-loop block (every SQLite commit, fsync included, blocks it)",
  "downlink-year-request-live-delay": "The same request: worst delay of a live realtime packet queued every 200 ms during it",
  "downlink-year-request-packets": "The same request: packets queued (the max_request_packets cap), ExeRtn=2",
  "downlink-year-request-time": "The same request: time from the request to its 9012",
  "downlink-frame-reader-ns-per-byte": "Frame reader: cost per byte of a CRLF-less ##0001… stream read 7 bytes at a time",
  "downlink-frame-reader-scaling": "Frame reader: cost per byte at 4x the stream's size ÷ at 1x (linear: about 1)",
  "audit-seal-cost-cpu-per-seal": "audit-seal-cost: CPU of one seal (chain heads, intervention-table digests, MAC, key evolved and overwritten with fsync)",
  "audit-seal-cost": "audit-seal-cost: `audit verify --verification-key` over a year of a busy station's audit (1,000,000 entries, 35,040 seals)",
  "sqlite-ingest-agent-store": "Readings stored per second by the agent's store step (raw words, hash chain, QC, one transaction a batch)",
  "sqlite-ingest-bare-better-sqlite3": "The same rows as bare INSERTs (4 columns), for scale",
  "sqlite-ingest-overhead-ratio": "Agent store step ÷ bare inserts",
  "uplink-backlog-drain": "Backlog drained to a local HJ 212 platform, acked packets per second",
  "mqtt-drain-rate": "Backlog published to a local mosquitto at QoS 1, packets per second with their PUBACKs recorded",
  "uplink-window-drain-rate": "Backlog to a platform that acks 100 ms after each packet, with the default window",
  "uplink-window-drain-time-100k": "Time to drain 100,000 packets that way",
  "uplink-window-drain-time-30-days-minutes": "Time to drain 30 days of minute packets that way",
  "uplink-stop-and-wait-rate": "The same backlog sent stop-and-wait (window 1)",
  "uplink-stop-and-wait-drain-time-100k": "Stop-and-wait time for 100,000 packets",
  "uplink-window-speedup": "Window rate ÷ stop-and-wait rate",
  "uplink-live-delay-during-drain-max": "Worst delay of a live packet queued during the drain",
  "uplink-drain-rss-growth": "RSS growth after 20 % of the backlog drained",
  "uplink-drain-rss-trend": "RSS trend over the rest of the drain",
  "bus-rtu-cycle-physical-min": "6 T400s on 9600-baud RTU: the least a polling cycle can take on the wire",
  "bus-rtu-cycle-measured": "The same cycle as our poller runs it",
  "bus-rtu-cycle-vs-physical": "Measured cycle ÷ physical minimum",
  "bus-rtu-requests-per-cycle": "Requests per cycle on the wire (target: the exhaustive-search optimum)",
  "bus-rtu-readings-per-s": "Readings per second on that line",
  "bus-rtu-naive-readings-per-s": "A per-register poller on the same line",
  "bus-rtu-vs-naive-ratio": "Our readings/s ÷ the per-register poller's",
  "bus-rtu-dead-slave-neighbour-rate": "RTU line with one slave dead: poll rate the other five keep",
  "startup-to-first-reading": "Compiled agent, process start to first stored reading",
  "station-6x1s-cpu": "Full agent (poll, store, QC, aggregate, upload), 6 analyzers at 1 s over Modbus TCP: CPU",
  "station-6x1s-rss": "The same station: peak resident memory",
  "station-6x1s-readings": "The same station: readings stored per second",
  "station-dead-slave-neighbour-rate": "The same station with one analyzer silent: readings the other five keep",
  "nodered-startup-to-first-reading": "Node-RED + node-red-contrib-modbus, same station: start to first decoded value",
  "nodered-6x1s-cpu": "Node-RED, same station (reads and decodes only): CPU",
  "nodered-6x1s-rss": "Node-RED, same station: peak resident memory",
  "nodered-6x1s-readings": "Node-RED, same station: values decoded per second",
  "nodered-dead-slave-neighbour-rate": "Node-RED with one analyzer silent: values the other five keep",
  "station-vs-nodered-cpu-ratio": "Our station's CPU ÷ Node-RED's, both running at once on the same machine: median of 3 windows' ratios",
  "station-6x1s-cpu-median3": "Our station's CPU in those 3 windows (median)",
  "nodered-6x1s-cpu-median3": "Node-RED's CPU in the same 3 windows (median)",
  "outage-30d-drain-rss-peak": "30-day outage (43,200 minute packets for each of 2 platforms) drained by the compiled agent: peak RSS",
  "outage-30d-drain-rss-trend": "The same drain: RSS peak in its last third − in its first third (memory independent of the backlog left)",
  "outage-30d-drain-rate": "The same drain: acked packets per second",
  "uplink-sm4-drain-rate": "Backlog to an HJ 212-2025 platform that decrypts (SM4), as a share of the same drain in plaintext",
  "uplink-sm4-drain-packets": "The same drain with SM4: acked packets per second",
  "uplink-sm4-cpu-per-packet": "The same drain with SM4: the station's CPU per packet",
};

/** Our figure and Node-RED's on the same workload, in chart order. */
const SIDE_BY_SIDE = [
  { label: "CPU, % of one core", ours: "station-6x1s-cpu", theirs: "nodered-6x1s-cpu" },
  { label: "RSS, MB", ours: "station-6x1s-rss", theirs: "nodered-6x1s-rss" },
  { label: "Readings/s", ours: "station-6x1s-readings", theirs: "nodered-6x1s-readings" },
  { label: "Neighbours kept, one silent, %", ours: "station-dead-slave-neighbour-rate", theirs: "nodered-dead-slave-neighbour-rate" },
];

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const num = (v: number) => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString("en-US") : String(Math.round(v * 100) / 100));
const opText = (op: ReportRow["op"]) => (op === ">=" ? "≥" : op === "<=" ? "≤" : "");
const GREEN = "#2e7d32";
const RED = "#c62828";
const OURS = "#1565c0";
const THEIRS = "#ef6c00";

export function machine(): string {
  const cpu = cpus();
  return `${cpu[0]?.model.trim() ?? "unknown CPU"}, ${cpu.length} cores, Node ${process.version}`;
}

/** The chart: bars of value ÷ target (target line at 1, capped at 2.5), then ours vs Node-RED. */
export function renderSvg(rows: readonly ReportRow[], subtitle: string): string {
  const W = 1060;
  const labelW = 280;
  const barX = labelW + 10;
  const barW = 380;
  const cap = 2.5;
  const scaled = (ratio: number) => (Math.min(Math.max(ratio, 0), cap) / cap) * barW;
  const out: string[] = [];
  let y = 28;
  out.push(`<text x="10" y="${y}" font-size="18" font-weight="bold">station-agent benchmarks</text>`);
  y += 18;
  out.push(`<text x="10" y="${y}" font-size="11" fill="#555">${esc(subtitle)}</text>`);
  y += 30;
  out.push(`<text x="10" y="${y}" font-size="14" font-weight="bold">Each figure against its target</text>`);
  out.push(`<text x="${barX}" y="${y}" font-size="11" fill="#555">bar = value ÷ target; green met, red missed</text>`);
  y += 12;
  const targeted = rows.filter((r) => r.target !== null);
  const top = y;
  for (const r of targeted) {
    y += 22;
    out.push(`<text x="${labelW}" y="${y + 4}" font-size="12" text-anchor="end">${esc(r.name)}</text>`);
    if (r.value === null) {
      out.push(`<text x="${barX}" y="${y + 4}" font-size="12" fill="#777">${esc(r.note ?? "not measured")}</text>`);
      continue;
    }
    const w = scaled(r.target ? r.value / r.target : 0);
    out.push(`<rect x="${barX}" y="${y - 7}" width="${w.toFixed(1)}" height="14" fill="${r.met ? GREEN : RED}"/>`);
    const clipped = r.target && r.value / r.target > cap ? " »" : "";
    out.push(`<text x="${barX + barW + 12}" y="${y + 4}" font-size="12">${esc(`${num(r.value)} ${r.unit} (${opText(r.op)} ${num(r.target!)})${clipped}`)}</text>`);
  }
  const targetX = barX + scaled(1);
  out.push(`<line x1="${targetX}" y1="${top + 8}" x2="${targetX}" y2="${y + 10}" stroke="#000" stroke-dasharray="4 3"/>`);
  out.push(`<text x="${targetX}" y="${y + 24}" font-size="11" text-anchor="middle">target</text>`);
  y += 56;

  const byName = new Map(rows.map((r) => [r.name, r]));
  out.push(`<text x="10" y="${y}" font-size="14" font-weight="bold">Same 6-analyzer, 1 s station: station-agent vs Node-RED + node-red-contrib-modbus</text>`);
  y += 18;
  out.push(`<rect x="${barX}" y="${y - 9}" width="10" height="10" fill="${OURS}"/><text x="${barX + 14}" y="${y}" font-size="11">station-agent (full pipeline)</text>`);
  out.push(`<rect x="${barX + 190}" y="${y - 9}" width="10" height="10" fill="${THEIRS}"/><text x="${barX + 204}" y="${y}" font-size="11">Node-RED (read and decode only)</text>`);
  for (const m of SIDE_BY_SIDE) {
    const ours = byName.get(m.ours);
    const theirs = byName.get(m.theirs);
    const target = ours?.target ?? null;
    const max = Math.max(ours?.value ?? 0, theirs?.value ?? 0, target ?? 0) * 1.1 || 1;
    y += 26;
    out.push(`<text x="${labelW}" y="${y + 10}" font-size="12" text-anchor="end">${esc(m.label)}</text>`);
    for (const [row, color, dy] of [[ours, OURS, 0], [theirs, THEIRS, 16]] as const) {
      if (!row || row.value === null) {
        out.push(`<text x="${barX}" y="${y + dy + 4}" font-size="11" fill="#777">${esc(row?.note ?? "not measured")}</text>`);
        continue;
      }
      const w = Math.max(0, (row.value / max) * barW);
      out.push(`<rect x="${barX}" y="${y + dy - 6}" width="${w.toFixed(1)}" height="13" fill="${color}"/>`);
      out.push(`<text x="${barX + w + 6}" y="${y + dy + 4}" font-size="11">${esc(num(row.value))}</text>`);
    }
    if (target !== null) {
      const tx = barX + (target / max) * barW;
      out.push(`<line x1="${tx}" y1="${y - 9}" x2="${tx}" y2="${y + 26}" stroke="#000" stroke-dasharray="4 3"/>`);
      out.push(`<text x="${tx + 3}" y="${y + 36}" font-size="10">target ${opText(ours!.op)} ${num(target)}</text>`);
    }
    y += 20;
  }
  y += 30;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y}" viewBox="0 0 ${W} ${y}" font-family="sans-serif">`,
    `<rect width="${W}" height="${y}" fill="#fff"/>`,
    ...out,
    "</svg>",
    "",
  ].join("\n");
}

/** The README block: each figure, what it measures, its target and the latest value. */
export function readmeTable(rows: readonly ReportRow[], subtitle: string): string {
  const lines = [
    `Latest full run: ${subtitle}.`,
    "",
    "| Figure | What it measures | Target | Latest | Met |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const r of rows) {
    const target = r.target === null ? "–" : `${opText(r.op)} ${num(r.target)}`;
    const value = r.value === null ? (r.note ?? "not measured") : `${num(r.value)} ${r.unit}`;
    const met = r.met === null ? "–" : r.met ? "yes" : "**no**";
    lines.push(`| \`${r.name}\` | ${DESCRIPTIONS[r.name] ?? ""} | ${target} | ${value} | ${met} |`);
  }
  return lines.join("\n");
}

/** Writes the chart (and, for a full run, the README table); returns the files written. */
export function writeReport(rows: readonly ReportRow[], quick: boolean): string[] {
  const subtitle = `${new Date().toISOString().slice(0, 10)}, ${machine()}${quick ? ", --quick" : ""}`;
  const svg = renderSvg(rows, subtitle);
  if (quick) {
    writeFileSync(join(ROOT, "bench-results.svg"), svg);
    return ["bench-results.svg"];
  }
  const chart = join(ROOT, "docs/bench.svg");
  mkdirSync(dirname(chart), { recursive: true });
  writeFileSync(chart, svg);
  const written = ["docs/bench.svg"];
  const readmePath = join(ROOT, "README.md");
  const readme = readFileSync(readmePath, "utf8");
  const begin = readme.indexOf(README_BEGIN);
  const end = readme.indexOf(README_END);
  if (begin >= 0 && end > begin) {
    writeFileSync(readmePath, readme.slice(0, begin + README_BEGIN.length) + "\n" + readmeTable(rows, subtitle) + "\n" + readme.slice(end));
    written.push("README.md");
  }
  return written;
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const file = join(ROOT, "bench-results.json");
  if (!existsSync(file)) throw new Error("no bench-results.json: run npm run bench first");
  const quick = process.argv.includes("--quick");
  console.log("written:", writeReport(JSON.parse(readFileSync(file, "utf8")) as ReportRow[], quick).join(", "));
}
