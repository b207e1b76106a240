// The two ways a check reaches its instrument (run.ts CheckIo). In the service, commands go through
// the bus's poller (its one line, between polls) and the readings are the ones the service stores.
// From the CLI with no service, the check opens the bus itself and polls the analyzer on its own.
import type { AnalyzerConfig, StationConfig } from "../../config/schema.js";
import { connectBus } from "../bus/line.js";
import type { BusPoller } from "../bus/poller.js";
import type { CommandWrite } from "../bus/readings.js";
import { createTransport } from "../bus/transport.js";
import type { ReadingStore } from "../store/readings.js";
import type { Reading } from "../types.js";
import type { CheckIo } from "./run.js";

export class CheckAbortedError extends Error {
  readonly aborted = true as const;
  constructor() {
    super("the check was aborted (the agent is stopping)");
    this.name = "CheckAbortedError";
  }
}

/** A sleep that an AbortSignal cuts short with CheckAbortedError. */
export function abortableSleep(signal: AbortSignal): (ms: number) => Promise<void> {
  return (ms) =>
    new Promise((resolve, reject) => {
      if (signal.aborted) return reject(new CheckAbortedError());
      const t = setTimeout(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(t);
        reject(new CheckAbortedError());
      };
      signal.addEventListener("abort", onAbort, { once: true });
    });
}

/** Inside the service: the poller writes, the store has the readings (ids only grow, so an id is a mark). */
export function serviceIo(pollers: () => readonly BusPoller[], readings: ReadingStore, signal: AbortSignal): CheckIo {
  return {
    async write(a, w) {
      const p = pollers().find((x) => x.bus.id === a.bus);
      if (!p) throw new Error(`analyzer ${a.id}: bus ${a.bus} is not polled by this agent`);
      await p.writeCommand(a.id, w);
    },
    mark: () => readings.maxId(),
    readingsSince(mark, analyzer, channel) {
      const out: Reading[] = [];
      for (let after = mark; ; ) {
        const page = readings.after(after, 5000);
        if (!page.length) return out;
        out.push(...page.filter((r) => r.analyzer === analyzer && r.channel === channel));
        after = page[page.length - 1].id;
      }
    },
    sleep: abortableSleep(signal),
  };
}

/** A direct connection for one check, polling the analyzer at its interval until closed. */
export interface DirectIo extends CheckIo {
  close(): Promise<void>;
}

export async function directIo(cfg: StationConfig, a: AnalyzerConfig, signal: AbortSignal): Promise<DirectIo> {
  const bus = cfg.buses.find((b) => b.id === a.bus);
  if (!bus) throw new Error(`analyzer ${a.id}: no bus "${a.bus}" in the config`);
  const transport = createTransport(bus, { reconnectMinMs: 500, reconnectMaxMs: 2000 });
  const { polled } = connectBus(bus, [a], { transport });
  const [p] = polled;
  await transport.open();
  const seen: Reading[] = [];
  const timeout = a.timeout_ms ?? bus.timeout_ms;
  let stopped = false;
  // One poll before the check starts: a check-result register's old result is seen (and so not
  // taken for the new one), as the service's poller has seen it.
  seen.push(...(await p.poll(timeout, a.retries)).readings);
  const loop = (async () => {
    while (!stopped) {
      const t0 = Date.now();
      const outcome = await p.poll(timeout, a.retries);
      seen.push(...outcome.readings);
      const wait = Math.max(0, a.interval_s * 1000 - (Date.now() - t0));
      await new Promise((r) => setTimeout(r, wait));
    }
  })();
  return {
    write: (x: AnalyzerConfig, w: CommandWrite) => transport.write(x.slave, w.fc, w.address, w.values, timeout),
    mark: () => seen.length,
    readingsSince: (mark, analyzer, channel) => seen.slice(mark).filter((r) => r.analyzer === analyzer && r.channel === channel),
    sleep: abortableSleep(signal),
    async close() {
      stopped = true;
      await loop;
      await transport.close();
    },
  };
}
