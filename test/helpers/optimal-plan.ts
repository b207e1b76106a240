// The fewest requests that can cover a device's reads, found by exhaustive dynamic programming rather
// than planReads' greedy pass, so tests and the bench can check the plan against the optimum.
// A request covers a run of consecutive items (in address order) whose span fits the size limit and
// whose gaps each fit the gap limit; the optimum is the fewest runs, per function code.
import { inMappedSpan, type GroupingParams, type PlanFc, type ReadItem } from "../../agent/bus/plan.js";

export function optimalRequestCount(items: readonly ReadItem[], p: GroupingParams): number {
  let total = 0;
  for (const fc of [1, 2, 3, 4]) {
    const bits = fc <= 2;
    const max = bits ? p.maxBits : p.maxRegisters;
    const gap = bits ? p.maxBitGap : p.maxGap;
    const xs = items.filter((i) => i.fc === fc).sort((a, b) => a.address - b.address || b.length - a.length);
    // best[i]: fewest requests covering the first i items.
    const best = [0];
    for (let i = 1; i <= xs.length; i++) {
      best[i] = Infinity;
      let start = Infinity;
      let end = -Infinity;
      let ok = true;
      for (let j = i - 1; j >= 0 && ok; j--) {
        // Items j..i-1 in one request: the span fits the size limit and every hole the gap limit.
        start = Math.min(start, xs[j].address);
        end = Math.max(end, xs[j].address + xs[j].length);
        ok = end - start <= max && runGapsFit(xs.slice(j, i), gap, (from, to) => inMappedSpan(p.mapped, fc as PlanFc, from, to));
        if (ok) best[i] = Math.min(best[i], best[j] + 1);
      }
    }
    total += best[xs.length];
  }
  return total;
}

/** Every hole between the items (sorted by address) is at most `gap` wide, or lies in a mapped span. */
function runGapsFit(run: readonly ReadItem[], gap: number, mapped: (from: number, to: number) => boolean): boolean {
  let reach = run[0].address + run[0].length;
  for (const x of run.slice(1)) {
    if (x.address - reach > gap && !mapped(reach, x.address)) return false;
    reach = Math.max(reach, x.address + x.length);
  }
  return true;
}
