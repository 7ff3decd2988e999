// Synchronous OCI lookups for the waPC host, whose host calls must answer synchronously (the real
// host blocks too: `rx.blocking_recv()` in policy-evaluator's runtimes/callback.rs).
//
// synckit runs the registry work in a worker thread (lookup-worker.ts) and blocks this thread
// until it answers. The 60 s cache of successful replies lives here, so a cache hit costs no
// round trip to the worker.
//
// The worker runs the COMPILED file dist/host/oci/lookup-worker.js, also when this module is
// loaded from its TypeScript source (jest with ts-jest): build first with
// `npx tsc -p tsconfig.build.json` (`make host`). KWHOST_OCI_WORKER=<path> overrides the path.

import * as fs from "node:fs";
import * as path from "node:path";
import { createSyncFn } from "synckit";
import { addCounts, emptyStats, type LookupHooks, type OciLookupStats, type RegistryOptions, resolveLookupConfig } from "./engine";
import { ChainError } from "./errors";
import { failure, LookupCache, type LookupResult, type OciOperation } from "./operations";
import type { WorkerLookup } from "./lookup-worker";

export type { LookupResult, OciOperation } from "./operations";
export type { OciLookupStats, RegistryOptions } from "./engine";

export interface SyncOciLookup {
  lookup(operation: OciOperation, image: string): LookupResult;
  close(): void;
  stats(): OciLookupStats;
}

export interface SyncLookupHooks extends LookupHooks {
  /** longest time one lookup may block; default 120 000 ms */
  timeoutMs?: number;
  /** the compiled worker module; default: see resolveWorkerPath */
  workerPath?: string;
}

/**
 * The compiled worker: next to this file when running from dist/, else
 * <repo>/dist/host/oci/lookup-worker.js when running from the TypeScript source.
 */
export function resolveWorkerPath(): string {
  const override = process.env.KWHOST_OCI_WORKER;
  const candidates = [
    ...(override !== undefined && override !== "" ? [path.resolve(override)] : []),
    path.join(__dirname, "lookup-worker.js"),
    path.resolve(__dirname, "..", "..", "dist", "host", "oci", "lookup-worker.js"),
  ];
  const found = candidates.find((candidate) => fs.existsSync(candidate));
  if (found === undefined) {
    throw new Error(
      `the OCI lookup worker is not built (looked for ${candidates.join(", ")}): run \`npx tsc -p tsconfig.build.json\` (make host) first`,
    );
  }
  return found;
}

/** Services created in this process; the worker keeps one engine per service. */
let services = 0;

/**
 * Throws at once when the sources file cannot be used (like kwctl refusing to start) or the worker
 * is not built. Lookups never throw: failures are `{ok: false}` results.
 */
export function createSyncOciLookup(options: RegistryOptions, hooks: SyncLookupHooks = {}): SyncOciLookup {
  const config = resolveLookupConfig(options, hooks);
  const workerPath = hooks.workerPath ?? resolveWorkerPath();
  const timeoutMs = hooks.timeoutMs ?? 120_000;
  const cache = new LookupCache(hooks.ttlMs, hooks.now);
  const stats: OciLookupStats = emptyStats();
  const callWorker = createSyncFn<WorkerLookup>(workerPath, { timeout: timeoutMs });
  const service = ++services;
  let closed = false;

  return {
    lookup(operation: OciOperation, image: string): LookupResult {
      if (closed) throw new Error("the OCI lookup service is closed");
      const cached = cache.get(operation, image);
      if (cached !== undefined) {
        stats.cacheHits++;
        return { ok: true, payload: cached };
      }
      let answer;
      try {
        answer = callWorker(service, config, operation, image);
      } catch (err) {
        // the worker could not load, crashed or timed out
        return failure(new ChainError(`the OCI lookup worker failed: ${err instanceof Error ? err.message : String(err)}`));
      }
      addCounts(stats, answer);
      if (answer.result.ok) cache.set(operation, image, answer.result.payload);
      return answer.result;
    },
    close(): void {
      // synckit's worker is unref'd and ends with the process.
      closed = true;
    },
    stats: () => ({ ...stats }),
  };
}
