// Bad input, configs: many malformed station files (truncated YAML, wrong types, unknown keys, binary
// garbage, and hand-made nasty cases). Every one goes through the loader the CLI uses; a sample per
// kind goes through `station-agent config check` itself. Each must be rejected with exit 78 and a
// reason pointing at the file (a truncation that happens to leave a valid file may pass), never
// with a stack trace.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml, stringify } from "yaml";
import { isConfigError } from "../../config/errors.js";
import { loadConfig } from "../../config/load.js";
import { rng } from "./downlink-fuzz.js";
import { runCli } from "./harness.js";

const BASE = `station:
  name: Fuzz station
  mn: "010000A8900016F000169DC0"
storage:
  path: station.db
  batch_ms: 50
log:
  level: warn
buses:
  - { id: lan, type: tcp, host: 127.0.0.1, port: 1502, timeout_ms: 300 }
  - id: rs485
    type: rtu
    path: /dev/ttyUSB0
    baud: 9600
analyzers:
  - id: o3
    driver: teledyne-t400
    bus: lan
    slave: 1
    interval_s: 2
    channels:
      o3: { code: a05024 }
  - id: flow
    driver: generic-modbus
    bus: rs485
    slave: 7
    registers:
      - { channel: flow_rate, fc: 3, address: 0, type: float32, order: CDAB, unit: m3/h, code: w00000 }
platforms:
  - id: city
    host: 127.0.0.1
    port: 19212
    st: 22
    pw: "123456"
    uploads: [realtime, minute, hour]
    realtime_interval_s: 30
`;

const KINDS = ["truncated", "wrong-type", "unknown-key", "binary", "nasty"] as const;
type Kind = (typeof KINDS)[number];

export interface KindCount {
  generated: number;
  rejected: number;
  /** Accepted as valid: only allowed for truncations that leave a complete file. */
  accepted: number;
  /** Neither accepted nor a ConfigError: a crash the CLI would show as a stack trace. */
  crashed: number;
  /** Through the CLI: exit 78 with a reason on stderr and no stack trace. */
  cliRun: number;
  cliOk: number;
}

export interface BadConfigResult {
  baseValid: boolean;
  byKind: Record<Kind, KindCount>;
  failures: string[];
}

type Generated = { kind: Kind; name: string; text: string | Buffer };

/** Leaf paths of a parsed config (not inside free-form `options`). */
function leaves(v: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (v === null || typeof v !== "object") return [path];
  return Object.entries(v).flatMap(([k, x]) => (k === "options" ? [] : leaves(x, [...path, Array.isArray(v) ? Number(k) : k])));
}

function setAt(obj: unknown, path: (string | number)[], value: unknown): void {
  let o = obj as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  o[path[path.length - 1]] = value;
}

/** A value of another type than `v`. */
function otherType(v: unknown, r: () => number): unknown {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  if (typeof v === "number") return pick(["twelve", true, [v], { value: v }, null]);
  if (typeof v === "boolean") return pick(["yes please", 3, [v], null]);
  if (typeof v === "string") return pick([42, false, [v], { text: v }, null]);
  return pick(["x", 1, true]);
}

/** Hand-made cases no generator reaches. */
function nasty(): Generated[] {
  const g = (name: string, text: string | Buffer): Generated => ({ kind: "nasty", name, text });
  return [
    g("empty", ""),
    g("only-comments", "# nothing here\n# at all\n"),
    g("root-list", "- station\n- storage\n"),
    g("root-scalar", "just a sentence\n"),
    g("deep-flow-nesting", "station: " + "[".repeat(20_000) + "]".repeat(20_000) + "\n"),
    g("deep-block-nesting", Array.from({ length: 3000 }, (_, i) => `${" ".repeat(i)}k${i}:`).join("\n") + " 1\n"),
    g("alias-bomb", "a: &a [x, x, x, x, x, x, x, x, x]\n" + Array.from({ length: 9 }, (_, i) => `${"bcdefghij"[i]}: &${"bcdefghij"[i]} [${Array(9).fill(`*${i === 0 ? "a" : "bcdefghij"[i - 1]}`).join(", ")}]`).join("\n") + "\nstation: *j\n"),
    g("duplicate-keys", BASE + "station:\n  name: again\n"),
    g("tab-indent", BASE.replace(/\n {2}name/, "\n\tname")),
    g("nul-byte", BASE.replace('mn: "010000A89', 'mn: "010000A8\u00009')),
    g("invalid-utf8", Buffer.concat([Buffer.from(BASE.slice(0, 40)), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from(BASE.slice(40))])),
    g("huge-line", `station: { name: "${"x".repeat(4_000_000)}", mn: "010000A8900016F000169DC0" }\n`),
    g("json-not-object", "[1, 2, 3]"),
    g("merge-key-loop", "base: &b { <<: *b }\n"),
    g("unknown-tag", "station: !!binary notbase64\n"),
    g("custom-tag", "station: !include other.yaml\n"),
    g("document-stream", BASE + "---\n" + BASE),
    g("number-overflow", BASE.replace("slave: 1", "slave: 1e999")),
    g("negative-interval", BASE.replace("interval_s: 2", "interval_s: -5")),
    g("port-out-of-range", BASE.replace("port: 1502", "port: 99999")),
    g("crlf-and-bom", "\ufeff" + BASE.replace(/\n/g, "\r\n").replace("baud: 9600", "baud: nine")),
  ];
}

