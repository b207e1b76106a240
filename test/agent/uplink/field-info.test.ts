// 3020 field-machine info from real sources: the audit trail (i11001), the latest readings' state
// (i12001), the analyzer's settings (i13xxx); over the socket, with the answers HJ 212 expects.
import { test } from "node:test";
import assert from "node:assert/strict";
import { AuditLog } from "../../../agent/audit/log.js";
import { ReadingStore } from "../../../agent/store/readings.js";
import { fieldInfoSource, type AuditReader, type FieldAnalyzer } from "../../../agent/uplink/field-info.js";
import { harness, T0 } from "./harness.js";

const O3: FieldAnalyzer = { id: "o3", driver: "teledyne-t400", bus: "rs485", slave: 3, interval_s: 10, retries: 1 };
const SO2: FieldAnalyzer = { id: "so2", driver: "thermo-43i", bus: "rs485", slave: 4, interval_s: 5, timeout_ms: 800, retries: 2 };

function source(readings: Record<string, Array<{ flag: "N" | "C" | "D" | "B" }>>, audit?: AuditReader) {
  return fieldInfoSource({
    analyzers: [O3, SO2],
    codesOf: (id) => (id === "o3" ? ["a05024"] : ["a21026"]),
    latest: (id) => (readings[id] ?? []).map((r) => ({ ...r, ts: 0, state: "x" })),
    audit: () => audit,
  });
}

test("i12001 on Table B.10: the first flag in the precedence decides; no reading is no answer (2)", () => {
  const info = source({ o3: [{ flag: "N" }, { flag: "C" }], so2: [{ flag: "N" }, { flag: "D" }] });
  assert.deepEqual(info("a05024", "i12001"), [["i12001", "3"]], "a zero/span check is calibration 3");
  assert.deepEqual(info("so2", "i12001"), [["i12001", "2"]], "a fault is 2");
  assert.deepEqual(source({ o3: [{ flag: "N" }] })("a05024", "i12001"), [["i12001", "0"]], "a working analyzer is 0, not 1 (maintenance)");
  assert.deepEqual(source({})("a05024", "i12001"), [["i12001", "2"]]);
  assert.deepEqual(source({ o3: [{ flag: "B" }] })("a05024", undefined).slice(0, 2), [["i12001", "2"], ["i12002", "1"]]);
  assert.deepEqual(source({ o3: [{ flag: "N" }] })("a05024", "i12002"), [["i12002", "0"]]);
  assert.deepEqual(info("a99999", "i12001"), [], "unknown PolId");
});

test("i13xxx: the standard interval by default; the station's own codes only when named", () => {
  const info = source({});
  assert.deepEqual(info("a21026", undefined), [["i12001", "2"], ["i12002", "1"], ["i13003", "5"]]);
  assert.deepEqual(info("a21026", "i13902"), [["i13902", "4"]]);
  assert.deepEqual(info("a21026", "i13904"), [["i13904", "800"]]);
  assert.deepEqual(info("a05024", "i13904"), [], "no timeout of its own");
  assert.deepEqual(info("a05024", "i13901"), [["i13901", "teledyne-t400"]]);
});

test("i11001: audit entries about this analyzer or the whole station, latest ten or a time range", () => {
  const entries = [
    { ts: 1000, actor: "alice", action: "software.start", reason: null, details: {} },
    { ts: 2000, actor: "alice", action: "maintenance.start", reason: "filter change", details: { analyzer: "o3" } },
    { ts: 3000, actor: "bob", action: "maintenance.start", reason: null, details: { analyzer: "so2" } },
    { ts: 4000, actor: "platform:city", action: "calibration.request", reason: null, details: { polId: "a05024" } },
  ];
  const audit: AuditReader = { list: (o) => entries.filter((e) => e.ts >= (o.since ?? 0) && e.ts < (o.until ?? Infinity)) };
  const info = source({}, audit);
  assert.deepEqual(info("o3", "i11001"), [
    ["i11001", "//alice software.start//", 1000],
    ["i11001", "//alice maintenance.start: filter change//", 2000],
    ["i11001", "//platform:city calibration.request//", 4000],
  ]);
  assert.deepEqual(info("o3", "i11001", { begin: 1500, end: 3500 }), [["i11001", "//alice maintenance.start: filter change//", 2000]]);
  assert.deepEqual(source({})("o3", "i11001"), [], "no audit trail: no logs");
});

