// `npm run torture`: the fault-injection suite, loopback only, bounded in time, stopping by
// itself. `--quick` (what CI runs, about 5 minutes) does fewer cycles and shorter runs. Exits 1 when
// a record is lost, something crashes or a check fails; prints every count either way.
import { powerCut } from "./torture/power-cut.js";
import { outage } from "./torture/outage.js";
import { downlinkFuzz } from "./torture/downlink-fuzz.js";
import { mangledModbus } from "./torture/mangled-modbus.js";
import { badConfigs } from "./torture/bad-configs.js";
import { faultyBus } from "./torture/faulty-bus.js";
import { diskFull } from "./torture/disk-full.js";
import { clockJump } from "./torture/clock-jump.js";
import { dbStart } from "./torture/db-start.js";

const quick = process.argv.includes("--quick");
const log = (s: string) => console.log(`  ${s}`);
let failed = 0;
const check = (ok: boolean, what: string) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failed++;
};
const skip = (why: string) => console.log(`skip ${why}`);
// Anything thrown outside a check is a crash of the suite (or of an in-process agent): a failure.
for (const ev of ["uncaughtException", "unhandledRejection"] as const)
  process.on(ev, (e) => {
    console.log(`FAIL crash (${ev}): ${(e as Error)?.stack ?? e}`);
    process.exit(1);
  });
const t0 = Date.now();

console.log(`fault-injection suite${quick ? " (--quick)" : ""}\n`);

console.log("power cut: SIGKILL at random moments while polling, aggregating and uploading");
const pc = await powerCut(quick ? 20 : 200, log);
console.log(`  cycles ${pc.cycles}, readings stored ${pc.readings}, packets delivered ${pc.packetsDelivered}`);
check(pc.integrityFailures === 0, `integrity_check ok after every cut (${pc.integrityFailures} failures)`);
check(pc.lostReadings === 0, `no committed reading lost (${pc.lostReadings} lost)`);
check(pc.duplicateQns === 0, `no packet sent again under a new QN (${pc.duplicateQns})`);
check(pc.undelivered === 0, `every unacknowledged packet delivered after power returns (${pc.undelivered} left)`);

console.log("\noutage: 7 days stored with the platform down, then back");
const o = await outage(7, quick ? 20 : 120, log);
console.log(`  ${o.minutesDelivered}/${o.minutesStored} minutes delivered in ${o.drainSeconds} s; RSS ${o.rssStartMb} MB → ${o.rssEndMb} MB during the outage, peak ${o.rssPeakMb} MB`);
check(o.minutesDelivered === o.minutesStored, "100 % delivered");
check(o.inOrder, "in order (oldest first)");
check(o.rssEndMb <= o.rssStartMb * 1.25 + 5, "RSS flat during the outage (within 25 % + 5 MB)");

console.log("\nbad input: fuzzed downlink frames into the running agent's platform connection");
const dl = await downlinkFuzz(quick ? 10_000 : 50_000, log);
console.log(`  ${dl.frames} frames: ${Object.entries(dl.byKind).map(([k, n]) => `${k} ${n}`).join(", ")}; RSS ${dl.rssStartMb} → ${dl.rssEndMb} MB`);
check(!dl.crashed, "the agent did not crash");
check(dl.connectedAfter && dl.realtimeAfter >= 3, `still uploading afterwards (${dl.realtimeAfter} realtime packets in 5 s)`);
check(dl.answeredAfter, "a real request after the storm is answered (9011, 1011, 9012)");
check(dl.rssEndMb <= dl.rssStartMb * 1.25 + 10, "RSS roughly flat (within 25 % + 10 MB)");

console.log("\nbad input: mangled Modbus answers on an RTU pty line");
const mm = await mangledModbus(quick ? 70 : 1400, log);
if (mm.skipped) skip(`mangled Modbus answers: ${mm.skipped}`);
else {
  console.log(`  ${mm.polls} polls: ${mm.goodAnswers} good; mangled ${Object.entries(mm.byKind).map(([k, n]) => `${k} ${n}`).join(", ")}`);
  check(mm.notFlagged === 0, `every mangled answer gave B readings (${mm.notFlagged} did not)`);
  check(mm.goodAnswers > 0 && mm.misdecoded === 0 && mm.unmatched === 0, `the next good answer decoded to the value served (${mm.misdecoded} wrong, ${mm.unmatched} missing)`);
}

console.log("\nbad input: malformed configs through `station-agent config check`");
const bc = await badConfigs(quick ? 50 : 2000, quick ? 3 : 50, log);
for (const [kind, k] of Object.entries(bc.byKind))
  console.log(`  ${kind.padEnd(11)} ${k.generated} generated, ${k.rejected} rejected, ${k.accepted} still valid, ${k.crashed} crashed; CLI ${k.cliOk}/${k.cliRun} exit 78 with a reason`);
