// The production node_modules of the Debian package, cut to what runs: no build intermediates, C
// sources, tests, docs or type declarations, and native modules for this architecture only. A
// prebuilt binary for another architecture would be dead weight (and a lintian error), and one for
// the wrong architecture would fail only when the agent first loads it, so every .node file left is
// checked against the package's architecture before anything is built.
import { spawnSync } from "node:child_process";
import { chmodSync, closeSync, existsSync, lstatSync, openSync, readdirSync, readSync, rmSync } from "node:fs";
import { basename, join, relative } from "node:path";

/** Debian architecture → Node's process.arch and the ELF e_machine its binaries carry. */
export const ARCHES: Record<string, { node: string; elfMachine: number }> = {
  amd64: { node: "x64", elfMachine: 62 },
  arm64: { node: "arm64", elfMachine: 183 },
  armhf: { node: "arm", elfMachine: 40 },
  i386: { node: "ia32", elfMachine: 3 },
};

const DROP_DIRS = new Set(["integration-test", "test", "tests", "__tests__", "example", "examples", "benchmark", "benchmarks", ".github", "docs", "doc"]);
const DROP_FILE = /(\.(md|markdown|map|ts|mts|cts|tsbuildinfo)|^\.npmignore|^\.eslintrc.*|^\.travis\.yml|^\.editorconfig|^\.prettierrc.*|^Makefile|^History\.md)$/i;

function walk(dir: string, visit: (path: string, isDir: boolean) => boolean | void): void {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = lstatSync(p);
    if (st.isSymbolicLink()) continue;
    // visit returns true when it removed the entry.
    if (visit(p, st.isDirectory()) === true) continue;
    if (st.isDirectory()) walk(p, visit);
  }
}

/** The ELF e_machine of a file, or null when it is not ELF. */
export function elfMachine(file: string): number | null {
  const fd = openSync(file, "r");
  try {
    const b = Buffer.alloc(20);
    if (readSync(fd, b, 0, 20, 0) < 20 || b.readUInt32BE(0) !== 0x7f454c46) return null;
    return b[5] === 2 ? b.readUInt16BE(18) : b.readUInt16LE(18); // EI_DATA: 1 little-, 2 big-endian
  } finally {
    closeSync(fd);
  }
}

/** Trims `nodeModules` in place; returns the native modules kept (paths relative to it). */
export function trimNodeModules(nodeModules: string, arch: string): string[] {
  const target = ARCHES[arch];
  if (!target) throw new Error(`architecture ${arch} is not supported (one of ${Object.keys(ARCHES).join(", ")})`);
  rmSync(join(nodeModules, ".bin"), { recursive: true, force: true });
  walk(nodeModules, (p, isDir) => {
    const name = basename(p);
    if (isDir) {
      // A native package's own C/C++ sources and bundled library sources (better-sqlite3's deps/).
      const nativeSrc = (name === "src" || name === "deps") && readdirSync(join(p, "..")).includes("binding.gyp");
      // prebuilds/<platform>-<arch>: only this one.
      const otherPrebuild = basename(join(p, "..")) === "prebuilds" && name !== `linux-${target.node}`;
      // Only at a package's top (yaml keeps code in dist/doc/).
      const atPackageTop = existsSync(join(p, "..", "package.json"));
      if ((DROP_DIRS.has(name) && atPackageTop) || nativeSrc || otherPrebuild) {
        rmSync(p, { recursive: true, force: true });
        return true;
      }
      // build/: only build/Release/*.node (Makefiles and config.gypi name the build machine's paths).
      if (name === "build" && readdirSync(join(p, "..")).includes("binding.gyp")) {
        for (const e of readdirSync(p)) if (e !== "Release") rmSync(join(p, e), { recursive: true, force: true });
        const rel = join(p, "Release");
        for (const e of existsSync(rel) ? readdirSync(rel) : [])
          if (!e.endsWith(".node") || e.startsWith("test_")) rmSync(join(rel, e), { recursive: true, force: true });
        return false;
      }
      return false;
    }
    if (DROP_FILE.test(name) && !/^licen[cs]e/i.test(name)) {
      rmSync(p, { force: true });
      return true;
    }
    // musl builds are for Alpine; a Debian system runs the glibc one.
    if (name.endsWith(".musl.node") || name.endsWith(".a") || name.endsWith(".o")) {
      rmSync(p, { force: true });
      return true;
    }
    return false;
  });

  const native: string[] = [];
  const wrong: string[] = [];
  walk(nodeModules, (p, isDir) => {
    if (isDir) return;
    const m = elfMachine(p);
    if (m === null) return;
    native.push(relative(nodeModules, p));
    if (m !== target.elfMachine) wrong.push(`${relative(nodeModules, p)} (ELF machine ${m})`);
  });
  if (wrong.length)
    throw new Error(`native modules not built for ${arch} (ELF machine ${target.elfMachine}): ${wrong.join(", ")}; run npm ci on a ${arch} machine and package there`);
  return native;
}

/** Strips debugging symbols from the native modules (lintian: unstripped-binary-or-object). */
export function stripNative(nodeModules: string, files: readonly string[]): void {
  for (const f of files) {
    const p = join(nodeModules, f);
    const r = spawnSync("strip", ["--strip-unneeded", "--remove-section=.comment", "--remove-section=.note", p], { encoding: "utf8" });
    if (r.error) return; // no binutils: the package still works, only larger
    if (r.status !== 0) throw new Error(`strip ${f}: ${r.stderr.trim()}`);
  }
}

const hasShebang = (file: string) => {
  const fd = openSync(file, "r");
  try {
    const b = Buffer.alloc(2);
    return readSync(fd, b, 0, 2, 0) === 2 && b.toString() === "#!";
  } finally {
    closeSync(fd);
  }
};

/** Debian's modes: directories 0755, scripts (a #! line) 0755, other files 0644. Empty directories go. */
export function normalizeModes(root: string): void {
  chmodSync(root, 0o755);
  walk(root, (p, isDir) => {
    if (isDir && readdirSync(p).length === 0) {
      rmSync(p, { recursive: true });
      return true;
    }
    chmodSync(p, isDir || hasShebang(p) ? 0o755 : 0o644);
  });
  // Removing an empty directory can empty its parent: again until none is left.
  let again = false;
  walk(root, (p, isDir) => {
    if (isDir && readdirSync(p).length === 0) {
      rmSync(p, { recursive: true });
      again = true;
      return true;
    }
  });
  if (again) normalizeModes(root);
}
