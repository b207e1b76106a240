// The QNs a connection remembers to tell its own acks from forged ones: bounded by the window, not
// by the backlog (a 30-day drain sends 43,200 QNs per platform on one connection).
import { test } from "node:test";
import assert from "node:assert/strict";
import { SentQns } from "../../../agent/uplink/session-sm4.js";

test("a connection remembers four windows of QNs (at least 1024), the oldest forgotten first", () => {
  for (const [window, kept] of [[1, 1024], [64, 1024], [300, 1200], [1000, 4000]]) {
    const s = SentQns.forWindow(window);
    for (let i = 0; i < 43_200; i++) s.add(`q${i}`);
    assert.equal(s.has(`q${43_199 - kept + 1}`), true, `window ${window}: the ${kept}th newest is known`);
    assert.equal(s.has(`q${43_199 - kept}`), false, `window ${window}: older ones are forgotten`);
  }
  const s = new SentQns(3);
  ["a", "b", "a", "c", "d"].forEach((q) => s.add(q));
  // A QN sent again (a retransmit) keeps its place: "a" is still the oldest.
  assert.deepEqual(["a", "b", "c", "d"].map((q) => s.has(q)), [false, true, true, true]);
});
