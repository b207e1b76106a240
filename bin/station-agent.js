#!/usr/bin/env node
// Entry point. A built install (npm run build) runs the compiled JavaScript in dist/;
// a source checkout runs the TypeScript directly through tsx, so `npm start` works right after `npm ci`.
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const built = join(root, "dist", "agent", "cli", "index.js");
if (existsSync(built) && !process.env.STATION_AGENT_FROM_SOURCE) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import(pathToFileURL(join(root, "agent", "cli", "index.ts")).href);
}
