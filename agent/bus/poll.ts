// One poll of one Modbus analyzer: its plan's requests in order, each retried, decoded to Readings.
// The ASCII counterpart is pollAscii (ascii.ts); both return a PollOutcome.
import type { Reading } from "../types.js";
import { BusClosedError, ModbusExceptionError } from "./errors.js";
import { decodePoll, noAnswerReadings, type AnalyzerPlan, type PollResponse, type ResolvedState } from "./readings.js";
import type { Transport } from "./transport.js";
import { splitRequest } from "./plan.js";

/** Outcome of one poll on the wire. */
export type PollOutcome =
  | { ok: true; readings: Reading[]; state: ResolvedState }
  | { ok: false; readings: Reading[]; error: Error };

/**
 * Reads everything an analyzer's plan asks for, retrying each request up to `retries` times; a failure
 * becomes B readings. Each response is timestamped when it arrived.
 */
export async function pollPlan(transport: Transport, plan: AnalyzerPlan, timeoutMs: number, retries = plan.analyzer.retries): Promise<PollOutcome> {
  const { slave } = plan.analyzer;
  const responses: PollResponse[] = [];
  try {
    for (let i = 0; i < plan.requests.length; i++) {
      const request = plan.requests[i];
      for (let attempt = 0; ; attempt++) {
        try {
          const data = await transport.read(slave, request.fc, request.address, request.count, timeoutMs);
          responses.push({ request, data, ts: Date.now() });
          break;
        } catch (e) {
          // A coalesced read over a hole in the map (exception 02 illegal address, 03 illegal value): read
          // its parts instead, now and from then on (until restart), rather than losing the whole poll.
          if (e instanceof ModbusExceptionError && (e.code === 2 || e.code === 3)) {
            const parts = splitRequest(request);
            if (parts.length > 1) {
              plan.requests.splice(i, 1, ...parts);
              i--;
              break;
            }
          }
          // Retry what may succeed on a second try: timeouts, garbled answers, busy slaves (as Telegraf does).
          const final = e instanceof BusClosedError || (e instanceof ModbusExceptionError && !e.retryable);
          if (final || attempt >= retries) throw e;
        }
      }
    }
  } catch (e) {
    return { ok: false, readings: noAnswerReadings(plan, Date.now()), error: e as Error };
  }
  return { ok: true, ...decodePoll(plan, responses) };
}
