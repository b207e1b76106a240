// Wrong passwords and malformed frames cost little: over a real socket, a flood of them gets a few
// answers, and the counts come as one log line and one audit entry a minute, never one per frame.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createLogger } from "../../../agent/log.js";
import { DownlinkGuard } from "../../../agent/uplink/downlink-guard.js";
import { waitFor } from "../../helpers/station.js";
import { harness } from "./harness.js";

test("guard: a burst, then one answer every 6 s; every frame counted; one summary line and audit entry", () => {
  let now = 0;
  const lines: string[] = [];
  const audit: Array<{ action: string; details?: Record<string, unknown> }> = [];
  const g = new DownlinkGuard("city", { log: createLogger({ write: (l) => lines.push(l) }), audit: { append: (e) => audit.push(e) }, now: () => now });
  const answered = Array.from({ length: 20 }, () => g.allow("wrong-pw")).filter(Boolean).length;
  assert.equal(answered, 5);
  now += 12_000;
  assert.deepEqual([g.allow("wrong-pw"), g.allow("wrong-pw"), g.allow("wrong-pw")], [true, true, false]);
  g.allow("malformed", false);
  assert.deepEqual(g.snapshot(), { counts: { "wrong-pw": 23, malformed: 1 }, unanswered: 16 });
  assert.equal(lines.length, 0, "nothing logged per frame");
  g.flush();
  assert.equal(lines.length, 1);
  assert.match(lines[0], /24 bad frames in the last minute \(23 wrong-pw, 1 malformed\); 16 left unanswered/);
  assert.deepEqual(audit.map((e) => [e.action, e.details?.["wrong-pw"], e.details?.unanswered]), [["platform.bad_frames", 23, 16]]);
  g.flush();
  assert.equal(lines.length, 1, "an empty minute says nothing");
});

test("over the socket: 40 requests with a wrong password get at most 5 QnRtn=3; garbage gets none; a good request still works", async () => {
  const lines: string[] = [];
  const h = await harness({ deps: { log: createLogger({ write: (l) => lines.push(l) }) } });
  try {
    const qns = Array.from({ length: 40 }, () => h.receiver.request({ cn: "1011", cp: "", pw: "wrong", mn: h.session.mn }));
    for (let i = 0; i < 40; i++) h.receiver.sendRaw("##0010garbage!!!!\r\n");
    const ok = await h.ask("1011", "");
    assert.deepEqual(ok.cns, ["9011", "1011", "9012"]);
    await waitFor(() => h.session.state().badFrames >= 40, 3000, "garbage counted");
    const answered = qns.filter((qn) => h.receiver.answersTo(qn).length > 0).length;
    assert.ok(answered > 0 && answered <= 5, `${answered} answered`);
    assert.equal(lines.filter((l) => /wrong|bad frame|dropped/i.test(l)).length, 0, "no line per frame");
  } finally {
    await h.close();
  }
});
