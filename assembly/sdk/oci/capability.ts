// The `oci` namespace of Kubewarden's host capabilities: the three read-only lookups this SDK
// binds, one file each (manifest.ts, manifest_digest.ts, manifest_config.ts). The payload of each
// is the image reference as a JSON string (policy-evaluator: serde_json::from_slice::<String>).

import { HostCallResult, hostCall, KUBEWARDEN_BINDING, Utf8Name } from "../wapc";
import { JsonValue, parseJson } from "../json/reader";
import { jsonStringBytes } from "../json/writer";

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

/** Asks the host's `oci` namespace `operation` about `image`. */
export function ociLookup(operation: Utf8Name, image: string): HostCallResult {
  return hostCall(KUBEWARDEN_BINDING, OCI_NAMESPACE, operation, jsonStringBytes(image));
}

/** A reply parsed as JSON, or the error text: the host's own, or what is wrong with its reply. */
export class OciReply {
  constructor(
    public root: JsonValue | null,
    public error: string | null,
  ) {}
}

/** `ociLookup`, with the reply parsed; each operation's file then checks the shape. */
export function ociLookupJson(operation: Utf8Name, image: string): OciReply {
  const reply = ociLookup(operation, image);
  const payload = reply.payload;
  if (payload == null) return new OciReply(null, reply.error);
  const parsed = parseJson(payload);
  const root = parsed.value;
  if (root == null) return new OciReply(null, "host reply is not valid JSON: " + parsed.error!);
  return new OciReply(root, null);
}
