// `npm run package`: builds station-agent_<version>_<arch>.deb with dpkg-deb. The built JavaScript
// (npm run build into the package tree), the production node_modules of this checkout trimmed to
// this architecture (native modules are compiled: build on the architecture you ship, e.g. on a Pi
// for arm64/armhf), the systemd units pointed at /usr/lib/station-agent, and maintainer scripts
// (scripts/deb/) doing what scripts/install.sh does.
//   npm run package [-- --out DIR] [--lintian] [--fast]
// --fast compresses with gzip -1 (for tests); the default is xz.
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { bundleDist } from "./bundle.js";
import { ARCHES, normalizeModes, stripNative, trimNodeModules } from "./package-trim.js";
import { bundledPackages, changelogGz, copyrightFile, manPage, nativeDepends } from "./package-docs.js";

const REPO = join(import.meta.dirname, "..");
const NAME = "station-agent";
const LIB = "usr/lib/station-agent";
/** Bookworm's systemd reads /lib/systemd/system (aliased to /usr/lib on merged-/usr systems). */
const UNIT_DIR = "lib/systemd/system";
const UNITS = ["station-agent.service", "station-agent-settime.service", "station-agent-settime.path"];
const MAINTAINER = process.env.DEBFULLNAME && process.env.DEBEMAIL ? `${process.env.DEBFULLNAME} <${process.env.DEBEMAIL}>` : "station-agent maintainers <station-agent@example.org>";

function run(cmd: string, args: string[], opts: SpawnSyncOptions = {}): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], ...opts });
  if (r.error) throw new Error(`${cmd}: ${(r.error as NodeJS.ErrnoException).code === "ENOENT" ? "not installed" : r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}):\n${String(r.stderr ?? "")}${String(r.stdout ?? "")}`);
  return String(r.stdout ?? "");
}

function gitRevision(): string {
  const r = spawnSync("git", ["describe", "--always", "--dirty"], { cwd: REPO, encoding: "utf8" });
  return r.status === 0 ? `git ${r.stdout.trim()}` : "a source tree without git";
}

/** When the last commit was made (reproducible dates), else now. */
function buildDate(): Date {
  if (process.env.SOURCE_DATE_EPOCH) return new Date(Number(process.env.SOURCE_DATE_EPOCH) * 1000);
  const r = spawnSync("git", ["log", "-1", "--format=%ct"], { cwd: REPO, encoding: "utf8" });
  return r.status === 0 && r.stdout.trim() ? new Date(Number(r.stdout.trim()) * 1000) : new Date();
}

function duKiB(dir: string): number {
  let bytes = 0;
  const walk = (d: string) => {
    for (const name of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, name.name);
      if (name.isDirectory()) walk(p);
      else if (name.isFile()) bytes += statSync(p).size;
    }
  };
  walk(dir);
  return Math.ceil(bytes / 1024);
}

function md5sums(root: string): string {
  const lines: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (relative(root, p) !== "DEBIAN") walk(p);
      } else if (e.isFile()) lines.push(`${createHash("md5").update(readFileSync(p)).digest("hex")}  ${relative(root, p)}`);
    }
  };
  walk(root);
  return lines.join("\n") + "\n";
}

/** The units as install.sh writes them, with this package's paths. */
function unitText(unit: string): string {
  const text = readFileSync(join(REPO, "systemd", unit), "utf8");
  const doc = "Documentation=man:station-agent(1) file:///usr/share/doc/station-agent/README.md";
  return (/^Documentation=.*$/m.test(text) ? text.replace(/^Documentation=.*$/m, doc) : text.replace("[Unit]\n", `[Unit]\n${doc}\n`)).replaceAll("/opt/station-agent", `/${LIB}`);
}

const MIT = `Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.`;

export interface PackageResult {
  deb: string;
  arch: string;
  version: string;
  installedKiB: number;
  nativeModules: string[];
}

