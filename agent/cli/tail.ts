// `station-agent tail`: live readings as they are stored, read from the database (read-only, so
// it works beside the running service without disturbing it).
import type { Command } from "commander";
import { openDb } from "../store/db.js";
import { ReadingStore } from "../store/readings.js";
import { formatLocal } from "../time.js";
import { configPath, loadConfigOrExit } from "./common.js";

export function registerTail(program: Command): void {
  program
    .command("tail")
    .description("print readings as they are stored (Ctrl-C stops)")
    .option("-c, --config <file>", "station config file")
    .option("-a, --analyzer <id>", "only this analyzer")
    .option("--code <code>", "only this HJ 212 code")
    .option("-n, --lines <n>", "start with the last N readings", "10")
    .option("--json", "one JSON object per line")
    .action(async (opts: { config?: string; analyzer?: string; code?: string; lines: string; json?: boolean }) => {
      const { config } = loadConfigOrExit(configPath(opts.config));
      if (opts.analyzer && !config.analyzers.some((a) => a.id === opts.analyzer)) {
        console.error(`unknown analyzer "${opts.analyzer}" (known: ${config.analyzers.map((a) => a.id).join(", ")})`);
        process.exit(2);
      }
      const tz = config.station.timezone;
      const db = openDb(config.storage.path, { readonly: true });
      const store = new ReadingStore(db);
      let last = Math.max(0, store.maxId() - Number(opts.lines) * 20);
      let first = true;
      const tick = () => {
        const all = store.after(last, 5000);
        if (all.length) last = all[all.length - 1].id;
        let rows = all.filter((r) => (!opts.analyzer || r.analyzer === opts.analyzer) && (!opts.code || r.code === opts.code));
        if (first) rows = rows.slice(-Number(opts.lines));
        first = false;
        for (const r of rows) {
          if (opts.json) {
            process.stdout.write(JSON.stringify({ ...r, raw: r.raw ? r.raw.toString("hex") : null }) + "\n");
          } else {
            const v = r.value === null ? "-" : `${Number(r.value.toPrecision(7))} ${r.unit}`;
            process.stdout.write(`${formatLocal(r.ts, tz)}  ${r.analyzer}.${r.channel}${r.code ? ` (${r.code})` : ""} = ${v}  ${r.flag} ${r.state}\n`);
          }
        }
      };
      tick();
      const timer = setInterval(tick, 500);
      const stop = () => {
        clearInterval(timer);
        db.close();
        process.exit(0);
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
}
