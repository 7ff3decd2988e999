// Synchronous OCI lookups for the waPC host, whose host calls must answer synchronously (the real
// host blocks too: `rx.blocking_recv()` in policy-evaluator's runtimes/callback.rs).
//
// The registry work runs in a worker thread (lookup-worker.ts); this thread posts a request and
// blocks in Atomics.wait until the worker answers. The 60 s cache of successful replies lives
// here, so a cache hit costs no round trip to the worker.
//
// The worker runs the COMPILED file dist/host/oci/lookup-worker.js, also when this module is
// loaded from its TypeScript source (jest with ts-jest): build first with
// `npx tsc -p tsconfig.build.json` (`make host`). KWHOST_OCI_WORKER=<path> overrides the path.

import * as fs from "node:fs";
import * as path from "node:path";
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import { type LookupHooks, type OciLookupStats, type RegistryOptions, resolveLookupConfig } from "./engine";
import { ChainError } from "./errors";
import { failure, LookupCache, type LookupResult, type OciOperation } from "./operations";
import { FATAL_FLAG, type LookupRequestMessage, type LookupResponseMessage, RESPONSE_COUNTER } from "./lookup-worker";

export type { LookupResult, OciOperation } from "./operations";
export type { RegistryOptions } from "./engine";

export interface SyncOciLookup {
  lookup(operation: OciOperation, image: string): LookupResult;
  close(): void;
  stats(): { registryRequests: number; cacheHits: number };
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

// Runs in the worker; loads the compiled worker module and reports a failure to load it instead of
// leaving the main thread waiting.
const BOOTSTRAP = `
const { workerData } = require("node:worker_threads");
try {
  require(workerData.workerPath).start(workerData);
} catch (err) {
  const state = new Int32Array(workerData.state);
  try { workerData.port.postMessage({ fatal: String((err && err.stack) || err) }); } catch {}
  Atomics.store(state, ${FATAL_FLAG}, 1);
  Atomics.add(state, ${RESPONSE_COUNTER}, 1);
  Atomics.notify(state, ${RESPONSE_COUNTER});
}
`;

type WorkerMessage = LookupResponseMessage | { readonly fatal: string };

/**
 * Throws at once when the sources file cannot be used (like kwctl refusing to start) or the worker
 * is not built. Lookups never throw: failures are `{ok: false}` results.
 */
export function createSyncOciLookup(options: RegistryOptions, hooks: SyncLookupHooks = {}): SyncOciLookup {
  const config = resolveLookupConfig(options, hooks);
  const workerPath = hooks.workerPath ?? resolveWorkerPath();
  const timeoutMs = hooks.timeoutMs ?? 120_000;
  const cache = new LookupCache(hooks.ttlMs, hooks.now);
  const stats: OciLookupStats = { registryRequests: 0, cacheHits: 0 };

  const state = new SharedArrayBuffer(8);
  const signals = new Int32Array(state);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(BOOTSTRAP, {
    eval: true,
    workerData: { port: port2, state, config, workerPath },
    transferList: [port2],
  });
  worker.unref();
  worker.on("error", () => {
    // reported through the fatal flag or the lookup timeout; keep it from becoming uncaught
  });

  let nextId = 0;
  let fatal: string | undefined;
  let closed = false;

  const fatalResult = (): LookupResult => failure(new ChainError(`the OCI lookup worker failed: ${fatal ?? "unknown error"}`));

  function waitFor(id: number): LookupResult {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = Atomics.load(signals, RESPONSE_COUNTER);
      for (let received = receiveMessageOnPort(port1); received !== undefined; received = receiveMessageOnPort(port1)) {
        const message = received.message as WorkerMessage;
        if ("fatal" in message) {
          fatal = message.fatal;
          return fatalResult();
        }
        stats.registryRequests += message.requests;
        if (message.id === id) return message.result;
        // an answer to a lookup that timed out earlier: dropped
      }
      if (Atomics.load(signals, FATAL_FLAG) === 1) {
        fatal ??= "the worker stopped";
        return fatalResult();
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        return failure(new ChainError(`OCI registry lookup timed out after ${Math.round(timeoutMs / 1000)} s`));
      }
      Atomics.wait(signals, RESPONSE_COUNTER, seen, remaining);
    }
  }

  return {
    lookup(operation: OciOperation, image: string): LookupResult {
      if (closed) throw new Error("the OCI lookup service is closed");
      const cached = cache.get(operation, image);
      if (cached !== undefined) {
        stats.cacheHits++;
        return { ok: true, payload: cached };
      }
      if (fatal !== undefined) return fatalResult();
      const request: LookupRequestMessage = { id: ++nextId, operation, image };
      port1.postMessage(request);
      const result = waitFor(request.id);
      if (result.ok) cache.set(operation, image, result.payload);
      return result;
    },
    close(): void {
      if (closed) return;
      closed = true;
      port1.close();
      void worker.terminate();
    },
    stats: () => ({ ...stats }),
  };
}
