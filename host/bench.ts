// `kwhost bench`, after `kwctl bench`: the run flags, then repeated evaluations of the same
// request; prints min, median and max time per evaluation (validate only; settings are validated
// once, first) and the host-call figures.

import { performance } from "node:perf_hooks";
import type { JsonObject, PolicyEvaluator } from "./evaluator";

/** What bench evaluates: the run kwhost prepared (cli.ts PreparedRun has these fields). */
export interface BenchTarget {
  evaluator: PolicyEvaluator;
  request: JsonObject;
  settings: JsonObject;
}

export interface BenchFlags {
  numSamples: string;
  warmUpTime: string;
}

export interface BenchResult {
  samples: number;
  minMicros: number;
  medianMicros: number;
  maxMicros: number;
  hostCallsPerEvaluation: number;
}

function positiveInteger(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

/** 0 is allowed: no warm-up. */
function nonNegative(value: string, flag: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0)
    throw new Error(`${flag} must be a number of seconds, 0 or more, got ${JSON.stringify(value)}`);
  return n;
}

/** The flags checked; throws naming the flag. */
export function parseBenchFlags(flags: BenchFlags): { samples: number; warmUpMs: number } {
  return { samples: positiveInteger(flags.numSamples, "--num-samples"), warmUpMs: nonNegative(flags.warmUpTime, "--warm-up-time") * 1000 };
}

export function bench(prepared: BenchTarget, flags: BenchFlags, beforeEach: () => void): BenchResult {
  const { samples, warmUpMs } = parseBenchFlags(flags);
  const { evaluator, request, settings } = prepared;
  const warmUpEnd = performance.now() + warmUpMs;
  while (warmUpMs > 0 && performance.now() < warmUpEnd) {
    beforeEach();
    evaluator.validate(request, settings);
  }
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    beforeEach();
    const start = performance.now();
    evaluator.validate(request, settings);
    times.push((performance.now() - start) * 1000);
  }
  times.sort((a, b) => a - b);
  const middle = times.length >> 1;
  const median = times.length % 2 === 1 ? times[middle] : (times[middle - 1] + times[middle]) / 2;
  return {
    samples,
    minMicros: times[0],
    medianMicros: median,
    maxMicros: times[times.length - 1],
    hostCallsPerEvaluation: evaluator.lastHostCalls,
  };
}

function micros(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(3)} ms` : `${value.toFixed(2)} µs`;
}

export function formatBench(result: BenchResult): string {
  return `validate                time:   [${micros(result.minMicros)} ${micros(result.medianMicros)} ${micros(result.maxMicros)}]`;
}
