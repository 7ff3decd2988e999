// Host capability kubewarden/oci/v1/manifest_digest: `{"digest":"sha256:…"}`, the digest of what
// the reference points to (the index digest for a multi-arch tag).

import { ociLookupJson, V1_MANIFEST_DIGEST } from "./capability";
import { JsonValue } from "../json/reader";
import { digestProblem } from "./reference";

export class ManifestDigestResult {
  constructor(
    public digest: string | null,
    public error: string | null,
  ) {}
}

export function getManifestDigest(image: string): ManifestDigestResult {
  const reply = ociLookupJson(V1_MANIFEST_DIGEST, image);
  const root = reply.root;
  if (root == null) return new ManifestDigestResult(null, reply.error);
  return decodeManifestDigest(root);
}

function decodeManifestDigest(root: JsonValue): ManifestDigestResult {
  const node = root.get("digest");
  let digest: string | null = null;
  if (node != null) digest = node.str();
  if (digest == null) return new ManifestDigestResult(null, "host reply has no \"digest\" string");
  const problem = digestProblem(digest);
  if (problem != null) return new ManifestDigestResult(null, "host reply: " + problem);
  return new ManifestDigestResult(digest, null);
}
