// The worker thread behind createSyncOciLookup. It is loaded by a small bootstrap (see
// sync-lookup.ts) that calls `start`; requiring this module has no side effects.
//
// Protocol: the main thread posts {id, operation, image} on `port` and blocks in Atomics.wait on
// slot 0 of `state`; the worker posts {id, result, requests} and then increments slot 0 and
// notifies. Slot 1 is set when the worker cannot serve at all (the bootstrap failed).

import type { MessagePort } from "node:worker_threads";
import { type LookupConfig, LookupEngine } from "./engine";
import type { LookupResult, OciOperation } from "./operations";

export interface LookupRequestMessage {
  readonly id: number;
  readonly operation: OciOperation;
  readonly image: string;
}

export interface LookupResponseMessage {
  readonly id: number;
  readonly result: LookupResult;
  readonly requests: number;
}

export interface LookupWorkerData {
  readonly port: MessagePort;
  readonly state: SharedArrayBuffer;
  readonly config: LookupConfig;
}

export const RESPONSE_COUNTER = 0;
export const FATAL_FLAG = 1;

export function start(data: LookupWorkerData): void {
  const state = new Int32Array(data.state);
  const engine = new LookupEngine(data.config);
  const reply = (message: LookupResponseMessage): void => {
    data.port.postMessage(message);
    Atomics.add(state, RESPONSE_COUNTER, 1);
    Atomics.notify(state, RESPONSE_COUNTER);
  };
  data.port.on("message", (request: LookupRequestMessage) => {
    engine.lookup(request.operation, request.image).then(
      ({ result, requests }) => reply({ id: request.id, result, requests }),
      (err: unknown) => {
        const text = err instanceof Error ? err.message : String(err);
        reply({ id: request.id, result: { ok: false, error: text, message: text }, requests: 0 });
      },
    );
  });
  data.port.on("close", () => engine.close());
}
