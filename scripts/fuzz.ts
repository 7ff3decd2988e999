// Deterministic, seedable property-based fuzzing of policy.wasm (tests/support/fuzz/: generators, runner, campaigns).
//
//   npx tsc -p tsconfig.build.json && node dist/scripts/fuzz.js [--runs N] [--seed S] [--target request|settings|host] [--wasm FILE]
//       [--differential N]
//
// --runs is the total number of inputs, split evenly over the targets (default 30,000); --seed
// defaults to a fixed value so two runs are the same run. Prints the count of each outcome class
// per target, the seed and the first failures; exits 1 on any trap, invalid reply or broken
// invariant. --differential N then runs N inputs per target on V8 and on wasmtime (kwctl's
// configuration) and compares them outcome by outcome (default 0: none); any difference fails.

import { readFileSync } from "node:fs";
import { fuzzDifferential, FuzzRunner, fuzzTarget, OUTCOME_CLASSES, type TargetReport } from "../tests/support/fuzz/index";
import { POLICY_PATH } from "../tests/support/workloads";

const TARGET_NAMES = ["request", "settings", "host"] as const;
type TargetName = (typeof TARGET_NAMES)[number];

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function main(): number {
  const runs = Number(option("runs") ?? 30_000);
  const seed = Number(option("seed") ?? 20_260_501);
  const only = option("target");
  if (!Number.isInteger(runs) || runs <= 0) throw new Error("--runs takes a positive integer");
  if (!Number.isInteger(seed)) throw new Error("--seed takes an integer");
  if (only !== undefined && !TARGET_NAMES.includes(only as TargetName)) throw new Error(`--target takes one of ${TARGET_NAMES.join(", ")}`);
  const targets: TargetName[] = only !== undefined ? [only as TargetName] : [...TARGET_NAMES];

  const wasm = option("wasm") ?? POLICY_PATH;
  console.log(`fuzzing ${wasm}: ${runs} inputs, seed ${seed}, targets ${targets.join(", ")}`);
  const runner = new FuzzRunner(new Uint8Array(readFileSync(wasm)));
  const reports: TargetReport[] = [];
  const start = Date.now();
  targets.forEach((target, i) => {
    const share = Math.floor(runs / targets.length) + (i < runs % targets.length ? 1 : 0);
    const report = fuzzTarget(target, share, seed + i, runner, 10);
    reports.push(report);
    const counts = OUTCOME_CLASSES.map((c) => `${c} ${report.counts[c]}`).join(", ");
    console.log(
      `  ${target.padEnd(9)} ${String(report.runs).padStart(7)} inputs in ${(report.millis / 1000).toFixed(1)} s: ${counts}; invariant violations ${report.violations}`,
    );
  });
  const seconds = (Date.now() - start) / 1000;
  const total = (c: keyof TargetReport["counts"]): number => reports.reduce((sum, r) => sum + r.counts[c], 0);
  const violations = reports.reduce((sum, r) => sum + r.violations, 0);
  console.log(
    `total: ${reports.reduce((s, r) => s + r.runs, 0)} inputs in ${seconds.toFixed(1)} s, seed ${seed}: ` +
      `${OUTCOME_CLASSES.map((c) => `${c} ${total(c)}`).join(", ")}, invariant violations ${violations}`,
  );

  for (const report of reports) {
    for (const f of report.failures) {
      console.log(`\nFAILURE [${report.target}] ${f.label}\n  class: ${f.verdict.cls}: ${f.verdict.detail}`);
      for (const v of f.verdict.violations) console.log(`  invariant: ${v}`);
      console.log(`  payload: ${f.payload}`);
    }
  }
  let bad = total("trap") + total("invalidReply") + violations;
  console.log(bad === 0 ? "\nOK: no trap, no invalid reply, every invariant held" : `\nFAILED: ${bad} bad outcome(s)`);

  const differential = Number(option("differential") ?? 0);
  if (!Number.isInteger(differential) || differential < 0) throw new Error("--differential takes a non-negative integer");
  if (differential > 0) {
    const wasmtime = new FuzzRunner(new Uint8Array(readFileSync(wasm)), "wasmtime-kwctl");
    console.log(`\ndifferential: ${differential} inputs per target on V8 and on wasmtime (kwctl configuration)`);
    targets.forEach((target, i) => {
      const report = fuzzDifferential(target, differential, seed + 100 + i, runner, wasmtime, 10);
      console.log(
        `  ${target.padEnd(9)} ${String(report.runs).padStart(7)} inputs in ${(report.millis / 1000).toFixed(1)} s: ${report.mismatches} different outcome(s)`,
      );
      for (const example of report.examples) {
        console.log(
          `\nDIFFERENT [${target}] ${example.label}\n  payload: ${example.payload}\n  V8:       ${example.outcomes[0]}\n  wasmtime: ${example.outcomes[1]}`,
        );
      }
      bad += report.mismatches;
    });
    wasmtime.dispose();
    console.log(bad === 0 ? "\nOK: the same outcome on both engines" : `\nFAILED: ${bad} bad outcome(s) in all`);
  }
  return bad === 0 ? 0 : 1;
}

process.exitCode = main();
