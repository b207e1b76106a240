import { test } from "node:test";
import assert from "node:assert/strict";
import { batchSummary, countByFlag } from "../../../agent/store/ingest-queue.js";

test("a stored batch's summary: analyzers in order of first appearance, readings counted by analyzer and flag", () => {
  const rows = [
    { analyzer: "so2", flag: "N" }, { analyzer: "o3", flag: "N" }, { analyzer: "so2", flag: "B" },
    { analyzer: "9", flag: "N" }, { analyzer: "o3", flag: "N" }, { analyzer: "so2", flag: "N" },
  ];
  const s = batchSummary(rows);
  assert.deepEqual(s.analyzers, ["so2", "o3", "9"]);
  assert.deepEqual(s.byFlag, { so2: { N: 2, B: 1 }, o3: { N: 2 }, 9: { N: 1 } });
  assert.deepEqual(countByFlag(rows), s.byFlag);
  assert.deepEqual(batchSummary([]), { analyzers: [], byFlag: {} });
});
