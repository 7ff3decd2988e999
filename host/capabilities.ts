// Host capabilities as policy-evaluator dispatches them (crates/policy-evaluator/src/runtimes/callback.rs):
// binding "kubewarden", then namespace and operation. The OCI operations take a JSON string
// payload (the image reference) and are answered by a pluggable backend: a replayed session, an
// in-memory table (tests), or live registry lookups.

import type { HostCallback, HostCallOutcome } from "./wapc";
import { type CallbackRequest, type OciRequestTag, SessionReplayer } from "./session";
import type { OciOperation } from "./oci/operations";

export type { OciOperation };

/** The session tag kwctl records for each operation. */
export const OCI_OPERATION_TAGS: Record<OciOperation, OciRequestTag> = {
  "v1/oci_manifest": "OciManifest",
  "v1/manifest_digest": "OciManifestDigest",
  "v1/oci_manifest_config": "OciManifestAndConfig",
};

/**
 * `error` is the inner text the guest sees after "Callback evaluation failure: "; `message`, when
 * set, is the one-line form kwctl writes into recorded sessions.
 */
export type LookupAnswer = { ok: true; payload: string } | { ok: false; error: string; message?: string };

/** Answers OCI lookups; `error` is the inner message, before the "Callback evaluation failure" prefix. */
export interface OciBackend {
  lookup(operation: OciOperation, image: string): LookupAnswer;
}

/** A backend that may also answer raw reply bytes, which need not be UTF-8 (the fuzz campaigns' hosts). */
export interface RawOciBackend {
  lookup(operation: OciOperation, image: string): LookupAnswer | { ok: true; payload: string | Uint8Array };
}

/** One host call as the policy made it, for tests and for `bench`'s figures. */
export interface HostCallRecord {
  namespace: string;
  operation: string;
  payload: string;
  ok: boolean;
}

export interface CapabilityOptions {
  /** kwctl's --allowed-host-capabilities: "*", "oci/*", "oci/v1/oci_manifest", … (default ["*"]) */
  allowed?: readonly string[];
  /** receives every host call */
  onCall?: (call: HostCallRecord) => void;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

function isOciOperation(operation: string): operation is OciOperation {
  return operation in OCI_OPERATION_TAGS;
}

/** Whether one of the capability patterns ("*", "oci/*", "oci/v1/*", "oci/v1/oci_manifest") covers `path`. */
export function granted(patterns: readonly string[], path: string): boolean {
  return patterns.some(
    (pattern) => pattern === "*" || pattern === path || (pattern.endsWith("/*") && path.startsWith(pattern.slice(0, -1))),
  );
}

export function capabilityHandler(backend: OciBackend | RawOciBackend, options: CapabilityOptions = {}): HostCallback {
  const allowed = options.allowed ?? ["*"];
  return (binding, namespace, operation, payload): HostCallOutcome => {
    const outcome = dispatch(binding, namespace, operation, payload);
    options.onCall?.({ namespace, operation, payload: Buffer.from(payload).toString("utf8"), ok: outcome.ok });
    return outcome;
  };

  function dispatch(binding: string, namespace: string, operation: string, payload: Uint8Array): HostCallOutcome {
    if (binding !== "kubewarden") return { ok: false, error: `unknown binding: ${binding}` };
    if (namespace === "tracing") {
      if (operation === "log") return { ok: true, payload: new Uint8Array(0) };
      return { ok: false, error: `unknown operation: ${operation}` };
    }
    if (namespace !== "oci") return { ok: false, error: `unknown namespace: ${namespace}` };
    if (!isOciOperation(operation)) return { ok: false, error: `unknown operation: ${operation}` };
    const path = `${namespace}/${operation}`;
    if (!granted(allowed, path)) {
      return { ok: false, error: `Policy has not been granted access to the '${path}' host capability. The violation has been reported.` };
    }
    // The payload is a JSON string (serde_json::from_slice::<String>); anything else is a bare serde error.
    let image: unknown;
    try {
      image = JSON.parse(decoder.decode(payload));
    } catch (err) {
      return { ok: false, error: `expected value at line 1 column 1: ${(err as Error).message}` };
    }
    if (typeof image !== "string")
      return { ok: false, error: `invalid type: ${describeJsonType(image)}, expected a string at line 1 column 1` };
    const answer = backend.lookup(operation, image);
    if (!answer.ok) return { ok: false, error: `Callback evaluation failure: ${answer.error}` };
    return { ok: true, payload: typeof answer.payload === "string" ? encoder.encode(answer.payload) : answer.payload };
  }
}

function describeJsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "sequence";
  if (typeof value === "object") return "map";
  return typeof value;
}

export function ociRequest(operation: OciOperation, image: string): CallbackRequest {
  return { tag: OCI_OPERATION_TAGS[operation], fields: { image } };
}

/** Backend answering from a kwctl session file (replay mode). */
export class ReplayBackend implements OciBackend {
  constructor(private readonly replayer: SessionReplayer) {}

  lookup(operation: OciOperation, image: string): LookupAnswer {
    return this.replayer.answer(ociRequest(operation, image));
  }

  get leftover(): number {
    return this.replayer.leftover;
  }

  rewind(): void {
    this.replayer.rewind();
  }
}

/** Backend answering from a table keyed by "<operation> <image>" (jest tests). */
export class TableBackend implements OciBackend {
  constructor(private readonly table: ReadonlyMap<string, LookupAnswer>) {}

  static key(operation: OciOperation, image: string): string {
    return `${operation} ${image}`;
  }

  /** The key of a fixture written "<image>" (v1/oci_manifest) or "<operation> <image>". */
  static keyOf(shorthand: string): string {
    const [first, ...rest] = shorthand.split(" ");
    return rest.length > 0 ? TableBackend.key(first as OciOperation, rest.join(" ")) : TableBackend.key("v1/oci_manifest", first);
  }

  lookup(operation: OciOperation, image: string): LookupAnswer {
    return this.table.get(TableBackend.key(operation, image)) ?? { ok: false, error: `no test fixture answers ${operation} for ${image}` };
  }
}
