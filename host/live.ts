// Live OCI lookups against real registries, and kwctl's record mode on top of them.

import type { LookupAnswer, OciBackend, OciOperation } from "./capabilities";
import { ociRequest } from "./capabilities";
import { type Exchange, writeSession } from "./session";
import { createSyncOciLookup, type RegistryOptions } from "./oci/sync-lookup";

export interface LiveBackend extends OciBackend {
  close(): void;
  /** registry HTTP requests made and cache hits so far */
  stats(): { registryRequests: number; cacheHits: number };
}

/** Live lookups; a bad sources file fails here, at start-up, as kwctl refuses to start. */
export function createLiveBackend(options: RegistryOptions): LiveBackend {
  const lookup = createSyncOciLookup(options);
  return {
    lookup: (operation: OciOperation, image: string): LookupAnswer => lookup.lookup(operation, image),
    close: (): void => lookup.close(),
    stats: () => lookup.stats(),
  };
}

/** kwctl --record-host-capabilities-interactions: every exchange, in order, written on save(). */
export class RecordingBackend implements OciBackend {
  private readonly exchanges: Exchange[] = [];

  constructor(private readonly inner: OciBackend, private readonly path: string) {}

  lookup(operation: OciOperation, image: string): LookupAnswer {
    const answer = this.inner.lookup(operation, image);
    this.exchanges.push({
      request: ociRequest(operation, image),
      // kwctl records the error's one-line Display text.
      response: answer.ok ? { type: "Success", payload: answer.payload } : { type: "Error", message: answer.message ?? answer.error },
    });
    return answer;
  }

  save(): void {
    writeSession(this.path, this.exchanges);
  }
}
