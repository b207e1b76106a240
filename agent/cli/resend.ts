// `station-agent resend --platform P --from T --to T [--kind minute|hour|day]`: stored data of a
// range goes to a platform again as new packets. Through the running service (then a progress bar
// follows their acks), or straight into the database when no service runs, saying so.
import type { Command } from "commander";
import type { StationConfig } from "../../config/schema.js";
import { AggregateStore } from "../aggregate/store.js";
import { callControl, controlSocketPath } from "../control/socket.js";
import { channelLookup } from "../main.js";
import { openDb } from "../store/db.js";
import { ReadingStore } from "../store/readings.js";
import { formatLocal, parseCliTime } from "../time.js";
import { Outbox } from "../uplink/outbox.js";
import { queueResend, RESEND_KINDS, type ResendKind, type ResendResult } from "../uplink/resend.js";
import { configPath, loadConfigOrExit } from "./common.js";
import { printJson } from "./format.js";
import { progressBar } from "./progress.js";

interface Opts {
  config?: string;
  platform: string;
  from: string;
  to: string;
  kind: string;
  wait: boolean;
  json?: boolean;
}

async function serviceRunning(cfg: StationConfig): Promise<boolean> {
  try {
    await callControl(controlSocketPath(cfg.storage.path), "ping", {}, 2000);
    return true;
  } catch {
    return false;
  }
}

/** No service: the packets go into the outbox now and out when the service starts. */
function queueDirect(cfg: StationConfig, req: { platform: string; from: number; to: number; kind: ResendKind }): ResendResult {
  const db = openDb(cfg.storage.path);
  try {
    const readings = new ReadingStore(db);
    const deps = {
      outbox: new Outbox(db, cfg.station.timezone), aggregates: new AggregateStore(db, readings, cfg.station.timezone),
      lookup: channelLookup(cfg), tz: cfg.station.timezone, platforms: cfg.platforms, transaction: <T>(fn: () => T) => db.transaction(fn)(),
    };
    return queueResend(deps, req);
  } finally {
    db.close();
  }
}

/** Follows the acks of the resent packets (read-only, beside the service) until all are in. */
async function follow(cfg: StationConfig, r: ResendResult): Promise<void> {
  if (r.firstId === null || r.lastId === null) return;
  const db = openDb(cfg.storage.path, { readonly: true });
  const outbox = new Outbox(db, cfg.station.timezone);
  const bar = progressBar(r.queued, `acked by ${r.platform}`);
  let acked = 0;
  try {
    while (acked < r.queued) {
      await new Promise((res) => setTimeout(res, 500));
      const now = outbox.ackedBetween(r.platform, r.firstId, r.lastId);
      if (now > acked) bar.tick("", now - acked);
      acked = now;
    }
  } finally {
    bar.done();
    db.close();
  }
}

export function registerResend(program: Command): void {
  program
    .command("resend")
    .description("send stored data of a time range to a platform again, as new packets")
    .option("-c, --config <file>", "station config file")
    .requiredOption("-p, --platform <id>", "platform id")
    .requiredOption("--from <time>", "start, YYYY-MM-DDTHH:MM[:SS] station local time")
    .requiredOption("--to <time>", "end (included), YYYY-MM-DDTHH:MM[:SS] station local time")
    .option("-k, --kind <kind>", `what to resend: ${RESEND_KINDS.join(", ")}`, "minute")
    .option("--no-wait", "return once queued, without following the acks")
    .option("--json", "JSON output")
    .action(async (opts: Opts) => {
      const { config } = loadConfigOrExit(configPath(opts.config));
      const tz = config.station.timezone;
      if (!(RESEND_KINDS as readonly string[]).includes(opts.kind)) {
        console.error(`unknown --kind "${opts.kind}" (one of ${RESEND_KINDS.join(", ")})`);
        process.exit(2);
      }
      let from: number, to: number;
      try {
        from = parseCliTime(opts.from, tz);
        to = parseCliTime(opts.to, tz);
      } catch (err) {
        console.error((err as Error).message);
        process.exit(2);
      }
      const req = { platform: opts.platform, from, to, kind: opts.kind as ResendKind };
      const running = await serviceRunning(config);
      let r: ResendResult;
      try {
        r = running
          ? ((await callControl(controlSocketPath(config.storage.path), "resend", { ...req, actor: `cli:${process.env.SUDO_USER ?? process.env.USER ?? "?"}` }, 60_000)) as ResendResult)
          : queueDirect(config, req);
      } catch (err) {
        console.error(`resend failed: ${(err as Error).message}`);
        process.exit(1);
      }
      const range = `${formatLocal(from, tz)} – ${formatLocal(to, tz)}`;
      if (!running) {
        // The running service records its resends in the audit trail; without it there is no trail to write to.
        const note = "service NOT running: packets queued in the database; they go out when the service starts";
        if (opts.json) return printJson({ ...r, service: { running: false } });
        return console.log(`${r.queued} ${r.kind} packets for ${r.platform} (${range}) queued. ${note}`);
      }
      if (!opts.json) console.log(`${r.queued} ${r.kind} packets for ${r.platform} (${range}) queued by the service`);
      if (opts.wait && r.queued) await follow(config, r);
      if (opts.json) printJson({ ...r, service: { running: true }, waited: opts.wait });
    });
}
