// Live OCI lookups against real registries, and kwctl's record mode on top of them.

import type { LookupAnswer, OciBackend, OciOperation } from "./capabilities";
import { ociRequest } from "./capabilities";
import { type Exchange, writeSession } from "./session";
import { guestErrorText } from "./oci/operations";
import { createSyncOciLookup, type OciLookupStats, type RegistryOptions } from "./oci/sync-lookup";

/** A failed live lookup as kwhost reports it to the user. */
export interface LookupFailureReport {
  /** one line: image, registry, cause, and the fix where known (oci/diagnosis.ts) */
  readonly summary: string;
  /** the whole error the policy received ("Callback evaluation failure: …", may span lines) */
  readonly guestError: string;
}

export interface LiveBackend extends OciBackend {
  close(): void;
  /** registry requests, fallback attempts and cache hits so far */
  stats(): OciLookupStats;
  /** the failed lookups so far, one per distinct summary, in order */
  failures(): readonly LookupFailureReport[];
}

/** Live lookups; a bad sources file fails here, at start-up, as kwctl refuses to start. */
export function createLiveBackend(options: RegistryOptions): LiveBackend {
  const lookup = createSyncOciLookup(options);
  const failures = new Map<string, LookupFailureReport>();
  return {
    lookup: (operation: OciOperation, image: string): LookupAnswer => {
      const result = lookup.lookup(operation, image);
      if (!result.ok) {
        const summary = result.summary ?? `lookup of image ${JSON.stringify(image)} failed: ${result.message}`;
        if (!failures.has(summary)) failures.set(summary, { summary, guestError: guestErrorText(result) });
        // The policy gets the real host's error only.
        return { ok: false, error: result.error, message: result.message };
      }
      return result;
    },
    close: (): void => lookup.close(),
    stats: () => lookup.stats(),
    failures: () => [...failures.values()],
  };
}

/** kwctl --record-host-capabilities-interactions: every exchange, in order, written on save(). */
export class RecordingBackend implements OciBackend {
  private readonly exchanges: Exchange[] = [];

  constructor(
    private readonly inner: OciBackend,
    private readonly path: string,
  ) {}

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
