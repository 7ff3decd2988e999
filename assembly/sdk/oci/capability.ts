// The `oci` namespace of Kubewarden's host capabilities: the three read-only lookups this SDK
// binds, one file each (manifest.ts, manifest_digest.ts, manifest_config.ts), and the memo of one
// evaluation's lookups (lookups.ts). The payload of each is the image reference as a JSON string
// (policy-evaluator: serde_json::from_slice::<String>).

import { hostCall, KUBEWARDEN_BINDING, Utf8Name } from "../wapc";
import { JsonValue, parseJson } from "../json/reader";
import { jsonStringBytes } from "../json/writer";
import { fail, Result } from "../result";

// Length-prefixed UTF-8 names (see Utf8Name in wapc.ts).
const OCI_NAMESPACE: Utf8Name = memory.data<u8>([3, 0x6f, 0x63, 0x69]);
/** "v1/oci_manifest" */
export const V1_OCI_MANIFEST: Utf8Name = memory.data<u8>([15,
  0x76, 0x31, 0x2f, 0x6f, 0x63, 0x69, 0x5f, 0x6d, 0x61, 0x6e, 0x69, 0x66, 0x65, 0x73, 0x74]);
/** "v1/manifest_digest" */
export const V1_MANIFEST_DIGEST: Utf8Name = memory.data<u8>([18,
  0x76, 0x31, 0x2f, 0x6d, 0x61, 0x6e, 0x69, 0x66, 0x65, 0x73, 0x74, 0x5f, 0x64, 0x69, 0x67, 0x65, 0x73, 0x74]);
/** "v1/oci_manifest_config" */
export const V1_OCI_MANIFEST_CONFIG: Utf8Name = memory.data<u8>([22,
  0x76, 0x31, 0x2f, 0x6f, 0x63, 0x69, 0x5f, 0x6d, 0x61, 0x6e, 0x69, 0x66, 0x65, 0x73, 0x74, 0x5f, 0x63, 0x6f, 0x6e, 0x66, 0x69, 0x67]);

/** Asks the host's `oci` namespace `operation` about `image`: the reply bytes, or the host's error. */
export function ociLookup(operation: Utf8Name, image: string): Result<ArrayBuffer> {
  return hostCall(KUBEWARDEN_BINDING, OCI_NAMESPACE, operation, jsonStringBytes(image));
}

/**
 * `ociLookup`, with the reply parsed as JSON and decoded by `decode` (each operation's file checks
 * its shape). The error is the host's own, or what is wrong with its reply.
 */
export function ociLookupDecoded<T>(operation: Utf8Name, image: string, decode: (root: JsonValue) => Result<T>): Result<T> {
  const reply = ociLookup(operation, image);
  const payload = reply.value;
  if (payload == null) return fail<T>(reply.error!);
  const parsed = parseJson(payload);
  const root = parsed.value;
  if (root == null) return fail<T>("host reply is not valid JSON: " + parsed.error!);
  return decode(root);
}
