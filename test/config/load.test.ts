import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { parse } from "yaml";
import type { z } from "zod";
import { ConfigErrors, isConfigError } from "../../config/errors.js";
import { defOf, unwrap } from "../../config/introspect.js";
import { loadConfig, type DriverCatalog } from "../../config/load.js";
import { configSchema, hj212Platforms } from "../../config/schema.js";
import { tempDir } from "../helpers/station.js";

const ROOT = resolve(import.meta.dirname, "..", "..");
const DEMO = join(ROOT, "config", "demo.yaml");
const EXAMPLE = join(ROOT, "config", "station.example.yaml");

const MINIMAL = `station: {name: T, mn: "010000A8900016F000169DC0"}\nstorage: {path: data/station.db}\n`;

function thrown(fn: () => unknown): ConfigErrors {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigErrors, `expected ConfigErrors, got ${String(err)}`);
    return err;
  }
  assert.fail("expected a ConfigErrors");
}

test("the demo config validates, with defaults applied", () => {
  const { config, file, dir } = loadConfig(DEMO);
  assert.equal(file, DEMO);
  assert.equal(dir, join(ROOT, "config"));
  assert.equal(config.station.timezone, "Asia/Shanghai");
  assert.deepEqual(config.log, { level: "info", format: "plain" });
  assert.equal(config.storage.batch_ms, 500);
  assert.deepEqual(config.buses[0], { id: "sim", type: "tcp", host: "127.0.0.1", port: 15020, timeout_ms: 1000 });
  const [o3] = config.analyzers;
  assert.equal(o3.retries, 1);
  assert.equal(o3.enabled, true);
  assert.deepEqual(o3.channels.o3, { code: "a05024", enabled: true, scale: 1, offset: 0 });
  const [local] = hj212Platforms(config);
  assert.equal(local.st, "22");
  assert.equal(local.pw, "123456");
  assert.equal(local.ack_timeout_s, 10);
});

test("the demo storage path is relative to the config file: <repo>/demo-data", () => {
  assert.equal(loadConfig(DEMO).config.storage.path, join(ROOT, "demo-data", "station.db"));
});

test("the example config validates", () => {
  const { config } = loadConfig(EXAMPLE);
  assert.deepEqual(config.buses.map((b) => b.type), ["rtu", "tcp"]);
  assert.deepEqual(config.platforms.map((p) => p.protocol), ["hj212-2017", "hj212-2025"]);
});

/** The example with every `# key: value` setting switched on; `## ` documentation stays comment. */
function uncommentedExample(): string {
  return readFileSync(EXAMPLE, "utf8").replace(/^(\s*)# (\s*)(?=[\w.-]+:|- )/gm, "$1$2");
}

test("the example still validates with every commented-out setting switched on", () => {
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, "station.yaml"), uncommentedExample());
    // The files the example's link-security keys name (checked to exist; secrets mode 0600).
    mkdirSync(join(dir, "keys"));
    mkdirSync(join(dir, "tls"));
    writeFileSync(join(dir, "keys", "national.sm4"), "0000000000000000\n", { mode: 0o600 });
    for (const f of ["national-ca.pem", "station.pem", "station.key"]) writeFileSync(join(dir, "tls", f), "-----BEGIN TEST-----\n", { mode: 0o600 });
    loadConfig(join(dir, "station.yaml"));
  } finally {
    cleanup();
  }
});

/** Every key path of the schema: `analyzers[].channels{}.code`; union branches contribute their keys. */
function schemaPaths(schema: z.core.$ZodType, prefix = ""): string[] {
  const s = unwrap(schema);
  const def = defOf(s);
  if (def.type === "object") {
    return Object.entries(def.shape ?? {}).flatMap(([k, v]) => {
      const p = prefix ? `${prefix}.${k}` : k;
      return [p, ...schemaPaths(v, p)];
    });
  }
  if (def.type === "array" && def.element) return schemaPaths(def.element, `${prefix}[]`);
  if (def.type === "record" && def.valueType) return schemaPaths(def.valueType, `${prefix}{}`);
  if (def.type === "union") return [...new Set((def.options ?? []).flatMap((o) => schemaPaths(o, prefix)))];
  return [];
}

/** The same notation for the key paths present in YAML data; records are the keys under a `{}` segment. */
function dataPaths(data: unknown, schemaKeys: Set<string>, prefix = ""): string[] {
  if (Array.isArray(data)) return data.flatMap((d) => dataPaths(d, schemaKeys, `${prefix}[]`));
  if (data === null || typeof data !== "object") return [];
  return Object.entries(data).flatMap(([k, v]) => {
    const asKey = prefix ? `${prefix}.${k}` : k;
    const p = schemaKeys.has(asKey) ? asKey : `${prefix}{}`;
    return [p, ...dataPaths(v, schemaKeys, p)];
  });
}

test("every schema key appears in station.example.yaml", () => {
  const expected = schemaPaths(configSchema);
  assert.ok(expected.length > 50, "the schema walk should find every key");
  const present = new Set(dataPaths(parse(uncommentedExample()), new Set(expected)));
  const missing = expected.filter((p) => !present.has(p));
  assert.deepEqual(missing, [], `keys missing from config/station.example.yaml: ${missing.join(", ")}`);
});

