// The three OCI host operations with the real host's reply shapes and error texts
// (crates/policy-evaluator/src/callback_handler/oci.rs), and its cache.
//
// Replies (policy-evaluator crates/policy-evaluator/src/callback_handler/oci.rs,
// https://github.com/kubewarden/kubewarden-controller):
//   v1/oci_manifest        the manifest or index, re-serialised (see manifest.ts)
//   v1/manifest_digest     {"digest":"sha256:…"}
//   v1/oci_manifest_config {"manifest":<image manifest>,"digest":"<its digest>","config":<config, keys sorted>}
// Errors: `error` is what the host puts after "Callback evaluation failure: " (anyhow's Debug form,
// with its "Caused by:" chain); `message` is the top-level text kwctl records in a session.

import { anyhowDebug, ChainError } from "./errors";
import { jsonString, serialiseValue } from "./json";
import { serialiseImageManifest, serialiseManifest } from "./manifest";
import { INVALID_REFERENCE_PREFIX, parseForLookup } from "./reference";
import type { RegistryClient } from "./registry-client";

export type OciOperation = "v1/oci_manifest" | "v1/manifest_digest" | "v1/oci_manifest_config";

export const OCI_OPERATIONS: readonly OciOperation[] = ["v1/oci_manifest", "v1/manifest_digest", "v1/oci_manifest_config"];

export type LookupResult =
  | { ok: true; payload: string }
  | {
      ok: false;
      /** the text after "Callback evaluation failure: " as the guest sees it (may span lines) */
      error: string;
      /** the error's top-level Display text: what kwctl's record mode stores as `message` */
      message: string;
      /**
       * kwhost's one-line account for the user (image, registry, cause, fix where known); set by
       * the live lookup services, never sent to the guest
       */
      summary?: string;
    };

/** The prefix policy-evaluator puts before a failed lookup's error (runtimes/callback.rs). */
export const CALLBACK_FAILURE_PREFIX = "Callback evaluation failure: ";

/** The full host error a policy receives for a failed lookup. */
export function guestErrorText(result: { error: string }): string {
  return `${CALLBACK_FAILURE_PREFIX}${result.error}`;
}

export type LookupFailure = Extract<LookupResult, { ok: false }>;

export function failure(error: ChainError): LookupFailure {
  return { ok: false, error: anyhowDebug(error), message: error.message };
}

/** Runs one lookup against the registry (no cache). Never throws. */
export async function performLookup(client: RegistryClient, operation: OciOperation, image: string): Promise<LookupResult> {
  const outcome = await performLookupKeepingChain(client, operation, image);
  return outcome.ok ? outcome : failure(outcome.chain);
}

/** performLookup with a failure's ChainError kept, for kwhost's own diagnosis (diagnosis.ts). */
export async function performLookupKeepingChain(
  client: RegistryClient,
  operation: OciOperation,
  image: string,
): Promise<{ ok: true; payload: string } | { ok: false; chain: ChainError }> {
  const failure = (chain: ChainError): { ok: false; chain: ChainError } => ({ ok: false, chain });
  const parsed = parseForLookup(image);
  if (!parsed.ok) {
    const error = new ChainError(parsed.error.message);
    return failure(parsed.reparsed ? error.wrap(INVALID_REFERENCE_PREFIX) : error);
  }
  const reference = parsed.reference;
  try {
    switch (operation) {
      case "v1/oci_manifest": {
        const { manifest } = await client.manifest(reference);
        return { ok: true, payload: serialiseManifest(manifest) };
      }
      case "v1/manifest_digest": {
        const digest = await client.manifestDigest(reference);
        return { ok: true, payload: `{"digest":${jsonString(digest)}}` };
      }
      case "v1/oci_manifest_config": {
        const { manifest, digest, config } = await client.manifestAndConfig(reference);
        return {
          ok: true,
          payload: `{"manifest":${serialiseImageManifest(manifest)},"digest":${jsonString(digest)},"config":${serialiseValue(config)}}`,
        };
      }
      default:
        return failure(new ChainError(`unknown operation: ${String(operation)}`));
    }
  } catch (err) {
    return failure(err instanceof ChainError ? err : new ChainError(err instanceof Error ? err.message : String(err)));
  }
}

/**
 * policy-evaluator's `#[cached(time = 60, result = true, key = image string)]`: successful
 * replies only, for 60 s, keyed by the operation and the exact string the policy sent
 * ("busybox" and "docker.io/library/busybox:latest" are different entries).
 */
export class LookupCache {
  private readonly entries = new Map<string, { payload: string; storedAt: number }>();

  constructor(
    private readonly ttlMs: number = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  private static key(operation: OciOperation, image: string): string {
    return `${operation}\u0000${image}`;
  }

  get(operation: OciOperation, image: string): string | undefined {
    const key = LookupCache.key(operation, image);
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (this.now() - entry.storedAt >= this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.payload;
  }

  set(operation: OciOperation, image: string, payload: string): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (now - entry.storedAt >= this.ttlMs) this.entries.delete(key);
    this.entries.set(LookupCache.key(operation, image), { payload, storedAt: now });
  }

  get size(): number {
    return this.entries.size;
  }
}
