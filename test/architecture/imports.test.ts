// The shape of the code, checked over the import graph of agent/, drivers/ and config/: no import
// cycles (no two files import each other, directly or round a loop), no file over 300 lines, and
// data flowing one way, poll → store → quality → aggregate → outbox → platforms: a folder imports
// only from its own layer or the layers below it in LAYERS. Type-only imports count too: a type
// shared by two layers belongs to the lower one (or to agent/types.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");
const MAX_LINES = 300;

/**
 * Layers, lowest first. A file's layer is its longest matching prefix. Why this order:
 * - kernel: the shapes and helpers every module shares (Reading, the typed event bus, logging, time
 *   and the tz database it reads, Node built-ins loaded at first use),
 *   and pure protocol vocabularies with no I/O that config, drivers and instruments need as much as
 *   the uplink does (the HJ 212 codec; unit conversions; Modbus register types; listen addresses).
 * - config (the schema) describes the station; drivers are configured by it; the loader checks the
 *   analyzers against the driver registry, so it sits above the drivers.
 * - the flow: bus (poll) → store → audit (the hash chains, written at store time and by every
 *   intervention) → qc → aggregate → calibration (operates analyzers, flags C windows; its results
 *   are reported upstream) → uplink (outbox and platforms). A stage that must reach one above it
 *   (the store step screening and aggregating each batch, QC marking aggregates dirty) is given a
 *   function by the composition root, or hears of it on the event bus (agent/events.ts).
 * - around the flow, reading from it: alarms (sent by the outbox), health (GPIO, watchdog, host),
 *   retention (prunes every stage), metrics, web, the control socket and status (they reach
 *   everything; features register their commands through agent/feature.ts), then the composition
 *   root agent/main.ts with the agent's public surface, and the CLI on top.
 */
const LAYERS: ReadonlyArray<readonly string[]> = [
  ["agent/types.ts", "agent/feature.ts", "agent/events.ts", "agent/log.ts", "agent/time.ts", "agent/tzif.ts", "agent/builtin.ts", "agent/uplink/hj212/", "agent/uplink/units.ts", "agent/web/listen.ts", "drivers/registers.ts"],
  ["config/"],
  ["drivers/"],
  ["config/load.ts"],
  ["agent/bus/"],
  ["agent/store/", "agent/secrets/"],
  ["agent/audit/"],
  ["agent/qc/"],
  ["agent/aggregate/"],
  ["agent/calibration/"],
  ["agent/uplink/"],
  ["agent/alarms/"],
  ["agent/health/"],
  ["agent/retention/"],
  ["agent/metrics/", "agent/web/", "agent/control/", "agent/status.ts"],
  ["agent/main.ts", "agent/surface.ts"],
  ["agent/cli/"],
];

function layerOf(file: string): number {
  let best = -1;
  let len = -1;
  LAYERS.forEach((prefixes, i) => {
    for (const p of prefixes) if ((file === p || (p.endsWith("/") && file.startsWith(p))) && p.length > len) [best, len] = [i, p.length];
  });
  return best;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir)).sort()) {
    const p = join(dir, name);
    if (statSync(join(ROOT, p)).isDirectory()) out.push(...sources(p));
    else if (name.endsWith(".ts")) out.push(p);
  }
  return out;
}

// Static imports and re-exports, `import type` included; `import("…")` for lazy loading too.
const SPECIFIER = /(?:\b(?:import|export)\s+(?:type\s+)?(?:[\w*\s{},$]*?\s+from\s+)?|\bimport\s*\(\s*)["'](\.{1,2}\/[^"']+)["']/g;

function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of ["agent", "drivers", "config"].flatMap(sources)) {
    const text = readFileSync(join(ROOT, file), "utf8");
    const deps = new Set<string>();
    for (const m of text.matchAll(SPECIFIER)) {
      const target = relative(ROOT, resolve(ROOT, dirname(file), m[1].replace(/\.js$/, ".ts")));
      if (existsSync(join(ROOT, target))) deps.add(target);
    }
    graph.set(file, [...deps].sort());
  }
  return graph;
}

const graph = importGraph();

test("the import graph is read (sanity: the composition root imports the flow)", () => {
  assert.ok(graph.size > 100, `only ${graph.size} files found`);
  assert.ok(graph.get("agent/main.ts")?.some((d) => d.startsWith("agent/store/")));
});

test("no import cycles in agent/, drivers/, config/", () => {
  const cycles: string[] = [];
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (f: string): void => {
    state.set(f, "open");
    path.push(f);
    for (const d of graph.get(f) ?? []) {
      if (state.get(d) === "open") cycles.push([...path.slice(path.indexOf(d)), d].join(" → "));
      else if (!state.has(d)) visit(d);
    }
    path.pop();
    state.set(f, "done");
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  assert.deepEqual(cycles, []);
});

test(`no file over ${MAX_LINES} lines`, () => {
  const long = [...graph.keys()]
    .map((f) => [f, readFileSync(join(ROOT, f), "utf8").replace(/\n$/, "").split("\n").length] as const)
    .filter(([, n]) => n > MAX_LINES)
    .map(([f, n]) => `${f}: ${n} lines`);
  assert.deepEqual(long, []);
});

test("every file has a layer, and imports only from its own layer or below", () => {
  const unplaced = [...graph.keys()].filter((f) => layerOf(f) < 0);
  assert.deepEqual(unplaced, [], "files outside every layer: add their folder to LAYERS");
  const upward: string[] = [];
  for (const [f, deps] of graph)
    for (const d of deps) if (layerOf(d) > layerOf(f)) upward.push(`${f} (layer ${layerOf(f)}) imports ${d} (layer ${layerOf(d)})`);
  assert.deepEqual(upward, []);
});
