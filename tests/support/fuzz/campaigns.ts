// Fuzz campaigns: many generated cases on one engine (fuzzTarget), or the same cases on two engines
// compared outcome by outcome (fuzzDifferential).

import fc from "fast-check";
import type { GuestCallOutcome } from "../../../host/wapc";
import { type FuzzCase, type OutcomeClass, shorten, type Verdict } from "./cases";
import { TARGETS } from "./generators";
import { type FuzzEngine, FuzzRunner, isTrap } from "./runner";

// ---------------------------------------------------------------------------------------------
// Campaigns

export interface TargetReport {
  target: string;
  runs: number;
  counts: Record<OutcomeClass, number>;
  violations: number;
  /** the first few failures: traps, invalid replies, broken invariants */
  failures: Array<{ label: string; verdict: Verdict; payload: string }>;
  millis: number;
}

/**
 * Runs `runs` cases of `target`, generated from `seed` in chunks (deterministic for a given seed
 * and run count), on one reused instance.
 */
export function fuzzTarget(
  target: FuzzCase["target"],
  runs: number,
  seed: number,
  runner = new FuzzRunner(),
  maxFailures = 5,
): TargetReport {
  const counts: Record<OutcomeClass, number> = { clean: 0, guestError: 0, trap: 0, invalidReply: 0 };
  const failures: TargetReport["failures"] = [];
  let violations = 0;
  const start = Date.now();
  const chunk = 500;
  for (let done = 0, n = 0; done < runs; done += chunk, n++) {
    const cases = fc.sample(TARGETS[target], { seed: (seed + n * 7919) | 0, numRuns: Math.min(chunk, runs - done) });
    for (const c of cases) {
      const verdict = runner.run(c);
      counts[verdict.cls]++;
      const failed = verdict.cls === "trap" || verdict.cls === "invalidReply" || verdict.violations.length > 0;
      if (verdict.violations.length > 0) violations++;
      if (failed && failures.length < maxFailures) {
        failures.push({ label: c.label, verdict, payload: shorten(Buffer.from(c.payload).toString("utf8"), 400) });
      }
    }
  }
  return { target, runs, counts, violations, failures, millis: Date.now() - start };
}

// ---------------------------------------------------------------------------------------------
// Differential runs: the same cases on two engines, outcome by outcome

/** What must be the same on every engine: the reply bytes, or the error text (a trap as a trap: its text is the engine's), and the lookups made. */
function outcomeKey(outcome: GuestCallOutcome, calls: readonly string[]): string {
  const result = outcome.ok
    ? `reply ${Buffer.from(outcome.payload).toString("base64")}`
    : isTrap(outcome)
      ? "trap"
      : `error ${outcome.error}`;
  return `${result}\n${calls.join("\n")}`;
}

export interface DifferentialReport {
  target: FuzzCase["target"];
  engines: [FuzzEngine, FuzzEngine];
  runs: number;
  mismatches: number;
  /** the first mismatching cases, each engine's outcome shortened */
  examples: { label: string; payload: string; outcomes: [string, string] }[];
  millis: number;
}

/** Runs `runs` cases of `target` on both runners and counts the cases whose outcomes differ. */
export function fuzzDifferential(
  target: FuzzCase["target"],
  runs: number,
  seed: number,
  a: FuzzRunner,
  b: FuzzRunner,
  maxExamples = 5,
): DifferentialReport {
  const report: DifferentialReport = { target, engines: [a.engine, b.engine], runs, mismatches: 0, examples: [], millis: 0 };
  const start = Date.now();
  const chunk = 500;
  for (let done = 0, n = 0; done < runs; done += chunk, n++) {
    for (const c of fc.sample(TARGETS[target], { seed: (seed + n * 7919) | 0, numRuns: Math.min(chunk, runs - done) })) {
      const first = outcomeKey(a.call(c.operation, c.payload, c.host), a.lastCalls);
      const second = outcomeKey(b.call(c.operation, c.payload, c.host), b.lastCalls);
      if (first === second) continue;
      report.mismatches++;
      if (report.examples.length < maxExamples) {
        report.examples.push({
          label: c.label,
          payload: shorten(Buffer.from(c.payload).toString("utf8"), 300),
          outcomes: [shorten(first), shorten(second)],
        });
      }
    }
  }
  report.millis = Date.now() - start;
  return report;
}
