// What Debian wants beside the program in /usr/share: the copyright file (ours, and each bundled
// module's licence as its package.json states it), a changelog, and a manual page made from the
// CLI's own help, so `man station-agent` and `station-agent --help` cannot drift apart.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

interface Pkg {
  name: string;
  version: string;
  license?: string | { type?: string };
  description?: string;
}

/** Every package under node_modules (scoped and nested), sorted by name. */
export function bundledPackages(nodeModules: string): Pkg[] {
  const out: Pkg[] = [];
  const visit = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      if (name.startsWith(".")) continue;
      const p = join(dir, name);
      if (name.startsWith("@")) {
        visit(p);
        continue;
      }
      const file = join(p, "package.json");
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, "utf8")) as Pkg;
      if (pkg.name && pkg.version) out.push(pkg);
      visit(join(p, "node_modules"));
    }
  };
  visit(nodeModules);
  return out.sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

const licenseOf = (p: Pkg) => (typeof p.license === "string" ? p.license : (p.license?.type ?? "unknown"));

/** debian/copyright in the machine-readable format (DEP-5). */
export function copyrightFile(own: { name: string; year: number; license: string; licenseText: string }, bundled: readonly Pkg[]): string {
  const modules = bundled.map((p) => ` ${p.name} ${p.version}: ${licenseOf(p)}`).join("\n");
  const indent = (text: string) =>
    text
      .trim()
      .split("\n")
      .map((l) => (l.trim() ? ` ${l}` : " ."))
      .join("\n");
  return [
    "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/",
    `Upstream-Name: ${own.name}`,
    "",
    "Files: *",
    `Copyright: ${own.year} the station-agent authors`,
    `License: ${own.license}`,
    "",
    "Files: usr/lib/station-agent/node_modules/*",
    "Copyright: Copyright the authors of each module (see its package.json and licence file beside it)",
    "License: various",
    " The production dependencies bundled with the agent, each with the licence it declares:",
    modules,
    "",
    `License: ${own.license}`,
    indent(own.licenseText),
    "",
  ].join("\n");
}

/** A one-entry changelog in Debian's format, compressed as lintian expects (gzip -9n). */
export function changelogGz(opts: { name: string; version: string; maintainer: string; date: Date; revision: string }): Buffer {
  const text =
    `${opts.name} (${opts.version}) unstable; urgency=medium\n\n` +
    `  * Built by npm run package from ${opts.revision}.\n` +
    `    The project's history is its git log.\n\n` +
    ` -- ${opts.maintainer}  ${opts.date.toUTCString().replace("GMT", "+0000")}\n`;
  return gzipSync(text, { level: 9 });
}

const roffEscape = (s: string) => s.replace(/\\/g, "\\e").replace(/^([.'])/gm, "\\&$1").replace(/-/g, "\\-");

/** station-agent(1) from `station-agent --help` (run with the built program). */
export function manPage(opts: { help: string; version: string; date: Date }): Buffer {
  const lines = opts.help.split("\n");
  const cmdStart = lines.findIndex((l) => /^Commands:/.test(l));
  const commands: Array<[string, string]> = [];
  for (const l of cmdStart >= 0 ? lines.slice(cmdStart + 1) : []) {
    const m = /^ {2}(\S.*?)\s{2,}(\S.*)$/.exec(l);
    if (m) commands.push([m[1], m[2]]);
    else if (/^ {4,}\S/.test(l) && commands.length) commands[commands.length - 1][1] += ` ${l.trim()}`;
  }
  const month = opts.date.toISOString().slice(0, 10);
  const text = [
    `.TH STATION\\-AGENT 1 "${month}" "station-agent ${opts.version}" "User Commands"`,
    ".SH NAME",
    "station\\-agent \\- environmental monitoring station agent (analyzers to HJ 212 platforms)",
    ".SH SYNOPSIS",
    ".B station\\-agent",
    ".I command",
    "[\\fIoptions\\fR]",
    ".SH DESCRIPTION",
    "Polls the station's analyzers over Modbus RTU/TCP and ASCII serial, stores every reading in a local",
    "SQLite database first, QC\\-flags and aggregates it, and reports it to HJ 212 (and JSON) platforms,",
    "each with its own durable delivery cursor. The service runs as",
    ".B station\\-agent run",
    "under systemd (station\\-agent.service). Every command takes \\fB\\-\\-config\\fR \\fIFILE\\fR and",
    "\\fB\\-\\-help\\fR; most take \\fB\\-\\-json\\fR.",
    ".SH COMMANDS",
    ...commands.flatMap(([c, d]) => [".TP", `.B ${roffEscape(c)}`, roffEscape(d)]),
    ".SH FILES",
    ".TP",
    ".I /etc/station\\-agent/station.yaml",
    "The station configuration (also \\fBSTATION_AGENT_CONFIG\\fR); check it with \\fBstation\\-agent config check\\fR.",
    ".TP",
    ".I /var/lib/station\\-agent",
    "The database, the control socket and clock\\-set requests.",
    ".TP",
    ".I /usr/share/doc/station\\-agent/README.md",
    "The full documentation.",
    ".SH EXIT STATUS",
    "0 on success; 78 for an invalid configuration; 70 for an unexpected error of the service.",
    ".SH SEE ALSO",
    ".BR systemctl (1),",
    ".BR journalctl (1)",
    "",
  ].join("\n");
  return gzipSync(text, { level: 9 });
}

/** shlibs:Depends of the native modules from dpkg-shlibdeps, or a plain list when it is missing. */
export function nativeDepends(files: readonly string[], workDir: string): string {
  if (!files.length) return "";
  const fallback = "libc6, libgcc-s1, libstdc++6";
  const r = spawnSync("dpkg-shlibdeps", ["-O", "--ignore-missing-info", ...files.map((f) => `-e${f}`)], {
    cwd: workDir,
    encoding: "utf8",
  });
  const m = /shlibs:Depends=(.*)/.exec(r.stdout ?? "");
  return r.status === 0 && m ? m[1].trim() : fallback;
}
