// The service's JavaScript as one bundle (esbuild): the compiled agent and its pure-JavaScript
// packages (zod, yaml, commander, node-cron) in a few minified files instead of ~300 modules. V8
// keeps each module's source text on the heap for as long as its functions live, and zod's
// locales and comments alone are megabytes of it: the bundle runs the same code in ~3 MB less
// resident memory (docs/performance.md). Packages with native code or loaded only when
// configured (better-sqlite3, serialport, modbus-serial, mqtt, axios, …) stay in node_modules.
//
// Names are kept (classes, functions: error names and stack traces stay readable); the code is
// split at each dynamic import, so `run` still loads none of the other commands.
import { buildSync } from "esbuild";
import { mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..");
/** Packages bundled in: pure JavaScript, loaded by every run. */
export const BUNDLED = ["commander", "yaml", "zod", "node-cron"];

/**
 * Replaces the compiled tree `dist` (tsc's output, entry agent/cli/index.js) by the bundle, written
 * to the same entry path so that bin/station-agent.js and the paths the agent finds its assets and
 * demo config by (relative to agent/cli/) are unchanged.
 */
export function bundleDist(dist: string): void {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string>; optionalDependencies?: Record<string, string> };
  const external = Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies }).filter((d) => !BUNDLED.includes(d));
  // Beside dist (the same filesystem: moved into place, not copied).
  const out = `${dist}.bundle`;
  rmSync(out, { recursive: true, force: true });
  try {
    buildSync({
      entryPoints: [join(dist, "agent/cli/index.js")],
      outdir: out,
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "node",
      target: "node20",
      minify: true,
      keepNames: true,
      legalComments: "none",
      external: [...external, ...external.map((d) => `${d}/*`)],
      // The package stages dist/ before its node_modules: the bundled packages come from this checkout's.
      nodePaths: [join(ROOT, "node_modules")],
      // Bundled CommonJS (commander, yaml) calls require(): give the ESM bundle one.
      banner: { js: "import { createRequire as __agentRequire } from 'node:module'; const require = __agentRequire(import.meta.url);" },
      logLevel: "warning",
    });
    rmSync(dist, { recursive: true, force: true });
    mkdirSync(join(dist, "agent"), { recursive: true });
    renameSync(out, join(dist, "agent/cli"));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const dist = process.argv[2];
  if (!dist) throw new Error("usage: node --import tsx scripts/bundle.ts <dist directory of npm run build>");
  bundleDist(dist);
}
