// `npm run torture`: the fault-injection suite, loopback only, bounded in time, stopping by
// itself. `--quick` (what CI runs) does fewer cycles and a shorter outage. Exits 1 when a record
// is lost or a check fails; prints every count either way.
import { powerCut } from "./torture/power-cut.js";
import { outage } from "./torture/outage.js";

const quick = process.argv.includes("--quick");
const log = (s: string) => console.log(`  ${s}`);
let failed = 0;
const check = (ok: boolean, what: string) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failed++;
};

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
console.log(`  ${o.minutesDelivered}/${o.minutesStored} minutes delivered in ${o.drainSeconds} s; RSS ${o.rssStartMb} MB → ${o.rssEndMb} MB during the outage`);
check(o.minutesDelivered === o.minutesStored, "100 % delivered");
check(o.inOrder, "in order (oldest first)");
check(o.rssEndMb <= o.rssStartMb * 1.25 + 5, "RSS flat during the outage (within 25 % + 5 MB)");

console.log(`\n${failed ? `${failed} check(s) FAILED` : "all checks passed"}`);
process.exit(failed ? 1 : 0);
