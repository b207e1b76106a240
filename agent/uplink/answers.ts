// The station's side of HJ 212's interaction answers, as segments (pure):
// 9011 request answer (QnRtn), 9012 execution result (ExeRtn), 9013 notice answer, 9014 data answer.
// Each echoes the request's QN, which is what ties it to the request; ST is 91 (system interaction),
// and none of them asks for an answer itself.
import { buildSegment, flagBits, type Protocol } from "./hj212/codec.js";

import { EXE_RTN, QN_RTN } from "./hj212/returns.js";

export { EXE_RTN, QN_RTN };

/** Who the station is to this platform. */
export interface AnswerIdentity {
  st: string;
  pw: string;
  mn: string;
  protocol: Protocol;
}

/** A QN echoed only when it is one: a malformed request QN is left out rather than refusing to answer. */
const echo = (qn: string | undefined): string | undefined => (qn && /^\d{17}$/.test(qn) ? qn : undefined);

function answer(id: AnswerIdentity, qn: string | undefined, cn: string, cp: string): string {
  return buildSegment({ qn: echo(qn), st: "91", cn, pw: id.pw, mn: id.mn, flag: flagBits(id.protocol, { ack: false }) }, cp);
}

export const qnRtn = (id: AnswerIdentity, qn: string | undefined, code: number): string => answer(id, qn, "9011", `QnRtn=${code}`);
export const exeRtn = (id: AnswerIdentity, qn: string | undefined, code: number): string => answer(id, qn, "9012", `ExeRtn=${code}`);
export const noticeAnswer = (id: AnswerIdentity, qn: string | undefined): string => answer(id, qn, "9013", "");
export const dataAnswer = (id: AnswerIdentity, qn: string | undefined): string => answer(id, qn, "9014", "");

/** Data that answers a "get" request (1011 SystemTime, 1061 RtdInterval…): the request's CN and QN, the station's ST. */
export function getAnswer(id: AnswerIdentity, qn: string | undefined, cn: string, cp: string): string {
  return buildSegment({ qn: echo(qn), st: id.st, cn, pw: id.pw, mn: id.mn, flag: flagBits(id.protocol, { ack: false }) }, cp);
}

/** HJ 212-2025 heartbeat: tells the platform the link is alive when there is nothing else to send. */
export function heartbeat(id: AnswerIdentity, qn: string, ack = false): string {
  return buildSegment({ qn, st: id.st, cn: "9015", pw: id.pw, mn: id.mn, flag: flagBits(id.protocol, { ack }) }, "");
}
