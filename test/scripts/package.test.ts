// The Debian package (scripts/package.ts): built once with dpkg-deb, checked by lintian (no error),
// then installed, upgraded, removed and purged with the real dpkg into a scratch root
// (--root with --force-script-chrootless: the maintainer scripts run on this host with DPKG_ROOT
// set, and every path they touch is under it). Files, modes, owners, the system user and its
// groups, the config and state directories and the enabled units are read back from that root.
// Skipped with the reason where dpkg-deb is missing or the test cannot run as root.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../helpers/station.js";

const has = (cmd: string) => !spawnSync(cmd, ["--version"], { encoding: "utf8" }).error;
const skip = !has("dpkg-deb") ? "dpkg-deb not installed" : process.getuid?.() !== 0 ? "dpkg into a scratch root needs root (run as root)" : false;
if (skip) console.log(`# package tests skipped: ${skip}`);

let tmp: { dir: string; cleanup: () => void };
let deb = "";
let pkg: typeof import("../../scripts/package.js");
let root = "";
const LIB = "usr/lib/station-agent";

function dpkg(...args: string[]) {
  const r = spawnSync("dpkg", [`--root=${root}`, "--force-script-chrootless", "--force-depends", "--log=/dev/null", ...args], { encoding: "utf8" });
  assert.equal(r.status, 0, `dpkg ${args.join(" ")}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** The smallest root dpkg and useradd --prefix work in: a dpkg database and the account files. */
function scratchRoot(dir: string): string {
  const r = join(dir, "root");
  for (const d of ["etc", "var/lib/dpkg/info", "var/lib/dpkg/updates", "tmp"]) mkdirSync(join(r, d), { recursive: true });
  writeFileSync(join(r, "var/lib/dpkg/status"), "");
  writeFileSync(join(r, "var/lib/dpkg/available"), "");
  writeFileSync(join(r, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
  writeFileSync(join(r, "etc/group"), "root:x:0:\ndialout:x:20:\n");
  writeFileSync(join(r, "etc/shadow"), "root:*:19000:0:99999:7:::\n", { mode: 0o640 });
  writeFileSync(join(r, "etc/gshadow"), "root:*::\ndialout:*::\n", { mode: 0o640 });
  return r;
}

const account = (file: "passwd" | "group", name: string) =>
  readFileSync(join(root, "etc", file), "utf8").split("\n").find((l) => l.startsWith(`${name}:`))?.split(":");
const mode = (p: string) => (statSync(join(root, p)).mode & 0o7777).toString(8).padStart(4, "0");

before(async () => {
  if (skip) return;
  tmp = tempDir("station-deb-");
  pkg = await import("../../scripts/package.js");
  deb = pkg.buildPackage({ out: tmp.dir, fast: true, log: () => {} }).deb;
  root = scratchRoot(tmp.dir);
});
after(() => tmp?.cleanup());

test("npm run package builds station-agent_<version>_<arch>.deb with the contract's control fields", { skip }, () => {
  const version = (JSON.parse(readFileSync(join(import.meta.dirname, "../../package.json"), "utf8")) as { version: string }).version;
  const arch = spawnSync("dpkg", ["--print-architecture"], { encoding: "utf8" }).stdout.trim();
  assert.ok(deb.endsWith(`/station-agent_${version}_${arch}.deb`), deb);
  const field = (f: string) => spawnSync("dpkg-deb", ["--field", deb, f], { encoding: "utf8" }).stdout.trim();
  assert.equal(field("Package"), "station-agent");
  assert.equal(field("Architecture"), arch);
  assert.match(field("Depends"), /^nodejs \(>= 20\)/);
  assert.match(field("Depends"), /libc6/, "native modules need the C library");
  const list = spawnSync("dpkg-deb", ["--contents", deb], { encoding: "utf8", maxBuffer: 64 << 20 }).stdout;
  for (const line of list.split("\n").filter(Boolean)) assert.match(line, /^\S+ root\/root /, `owned by root: ${line}`);
  assert.doesNotMatch(list, /node_modules\/(typescript|tsx|esbuild|@esbuild|@types)\//, "no development or source-only modules");
  assert.doesNotMatch(list, /prebuilds\/(win32|darwin|android)/, "no binaries of other systems");
});

test("lintian finds no error in the package", { skip: skip || (!has("lintian") && "lintian not installed") }, (t) => {
  const findings = pkg.lintian(deb);
  t.diagnostic(`lintian: ${findings.length} findings, ${new Set(findings.map((f) => f.split(" ")[2])).size} tags`);
  assert.deepEqual(findings.filter((f) => f.startsWith("E: ")), []);
});

test("installed into a scratch root: files, modes, owners, the user, the config, units enabled but not started", { skip }, () => {
  const out = dpkg("-i", deb);
  assert.match(out, /wrote \/etc\/station-agent\/station\.yaml from the example/);
  // Program files: root's, 0644, scripts 0755, on the paths the units name.
  for (const [p, m] of [[`${LIB}/bin/station-agent.js`, "0755"], [`${LIB}/scripts/settime.sh`, "0755"], [`${LIB}/config/station.example.yaml`, "0644"], [`${LIB}/dist/agent/cli/index.js`, "0644"], ["lib/systemd/system/station-agent.service", "0644"], ["usr/share/doc/station-agent/copyright", "0644"], ["usr/share/man/man1/station-agent.1.gz", "0644"]] as const) {
    assert.equal(mode(p), m, p);
    assert.equal(statSync(join(root, p)).uid, 0, `${p} owned by root`);
  }
  assert.equal(readlinkSync(join(root, "usr/bin/station-agent")), "../lib/station-agent/bin/station-agent.js");
  const unit = readFileSync(join(root, "lib/systemd/system/station-agent.service"), "utf8");
  assert.match(unit, /^ExecStart=\/usr\/bin\/node .* \/usr\/lib\/station-agent\/bin\/station-agent\.js run$/m);
  assert.doesNotMatch(unit + readFileSync(join(root, "lib/systemd/system/station-agent-settime.service"), "utf8"), /\/opt\//);

  // The system user, in dialout and gpio, with a nologin shell.
  const user = account("passwd", "station-agent");
  assert.ok(user, "user station-agent created in the root");
  const [uid, gid] = [Number(user[2]), Number(user[3])];
  assert.ok(uid > 0 && uid < 1000, `a system uid: ${uid}`);
  assert.equal(user[6], "/usr/sbin/nologin");
  assert.equal(Number(account("group", "station-agent")![2]), gid);
  for (const g of ["dialout", "gpio"]) assert.ok(account("group", g)![3].split(",").includes("station-agent"), `in ${g}`);

  // Config 0750 root:station-agent with the example (0640), its database path the state directory.
  for (const [p, m, o] of [["etc/station-agent", "0750", 0], ["etc/station-agent/station.yaml", "0640", 0], ["var/lib/station-agent", "0750", uid]] as const) {
    assert.equal(mode(p), m, p);
    assert.equal(statSync(join(root, p)).uid, o, `${p} owner`);
    assert.equal(statSync(join(root, p)).gid, gid, `${p} group`);
  }
  assert.match(readFileSync(join(root, "etc/station-agent/station.yaml"), "utf8"), /^ {2}path: \/var\/lib\/station-agent\/station\.db$/m);

  // Enabled (the wants symlinks), not started: nothing runs under a scratch root.
  for (const u of ["station-agent.service", "station-agent-settime.path"])
    assert.equal(readlinkSync(join(root, "etc/systemd/system/multi-user.target.wants", u)), `/lib/systemd/system/${u}`);
  assert.ok(!existsSync(join(root, "var/lib/station-agent/station.db")), "the agent did not run");
});

test("the installed program runs on its production modules alone (config check, native SQLite)", { skip }, () => {
  const cli = join(root, LIB, "bin/station-agent.js");
  const env = { ...process.env, STATION_AGENT_FROM_SOURCE: "" };
  const r = spawnSync(process.execPath, [cli, "config", "check", join(root, "etc/station-agent/station.yaml")], { encoding: "utf8", env });
  assert.equal(r.status, 0, r.stderr);
  const sqlite = spawnSync(process.execPath, ["-e", `const D = require(${JSON.stringify(join(root, LIB, "node_modules/better-sqlite3"))}); console.log(new D(":memory:").prepare("select 41 + 1 AS x").get().x)`], { encoding: "utf8" });
  assert.equal(sqlite.stdout.trim(), "42", sqlite.stderr);
});

test("upgrade keeps an edited config; remove keeps data, config and user; purge removes them", { skip }, () => {
  const conf = join(root, "etc/station-agent/station.yaml");
  writeFileSync(conf, readFileSync(conf, "utf8") + "# edited by the installer\n");
  writeFileSync(join(root, "var/lib/station-agent/station.db"), "unsent data");
  const again = dpkg("-i", deb);
  assert.doesNotMatch(again, /wrote \/etc\/station-agent/);
  assert.match(readFileSync(conf, "utf8"), /# edited by the installer\n$/);

  dpkg("--remove", "station-agent");
  assert.ok(!existsSync(join(root, LIB)), "program removed");
  assert.ok(!existsSync(join(root, "lib/systemd/system/station-agent.service")), "unit removed");
  assert.equal(readFileSync(join(root, "var/lib/station-agent/station.db"), "utf8"), "unsent data");
  assert.match(readFileSync(conf, "utf8"), /# edited by the installer/);
  assert.ok(account("passwd", "station-agent"), "user kept");

  dpkg("--purge", "station-agent");
  assert.ok(!existsSync(join(root, "var/lib/station-agent")), "data purged");
  assert.ok(!existsSync(join(root, "etc/station-agent")), "config purged");
  assert.equal(account("passwd", "station-agent"), undefined, "user purged");
  assert.equal(account("group", "station-agent"), undefined, "group purged");
  assert.ok(!existsSync(join(root, "etc/systemd/system/multi-user.target.wants/station-agent.service")), "unit links purged");
});
