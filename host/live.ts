// Live OCI lookups against real registries, and kwctl's record mode on top of them.

import type { LookupAnswer, OciBackend, OciOperation } from "./capabilities";
import { ociRequest } from "./capabilities";
import { type Exchange, writeSession } from "./session";
import { createSyncOciLookup, type RegistryOptions } from "./oci/sync-lookup";

export interface LiveBackend extends OciBackend {
  close(): void;
}

export function createLiveBackend(options: RegistryOptions): LiveBackend {
  let lookup: ReturnType<typeof createSyncOciLookup> | null = null;
  return {
    // The worker thread starts on the first lookup, so replayed and lookup-free runs never start it.
    lookup(operation: OciOperation, image: string): LookupAnswer {
      lookup ??= createSyncOciLookup(options);
      return lookup.lookup(operation, image);
    },
    close(): void {
      lookup?.close();
      lookup = null;
    },
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
      response: answer.ok ? { type: "Success", payload: answer.payload } : { type: "Error", message: answer.error },
    });
    return answer;
  }

  save(): void {
    writeSession(this.path, this.exchanges);
  }
}
