// The worker thread behind createSyncOciLookup, run by synckit's `runAsWorker`. synckit shares one
// worker between all lookup services of a process, so each call names its service (`service`, with
// that service's configuration) and one operation; the answer is the result plus the number of
// registry requests made. Each service keeps its engine between calls (connections, tokens).

import { runAsWorker } from "synckit";
import { type LookupConfig, type LookupCounts, LookupEngine } from "./engine";
import type { LookupResult, OciOperation } from "./operations";

export interface WorkerAnswer extends LookupCounts {
  readonly result: LookupResult;
}

export type WorkerLookup = (service: number, config: LookupConfig, operation: OciOperation, image: string) => Promise<WorkerAnswer>;

const engines = new Map<number, LookupEngine>();

const lookup: WorkerLookup = async (service, config, operation, image) => {
  let engine = engines.get(service);
  if (engine === undefined) {
    engine = new LookupEngine(config);
    engines.set(service, engine);
  }
  try {
    return await engine.lookup(operation, image);
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    return { result: { ok: false, error: text, message: text }, registryRequests: 0, fallbackAttempts: 0, unansweredRequests: 0 };
  }
};

// A no-op when this module is loaded outside a synckit worker.
runAsWorker(lookup);