test("every described key has its description repeated in the example", () => {
  const text = readFileSync(EXAMPLE, "utf8").replace(/\s+/g, " ").toLowerCase();
  const walk = (schema: z.core.$ZodType, out: string[]): string[] => {
    const d = (schema as { description?: string }).description;
    if (d) out.push(d);
    const def = defOf(unwrap(schema));
    for (const child of [...Object.values(def.shape ?? {}), def.element, def.valueType, ...(def.options ?? [])]) {
      if (child) walk(child, out);
    }
    return out;
  };
  // The first sentence is enough: the example may go on with advice of its own.
  const missing = walk(configSchema, []).map((d) => d.split(/(?<=\.) /)[0].replace(/[.:]$/, "")).filter((d) => !text.includes(d.toLowerCase()));
  assert.deepEqual(missing, []);
});

test("a relative storage path is resolved against the config file's directory, an absolute one kept", () => {
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, "rel.yaml"), MINIMAL);
    assert.equal(loadConfig(join(dir, "rel.yaml")).config.storage.path, join(dir, "data", "station.db"));
    writeFileSync(join(dir, "abs.yaml"), MINIMAL.replace("data/station.db", "/var/lib/x/station.db"));
    assert.equal(loadConfig(join(dir, "abs.yaml")).config.storage.path, "/var/lib/x/station.db");
  } finally {
    cleanup();
  }
});

test("drivers can be given as a catalog", () => {
  const drivers: DriverCatalog = { ids: () => ["fake"], channels: (id) => (id === "fake" ? ["a", "b"] : undefined) };
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, "station.yaml");
    const analyzer = (driver: string, channel: string) =>
      `buses: [{id: b, type: tcp, host: h}]\nanalyzers: [{id: x, driver: ${driver}, bus: b, channels: {${channel}: {}}}]\n`;
    writeFileSync(file, MINIMAL + analyzer("fake", "b"));
    assert.equal(loadConfig(file, { drivers }).config.analyzers[0].driver, "fake");
    writeFileSync(file, MINIMAL + analyzer("fake", "c"));
    assert.match(thrown(() => loadConfig(file, { drivers })).message, /unknown channel "c" for driver fake \(its channels: a, b\)/);
    writeFileSync(file, MINIMAL + analyzer("teledyne-t400", "o3"));
    assert.match(thrown(() => loadConfig(file, { drivers })).message, /unknown driver "teledyne-t400" \(known drivers: fake\)/);
  } finally {
    cleanup();
  }
});

test("a missing file is a ConfigError with the OS reason", () => {
  const err = thrown(() => loadConfig("/nonexistent/station.yaml"));
  assert.equal(err.configError, true);
  assert.equal(err.file, "/nonexistent/station.yaml");
  assert.equal(err.line, undefined);
  assert.match(err.message, /^\/nonexistent\/station\.yaml: cannot read the config file: no such file or directory \(ENOENT\)$/);
});

test("an unreadable file is a ConfigError saying permission denied", (t) => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, "station.yaml");
    writeFileSync(file, MINIMAL);
    chmodSync(file, 0o000);
    if (process.getuid?.() !== 0) {
      assert.match(thrown(() => loadConfig(file)).message, /permission denied \(EACCES\)/);
      return;
    }
    // Permission bits do not stop root, so as root the load runs in a child process as "nobody".
    const script = `import { loadConfig } from ${JSON.stringify(pathToFileURL(join(ROOT, "config", "load.ts")).href)};
      try { loadConfig(${JSON.stringify(file)}); } catch (e) { process.stdout.write(e.message); }`;
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: ROOT,
      uid: 65534,
      gid: 65534,
      encoding: "utf8",
    });
    // "nobody" must be able to read the project itself; a checkout in a private directory
    // (CI's fresh clone under a 0700 temp dir) cannot be, and then there is nothing to check.
    if (child.status !== 0 && /EACCES|ERR_MODULE_NOT_FOUND|permission denied/i.test(child.stderr) && !child.stdout) {
      t.skip("running as root and the checkout is not readable by nobody: cannot drop privileges to test EACCES");
      return;
    }
    assert.equal(child.status, 0, child.stderr);
    assert.match(child.stdout, /station\.yaml: cannot read the config file: permission denied \(EACCES\)$/);
  } finally {
    cleanup();
  }
});

test("all problems are reported at once, first one first, and passwords are never shown", () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, "station.yaml");
    writeFileSync(
      file,
      [
        "station: {name: T, mn: short}",
        "storage: {path: x.db}",
        "platforms:",
        "  - {id: p, host: h, port: 1, st: 22, pw: 987654321, uploads: [minutes]}",
        "  - {id: p, host: h, port: 1, st: 22, pw: 'x'}",
      ].join("\n"),
    );
    const err = thrown(() => loadConfig(file));
    assert.deepEqual(
      err.errors.map((e) => [e.line, e.path]),
      [
        [1, "station.mn"],
        [4, "platforms[0].pw"],
        [4, "platforms[0].uploads[0]"],
        [5, "platforms[1].id"],
      ],
    );
    assert.ok(err.errors.every(isConfigError));
    assert.equal(err.line, 1, "the error itself describes the first problem");
    assert.equal(err.message.split("\n").length, 4);
    assert.doesNotMatch(err.message, /987654321/);
    assert.match(err.errors[2].expected, /expected one of realtime, minute, hour, day, status, runtime, got "minutes"/);
    assert.deepEqual(Object.keys(err.errors[0].toJSON()).sort(), ["column", "expected", "file", "line", "message", "path"]);
  } finally {
    cleanup();
  }
});