for (const f of bc.failures) console.log(`  ! ${f}`);
const kinds = Object.entries(bc.byKind);
check(bc.baseValid, "the unmutated config is accepted (the control)");
check(kinds.every(([, k]) => k.crashed === 0), "no config crashes the loader (every failure is a config problem)");
check(kinds.every(([kind, k]) => kind === "truncated" || k.accepted === 0), "every malformed config rejected (only a truncation may leave a valid file)");
check(kinds.every(([, k]) => k.cliOk === k.cliRun), "config check: exit 78 and a reason naming the file, never a stack trace");

console.log("\nfaulty bus: dead, slow (answers at 90 % of 300 ms) and exception slaves on a 9600-baud RTU line, 2 s polls");
const fb = await faultyBus(quick ? 40 : 600, log);
if (fb.skipped) skip(`faulty bus: ${fb.skipped}`);
else {
  for (const r of fb.rates) console.log(`  ${r.id.padEnd(5)} ${r.role.padEnd(10)} ${r.answered}/${r.expected} polls answered`);
  console.log(`  slow slave's latest answer ended ${fb.slowAnswerMs} ms after its request`);
  check(fb.agentAlive, "the agent kept running");
  const healthy = fb.rates.filter((r) => r.role === "healthy");
  check(healthy.every((r) => r.answered >= 0.9 * r.expected), `healthy neighbours keep ≥ 90 % of their poll rate (lowest ${Math.min(...healthy.map((r) => Math.round((100 * r.answered) / r.expected)))} %)`);
}

console.log("\nhost fault: disk full (tmpfs filled under the database, then grown)");
const df = await diskFull(quick ? 15 : 60, log);
if (df.skipped) skip(`disk full: ${df.skipped}`);
else {
  console.log(`  full for ${df.fullSeconds} s: ${df.errorsLogged} errors logged, up to ${df.heldInMemory} readings held in memory, ${df.storedAfter} stored once space came back; RSS ${df.rssBeforeMb} → ${df.rssFullMb} MB`);
  check(df.crashed === null, `the agent kept running${df.crashed ? `: ${df.crashed}` : ""}`);
  check(df.errorsLogged > 0 && df.heldInMemory > 0, "the error is logged and the readings held");
  check(df.rssFullMb <= df.rssBeforeMb + 50, "memory within the bound while full (≤ +50 MB)");
  check(df.storedAfter >= df.heldInMemory && df.longestGapS < 2, `storing resumed, nothing lost (longest gap ${df.longestGapS} s)`);
  check(df.ackedLost === 0, `nothing acknowledged lost (${df.ackedBefore} acked before)`);
  check(df.integrityOk, "integrity_check ok");
}

console.log("\nhost fault: wall clock steps +1 h, back, −1 h, back (agent in process, Date.now offset)");
const cj = await clockJump(quick ? 10 : 60);
for (const p of cj.phases) console.log(`  ${`${p.offsetMin >= 0 ? "+" : ""}${p.offsetMin} min`.padEnd(8)} ${p.polls}/${p.expected} polls`);
console.log(`  ${cj.packets} packets, ${cj.minutesChecked} minute aggregates checked, ${cj.recomputedResent} periods re-sent with new content (late readings after the step back)`);
for (const e of cj.errors) console.log(`  ! ${e}`);
check(cj.phases.every((p) => p.polls >= 0.9 * p.expected), "polling goes on at its rate whichever way the clock steps");
check(cj.qnsNotIncreasing === 0, `QNs unique and increasing (${cj.qnsNotIncreasing} out of order)`);
check(cj.resentAsNew === 0, `no period sent twice with the same content (${cj.resentAsNew})`);
check(cj.minutesSkipped === 0, `every reading counted in its closed minute (${cj.minutesSkipped} minutes off)`);
check(cj.undelivered === 0, `every packet delivered (${cj.undelivered} left)`);

console.log("\nhost fault: database locked, then unreadable, at start");
const ds = await dbStart(log);
console.log(`  locked: exit ${ds.locked.exitCode} after ${ds.locked.seconds} s: ${ds.locked.message}`);
check(ds.locked.exitCode === 75 && /locked/.test(ds.locked.message), "locked: exit 75 (systemd retries) with a clear message");
check(ds.locked.startedAfter, "starts normally once the lock is gone");
for (const c of ds.corrupt)
  check(c.movedAside && c.keptIntact && c.running && c.newReadings > 0, `${c.kind}: moved aside intact, a new database started, collecting (${c.newReadings} readings)`);

console.log(`\n${failed ? `${failed} check(s) FAILED` : "all checks passed"} in ${Math.round((Date.now() - t0) / 1000)} s`);
process.exit(failed ? 1 : 0);
