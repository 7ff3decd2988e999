// Host capability kubewarden/oci/v1/manifest_digest: `{"digest":"sha256:…"}`, the digest of what
// the reference points to (the index digest for a multi-arch tag).

import { ociLookup, V1_MANIFEST_DIGEST } from "./capability";
import { parseJson } from "../json/reader";
import { digestProblem } from "./reference";

export class ManifestDigestResult {
  constructor(
    public digest: string | null,
    public error: string | null,
  ) {}
}

export function getManifestDigest(image: string): ManifestDigestResult {
  const reply = ociLookup(V1_MANIFEST_DIGEST, image);
  const payload = reply.payload;
  if (payload == null) return new ManifestDigestResult(null, reply.error);
  return decodeManifestDigest(payload);
}

export function decodeManifestDigest(payload: ArrayBuffer): ManifestDigestResult {
  const parsed = parseJson(payload);
  const root = parsed.value;
  if (root == null) return new ManifestDigestResult(null, "host reply is not valid JSON: " + parsed.error!);
  const node = root.get("digest");
  let digest: string | null = null;
  if (node != null) digest = node.str();
  if (digest == null) return new ManifestDigestResult(null, "host reply has no \"digest\" string");
  const problem = digestProblem(digest);
  if (problem != null) return new ManifestDigestResult(null, "host reply: " + problem);
  return new ManifestDigestResult(digest, null);
}