export function buildPackage(opts: { out: string; fast?: boolean; log?: (s: string) => void }): PackageResult {
  const log = opts.log ?? ((s: string) => console.log(s));
  const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string; license: string; description: string; dependencies: Record<string, string> };
  const arch = run("dpkg", ["--print-architecture"]).trim();
  if (!ARCHES[arch]) throw new Error(`architecture ${arch} is not supported (one of ${Object.keys(ARCHES).join(", ")})`);
  if (ARCHES[arch].node !== process.arch) throw new Error(`dpkg says ${arch} but Node runs as ${process.arch}: native modules would not match`);
  const stage = mkdtempSync(join(tmpdir(), "station-agent-deb-"));
  try {
    const root = join(stage, "root");
    const lib = join(root, LIB);
    mkdirSync(lib, { recursive: true });

    log("== JavaScript (npm run build, then bundled: scripts/bundle.ts)");
    run("npm", ["run", "build", "--", "--outDir", join(lib, "dist"), "--sourceMap", "false"], { cwd: REPO });
    bundleDist(join(lib, "dist"));
    mkdirSync(join(lib, "bin"));
    copyFileSync(join(REPO, "bin/station-agent.js"), join(lib, "bin/station-agent.js"));
    mkdirSync(join(lib, "config"));
    for (const f of ["station.example.yaml", "demo.yaml"]) copyFileSync(join(REPO, "config", f), join(lib, "config", f));
    mkdirSync(join(lib, "scripts"));
    copyFileSync(join(REPO, "scripts/settime.sh"), join(lib, "scripts/settime.sh"));
    if (existsSync(join(REPO, "agent/web/assets"))) cpSync(join(REPO, "agent/web/assets"), join(lib, "agent/web/assets"), { recursive: true });

    log("== production node_modules");
    // tsx only runs a source checkout; the package runs dist/, so it (and esbuild's binary) stay out.
    const { tsx: _tsx, ...dependencies } = pkg.dependencies;
    const manifest = { ...JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")), dependencies, devDependencies: {}, scripts: {} };
    writeFileSync(join(lib, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
    copyFileSync(join(REPO, "package-lock.json"), join(lib, "package-lock.json"));
    cpSync(realpathSync(join(REPO, "node_modules")), join(lib, "node_modules"), { recursive: true, verbatimSymlinks: true });
    run("npm", ["prune", "--omit=dev", "--no-audit", "--no-fund", "--ignore-scripts", "--offline"], { cwd: lib });
    rmSync(join(lib, "package-lock.json"));
    const native = trimNodeModules(join(lib, "node_modules"), arch);
    stripNative(join(lib, "node_modules"), native);

    log("== units, docs, manual page");
    mkdirSync(join(root, UNIT_DIR), { recursive: true });
    for (const u of UNITS) writeFileSync(join(root, UNIT_DIR, u), unitText(u));
    mkdirSync(join(root, "usr/bin"), { recursive: true });
    symlinkSync(`../lib/station-agent/bin/station-agent.js`, join(root, "usr/bin/station-agent"));
    const doc = join(root, "usr/share/doc", NAME);
    mkdirSync(doc, { recursive: true });
    copyFileSync(join(REPO, "README.md"), join(doc, "README.md"));
    const date = buildDate();
    writeFileSync(join(doc, "copyright"), copyrightFile({ name: NAME, year: date.getUTCFullYear(), license: pkg.license, licenseText: MIT }, bundledPackages(join(lib, "node_modules"))));
    writeFileSync(join(doc, "changelog.gz"), changelogGz({ name: NAME, version: pkg.version, maintainer: MAINTAINER, date, revision: gitRevision() }));
    const help = run(process.execPath, [join(lib, "bin/station-agent.js"), "--help"], { env: { ...process.env, STATION_AGENT_FROM_SOURCE: "" } });
    mkdirSync(join(root, "usr/share/man/man1"), { recursive: true });
    writeFileSync(join(root, "usr/share/man/man1/station-agent.1.gz"), manPage({ help, version: pkg.version, date }));

    normalizeModes(root);

    log("== control");
    const debian = join(root, "DEBIAN");
    mkdirSync(debian);
    for (const s of ["postinst", "prerm", "postrm"]) {
      copyFileSync(join(REPO, "scripts/deb", s), join(debian, s));
      chmodSync(join(debian, s), 0o755);
    }
    const shlibWork = join(stage, "shlibs");
    mkdirSync(join(shlibWork, "debian"), { recursive: true });
    writeFileSync(join(shlibWork, "debian/control"), `Source: ${NAME}\n\nPackage: ${NAME}\nArchitecture: any\n`);
    const libs = nativeDepends(native.map((f) => join(lib, "node_modules", f)), shlibWork);
    const installedKiB = duKiB(root);
    const control = [
      `Package: ${NAME}`,
      `Version: ${pkg.version}`,
      `Architecture: ${arch}`,
      `Maintainer: ${MAINTAINER}`,
      `Installed-Size: ${installedKiB}`,
      `Depends: nodejs (>= 20), passwd, init-system-helpers (>= 1.54~)${libs ? `, ${libs}` : ""}`,
      "Section: misc",
      "Priority: optional",
      `Description: environmental monitoring station agent (data logger)`,
      " Polls a monitoring station's analyzers over Modbus RTU/TCP and ASCII serial,",
      " stores every reading in SQLite first, QC-flags and aggregates it, and reports",
      " it in HJ 212 (2017/2025) and JSON to several platforms, each with its own",
      " durable delivery cursor: an outage of weeks loses nothing. Runs as a hardened",
      " systemd service; technicians diagnose it from a CLI.",
      "",
    ].join("\n");
    writeFileSync(join(debian, "control"), control);
    writeFileSync(join(debian, "md5sums"), md5sums(root));
    chmodSync(join(debian, "md5sums"), 0o644);
    chmodSync(join(debian, "control"), 0o644);

    mkdirSync(opts.out, { recursive: true });
    const deb = join(opts.out, `${NAME}_${pkg.version}_${arch}.deb`);
    const compress = opts.fast ? ["-Zgzip", "-z1"] : ["-Zxz", "-z6"];
    log(`== dpkg-deb --build ${relative(process.cwd(), deb) || deb}`);
    run("dpkg-deb", ["--root-owner-group", ...compress, "--build", root, deb], { env: { ...process.env, SOURCE_DATE_EPOCH: String(Math.floor(date.getTime() / 1000)) } });
    return { deb, arch, version: pkg.version, installedKiB, nativeModules: native };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** lintian's findings, one per line ("E: station-agent: tag detail"). */
export function lintian(deb: string): string[] {
  const r = spawnSync("lintian", ["--no-tag-display-limit", "--display-info", deb], { encoding: "utf8" });
  if (r.error) throw new Error("lintian: not installed (apt-get install lintian)");
  return (r.stdout + r.stderr).split("\n").filter((l) => /^[EWIXPO]: /.test(l));
}

if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(import.meta.filename)) {
  const argv = process.argv.slice(2);
  const at = argv.indexOf("--out");
  const out = at >= 0 ? argv[at + 1] : REPO;
  try {
    const r = buildPackage({ out, fast: argv.includes("--fast") });
    console.log(`${r.deb}: ${r.arch}, ${Math.round(r.installedKiB / 1024)} MB installed, native modules: ${r.nativeModules.join(", ")}`);
    if (argv.includes("--lintian")) {
      const findings = lintian(r.deb);
      console.log(findings.length ? findings.join("\n") : "lintian: no findings");
      if (findings.some((l) => l.startsWith("E: "))) process.exit(1);
    }
  } catch (err) {
    console.error(`package: ${(err as Error).message}`);
    process.exit(1);
  }
}
