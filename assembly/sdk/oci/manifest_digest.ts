// Host capability kubewarden/oci/v1/manifest_digest: `{"digest":"sha256:…"}`, the digest of what
// the reference points to (the index digest for a multi-arch tag).

import { ociLookupDecoded, V1_MANIFEST_DIGEST } from "./capability";
import { JsonValue } from "../json/reader";
import { digestProblem } from "./reference";
import { fail, ok, Result } from "../result";

/** The digest `image` points to; the error is the host's, or what is wrong with its reply. */
export function getManifestDigest(image: string): Result<string> {
  return ociLookupDecoded<string>(V1_MANIFEST_DIGEST, image, decodeManifestDigest);
}

function decodeManifestDigest(root: JsonValue): Result<string> {
  const node = root.get("digest");
  let digest: string | null = null;
  if (node != null) digest = node.str();
  if (digest == null) return fail<string>("host reply has no \"digest\" string");
  const problem = digestProblem(digest);
  if (problem != null) return fail<string>("host reply: " + problem);
  return ok<string>(digest);
}