function generate(perKind: number): Generated[] {
  const r = rng(78);
  const parsed = parseYaml(BASE) as Record<string, unknown>;
  const paths = leaves(parsed);
  const objects: (string | number)[][] = [[], ["station"], ["storage"], ["log"], ["buses", 0], ["buses", 1], ["analyzers", 0], ["analyzers", 1], ["analyzers", 0, "channels", "o3"], ["analyzers", 1, "registers", 0], ["platforms", 0]];
  const out: Generated[] = [];
  for (let i = 0; i < perKind; i++) {
    const cut = 1 + Math.floor(r() * (BASE.length - 1));
    out.push({ kind: "truncated", name: `truncated at byte ${cut}`, text: BASE.slice(0, cut) });
    const leaf = paths[Math.floor(r() * paths.length)];
    const wrong = structuredClone(parsed);
    const value = otherType(leaf.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], parsed), r);
    setAt(wrong, leaf, value);
    out.push({ kind: "wrong-type", name: `${leaf.join(".")} = ${JSON.stringify(value)}`, text: stringify(wrong) });
    const at = objects[Math.floor(r() * objects.length)];
    const extra = structuredClone(parsed);
    const target = at.reduce<Record<string | number, unknown>>((o, k) => o[k] as Record<string | number, unknown>, extra);
    target[`unknown_key_${i}`] = otherType("x", r);
    out.push({ kind: "unknown-key", name: `unknown_key_${i} in ${at.join(".") || "(root)"}`, text: stringify(extra) });
    out.push({ kind: "binary", name: `binary #${i}`, text: Buffer.from(Array.from({ length: 1 + Math.floor(r() * 4000) }, () => Math.floor(r() * 256))) });
  }
  return [...out, ...nasty()];
}

/** Output that looks like a crash rather than a reasoned rejection. */
const STACK = /^\s+at |node:internal|Error: .*\n\s+at |TypeError|RangeError|ReferenceError/m;

export async function badConfigs(perKind: number, cliPerKind: number, log: (s: string) => void): Promise<BadConfigResult> {
  const dir = mkdtempSync(join(tmpdir(), "torture-config-"));
  const byKind = Object.fromEntries(KINDS.map((k) => [k, { generated: 0, rejected: 0, accepted: 0, crashed: 0, cliRun: 0, cliOk: 0 }])) as Record<Kind, KindCount>;
  const failures: string[] = [];
  const fail = (s: string) => failures.length < 20 && failures.push(s);
  try {
    const basePath = join(dir, "base.yaml");
    writeFileSync(basePath, BASE);
    let baseValid = true;
    try {
      loadConfig(basePath);
    } catch (e) {
      baseValid = false;
      fail(`the unmutated config is refused: ${(e as Error).message}`);
    }
    const cases = generate(perKind);
    const cli: { c: Generated; file: string }[] = [];
    const cliTaken = new Map<Kind, number>();
    cases.forEach((c, i) => {
      const file = join(dir, `case-${i}.yaml`);
      writeFileSync(file, c.text);
      const k = byKind[c.kind];
      k.generated++;
      try {
        loadConfig(file);
        k.accepted++;
        if (c.kind !== "truncated") fail(`${c.kind} ${c.name}: accepted`);
        return;
      } catch (e) {
        if (isConfigError(e)) k.rejected++;
        else {
          k.crashed++;
          fail(`${c.kind} ${c.name}: ${(e as Error)?.name}: ${String((e as Error)?.message).slice(0, 160)}`);
        }
      }
      // Through the CLI: the rejected ones (a sample per kind; every nasty case).
      const taken = cliTaken.get(c.kind) ?? 0;
      if (c.kind === "nasty" || taken < cliPerKind) {
        cliTaken.set(c.kind, taken + 1);
        cli.push({ c, file });
      }
    });
    // Two at a time: the machine has two cores.
    const queue = [...cli];
    const worker = async () => {
      for (let job = queue.shift(); job; job = queue.shift()) {
        const { c, file } = job;
        const r = await runCli(["config", "check", file]);
        const k = byKind[c.kind];
        k.cliRun++;
        const reasoned = r.stderr.trim().length > 0 && r.stderr.includes(file) && !STACK.test(r.stderr);
        if (r.code === 78 && reasoned) k.cliOk++;
        else fail(`${c.kind} ${c.name}: config check exited ${r.code}: ${r.stderr.trim().split("\n").slice(0, 3).join(" | ").slice(0, 300)}`);
      }
    };
    await Promise.all([worker(), worker()]);
    // A path that is not a readable file is a config problem too.
    mkdirSync(join(dir, "a-directory.yaml"));
    for (const file of [join(dir, "missing.yaml"), join(dir, "a-directory.yaml")]) {
      const r = await runCli(["config", "check", file]);
      byKind.nasty.generated++;
      byKind.nasty.cliRun++;
      if (r.code === 78 && !STACK.test(r.stderr) && r.stderr.includes(file)) {
        byKind.nasty.cliOk++;
        byKind.nasty.rejected++;
      } else fail(`unreadable ${file}: config check exited ${r.code}: ${r.stderr.trim().slice(0, 200)}`);
    }
    log(`configs: ${cases.length + 2} generated, ${cli.length + 2} through station-agent config check`);
    return { baseValid, byKind, failures };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
