// A bus's line and what polls each analyzer on it, picked by the drivers' kind: Modbus analyzers share
// a Modbus transport (RTU or TCP), an ASCII instrument gets the serial port (an rtu bus's path and line
// settings) to itself. The poller and the probe command see only `Line` and `Polled`.
import type { AnalyzerConfig, BusConfig } from "../../config/schema.js";
import { getDriver } from "../../drivers/index.js";
import type { Driver } from "../../drivers/types.js";
import type { Reading } from "../types.js";
import { SerialAsciiPort, type AsciiPort } from "./ascii-port.js";
import { noAnswerAscii, planAscii, pollAscii } from "./ascii.js";
import { SerialHj212Port, type Hj212Port } from "./hj212-port.js";
import { noAnswerHj212, planHj212, pollHj212 } from "./hj212-serial.js";
import { pollPlan, type PollOutcome } from "./poll.js";
import { noAnswerReadings, planAnalyzer } from "./readings.js";
import { createTransport, type Transport, type TransportOptions } from "./transport.js";

export interface Line {
  readonly isOpen: boolean;
  open(): Promise<void>;
  close(): Promise<void>;
}

/** One analyzer, ready to poll. */
export interface Polled {
  analyzer: AnalyzerConfig;
  /** `driver-id@version`. */
  source: string;
  /** Modbus requests per poll (1 for an ASCII record). */
  requestsPerPoll: number;
  poll(timeoutMs: number, retries: number): Promise<PollOutcome>;
  noAnswer(ts: number): Reading[];
  /** The Modbus requests a poll sends now (a read refused over a hole is split, and stays split). */
  requests?(): Array<{ fc: number; address: number; count: number }>;
}

export interface BusConnection {
  line: Line;
  polled: Polled[];
}

/** Thrown for a bus whose analyzers cannot share it (a config problem, found at start). */
export class BusSetupError extends Error {
  readonly busSetup = true as const;
  constructor(
    readonly bus: string,
    detail: string,
  ) {
    super(`bus ${bus}: ${detail}`);
    this.name = "BusSetupError";
  }
}

export interface ConnectOptions extends TransportOptions {
  /** Injected Modbus transport (tests, the CLI). */
  transport?: Transport;
  /** Injected ASCII port. */
  asciiPort?: AsciiPort;
  /** Injected port of an instrument that sends HJ 212 itself. */
  hj212Port?: Hj212Port;
}

export function connectBus(bus: BusConfig, analyzers: readonly AnalyzerConfig[], opts: ConnectOptions = {}): BusConnection {
  const withDrivers = analyzers.map((a): [AnalyzerConfig, Driver] => {
    if (a.bus !== bus.id) throw new BusSetupError(bus.id, `analyzer ${a.id} is on bus "${a.bus}"`);
    const driver = getDriver(a.driver);
    if (!driver) throw new BusSetupError(bus.id, `analyzer ${a.id}: unknown driver "${a.driver}"`);
    return [a, driver];
  });
  const listening = withDrivers.find(([, d]) => d.protocol === "hj212");
  if (listening) {
    // Its frames carry no address either: the line is its alone, and nothing is ever sent on it.
    const [analyzer, driver] = listening;
    if (bus.type !== "rtu") throw new BusSetupError(bus.id, `HJ 212 serial instrument ${analyzer.id} needs a serial line (type: rtu)`);
    if (withDrivers.length > 1) throw new BusSetupError(bus.id, `HJ 212 serial instrument ${analyzer.id} needs the line to itself`);
    if (driver.protocol !== "hj212") throw new Error("unreachable");
    const port = opts.hj212Port ?? new SerialHj212Port(bus, opts);
    const plan = planHj212(analyzer, driver);
    return {
      line: port,
      polled: [{ analyzer, source: plan.source, requestsPerPoll: 0, poll: (t) => pollHj212(port, plan, t), noAnswer: (ts) => noAnswerHj212(plan, ts) }],
    };
  }
  const ascii = withDrivers.filter(([, d]) => d.protocol === "ascii");
  if (ascii.length > 0) {
    // An ASCII instrument's answers carry no address: two devices, or Modbus traffic, on its line would mix.
    if (bus.type !== "rtu") throw new BusSetupError(bus.id, `ASCII instrument ${ascii[0][0].id} needs a serial line (type: rtu)`);
    if (withDrivers.length > 1) throw new BusSetupError(bus.id, `ASCII instrument ${ascii[0][0].id} needs the line to itself (also on it: ${withDrivers.filter(([a]) => a !== ascii[0][0]).map(([a]) => a.id).join(", ")})`);
    const [analyzer, driver] = ascii[0];
    if (driver.protocol !== "ascii") throw new Error("unreachable");
    const port = opts.asciiPort ?? new SerialAsciiPort(bus, opts);
    const plan = planAscii(analyzer, driver);
    return {
      line: port,
      polled: [{ analyzer, source: plan.source, requestsPerPoll: 1, poll: (t, r) => pollAscii(port, plan, t, r), noAnswer: (ts) => noAnswerAscii(plan, ts) }],
    };
  }
  const transport = opts.transport ?? createTransport(bus, opts);
  return {
    line: transport,
    polled: withDrivers.map(([analyzer, driver]) => {
      if (driver.protocol !== "modbus") throw new Error("unreachable");
      // Planned once per device, here: every poll sends the same coalesced requests.
      const plan = planAnalyzer(analyzer, driver);
      return {
        analyzer,
        source: plan.source,
        requestsPerPoll: plan.requests.length,
        poll: (t, r) => pollPlan(transport, plan, t, r),
        noAnswer: (ts) => noAnswerReadings(plan, ts),
        requests: () => plan.requests.map((q) => ({ fc: q.fc, address: q.address, count: q.count })),
      };
    }),
  };
}
