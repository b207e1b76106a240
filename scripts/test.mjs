// Runs every test file under test/ with Node's built-in runner. Node 20 does not expand globs
// itself, so the files are listed here explicitly; the runner's summary counts all of them.
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { spawnSync } from "node:child_process";

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...find(p));
    else if (name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}

const only = process.argv.slice(2);
const files = (only.length ? only : find("test")).map((f) => relative(process.cwd(), f));
console.log(`running ${files.length} test files`);
const r = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=2", "--test-reporter=spec", ...files], {
  stdio: "inherit",
  env: { ...process.env, STATION_AGENT_FROM_SOURCE: "1" },
});
process.exit(r.status ?? 1);