test("3020 over the socket: logs from the audit trail, one answer per DataTime, then 9012", async () => {
  let audit: AuditLog | undefined;
  let readings: ReadingStore | undefined;
  const h = await harness({
    deps: {
      fieldInfo: fieldInfoSource({
        analyzers: [O3],
        codesOf: () => ["a05024"],
        latest: (id) => readings?.latest().filter((r) => r.analyzer === id) ?? [],
        audit: () => audit, // opened after the handler: the reference is looked up on each request
      }),
    },
  });
  try {
    audit = new AuditLog(h.db);
    readings = new ReadingStore(h.db);
    audit.append({ actor: "alice", action: "maintenance.start", reason: "span gas 检查", details: { analyzer: "o3" } }, T0 + 60_000);
    audit.append({ actor: "alice", action: "maintenance.end", details: { analyzer: "o3" } }, T0 + 120_000);
    audit.append({ actor: "bob", action: "maintenance.start", details: { analyzer: "so2" } }, T0 + 90_000);

    const logs = await h.ask("3020", "PolId=a05024;InfoId=i11001;BeginTime=20260101080000;EndTime=20260101081000");
    assert.deepEqual(logs.cns, ["9011", "3020", "3020", "9012"]);
    assert.match(logs.cps[1], /^DataTime=20260101080100;PolId=a05024;i11001-Info=\/\/alice maintenance\.start: span gas 检查\/\/$/);
    assert.match(logs.cps[2], /^DataTime=20260101080200;PolId=a05024;i11001-Info=\/\/alice maintenance\.end\/\/$/);
    assert.match(logs.cps[3], /ExeRtn=1/);

    const state = await h.ask("3020", "PolId=a05024;InfoId=i12001");
    assert.match(state.cps[1], /;i12001-Info=0$/, "the harness's readings are flagged N: running (0, not 1 = maintenance)");
    readings.insert([{ ts: Date.now(), analyzer: "o3", channel: "o3", code: "a05024", value: null, unit: "ppb", flag: "B", state: "no-answer", raw: null, source: "t@1" }]);
    const dead = await h.ask("3020", "PolId=a05024;InfoId=i12002");
    assert.match(dead.cps[1], /;i12002-Info=1$/, "the last poll went unanswered: link abnormal");
    const none = await h.ask("3020", "PolId=a05024;InfoId=i11001;BeginTime=20250101000000;EndTime=20250102000000");
    assert.deepEqual(none.cns, ["9011", "9012"]);
    assert.match(none.cps[1], /ExeRtn=100/);
  } finally {
    await h.close();
  }
});

test("a 3020 without PolId is about the station: class-2 items, host figures as i24xxx, the door as i31001/i32001", () => {
  const entries = [
    { ts: 1000, actor: "root", action: "software.start", reason: null, details: {} },
    { ts: 2000, actor: "alice", action: "maintenance.start", reason: null, details: { analyzer: "o3" } },
    { ts: 3000, actor: "door-contact", action: "maintenance.start", reason: "station door opened", details: {} },
  ];
  const audit: AuditReader = { list: (o) => entries.filter((e) => e.ts >= (o.since ?? 0) && e.ts < (o.until ?? Infinity)) };
  let door: boolean | null = true;
  const info = fieldInfoSource({
    analyzers: [O3], codesOf: () => ["a05024"], latest: () => [],
    station: {
      audit: () => audit, logger: () => ({ maintenance: false, fault: false }), uplinkOk: (p) => p === "city",
      channels: () => [0, 1, 2], host: () => ({ diskFreePct: 40.5, cpuTempC: null, memUsedPct: 31, loadPct: 12, uptimeH: 5 }), doorOpen: () => door,
    },
  });
  assert.deepEqual(info(undefined, undefined, undefined, "city"), [
    ["i21001", "//root software.start//", 1000],
    ["i31001", "//door-contact maintenance.start: station door opened//", 3000],
    ["i22001", "0"], ["i22003", "0"], ["i22101", "0"], ["i22102", "1"], ["i22103", "2"],
    ["i24001", "40.5"], ["i24003", "31"], ["i24004", "12"], ["i24005", "5"], ["i32001", "1"],
  ]);
  assert.deepEqual(info("", "i22003", undefined, "province"), [["i22003", "1"]]);
  door = null;
  assert.deepEqual(info("", "i32001"), [], "no door contact: no door items");
  assert.deepEqual(info("a05024", "i24001"), [], "host figures are the station's, not an instrument's");
});

test("host snapshot: real figures from this machine", async () => {
  const { hostSnapshot } = await import("../../../agent/health/snapshot.js");
  const h = hostSnapshot("/");
  assert.ok(h.diskFreePct !== null && h.diskFreePct >= 0 && h.diskFreePct <= 100);
  assert.ok(h.memUsedPct > 0 && h.memUsedPct < 100);
});
