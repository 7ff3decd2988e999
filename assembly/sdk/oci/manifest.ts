// Host capability kubewarden/oci/v1/oci_manifest: the manifest or index a reference points to.
// The host answers with the bare manifest or index (no wrapper), re-serialised by oci-client.
// Told apart by structure, as the host itself does: `config` + `layers` is an image manifest,
// `manifests` an index; mediaType may be absent and only breaks ties.

import { ociLookupJson, V1_OCI_MANIFEST } from "./capability";
import { JsonValue } from "../json/reader";
import {
  DecodeContext, ImageIndex, ImageManifest,
  MEDIA_TYPE_DOCKER_MANIFEST, MEDIA_TYPE_DOCKER_MANIFEST_LIST, MEDIA_TYPE_OCI_INDEX, MEDIA_TYPE_OCI_MANIFEST,
} from "./types";

/** Either an image manifest or an image index (exactly one is set). */
export class OciManifestResponse {
  constructor(
    public image: ImageManifest | null,
    public index: ImageIndex | null,
  ) {}

  /** Annotations of whichever was returned. */
  annotation(key: string): string | null {
    const image = this.image;
    if (image != null) return image.annotation(key);
    const index = this.index;
    return index != null ? index.annotation(key) : null;
  }
}

export class OciManifestResult {
  constructor(
    public value: OciManifestResponse | null,
    /** the host's error text, or what is wrong with its reply */
    public error: string | null,
  ) {}
}

export function getOciManifest(image: string): OciManifestResult {
  const reply = ociLookupJson(V1_OCI_MANIFEST, image);
  const root = reply.root;
  if (root == null) return new OciManifestResult(null, reply.error);
  return classify(root);
}

function isArrayField(root: JsonValue, key: string): bool {
  const v = root.get(key);
  return v != null && v.isArray;
}

function classify(root: JsonValue): OciManifestResult {
  if (!root.isObject) return new OciManifestResult(null, "host reply is not a JSON object");
  const ctx = new DecodeContext();
  const mediaType = ctx.optionalStringNode(root, "mediaType", "manifest");
  if (ctx.error != null) return new OciManifestResult(null, "host reply: " + ctx.error!);
  const config = root.get("config");
  const looksLikeImage = config != null && config.isObject && isArrayField(root, "layers");
  const looksLikeIndex = isArrayField(root, "manifests");
  let asIndex: bool;
  if (looksLikeImage && !looksLikeIndex) asIndex = false;
  else if (looksLikeIndex && !looksLikeImage) asIndex = true;
  else if (looksLikeImage && looksLikeIndex && mediaType != null) {
    asIndex = mediaType.equals(MEDIA_TYPE_OCI_INDEX) || mediaType.equals(MEDIA_TYPE_DOCKER_MANIFEST_LIST);
  } else {
    return new OciManifestResult(
      null,
      "host reply is neither an image manifest (config and layers) nor an image index (manifests)",
    );
  }
  if (mediaType != null && !isKnownMediaType(mediaType)) {
    return new OciManifestResult(null, "host reply has unsupported media type \"" + mediaType.str()! + "\"");
  }
  const schema = root.get("schemaVersion");
  if (schema != null && !schema.isNull) {
    const version = schema.integer();
    if (version == null || version.value != 2) {
      return new OciManifestResult(null, "host reply has unsupported schemaVersion " + schema.rawText());
    }
  }
  if (asIndex) {
    const index = ImageIndex.decode(root, ctx);
    if (index == null) return new OciManifestResult(null, "host reply: " + ctx.error!);
    return new OciManifestResult(new OciManifestResponse(null, index), null);
  }
  const image = ImageManifest.decode(root, ctx);
  if (image == null) return new OciManifestResult(null, "host reply: " + ctx.error!);
  return new OciManifestResult(new OciManifestResponse(image, null), null);
}

function isKnownMediaType(mediaType: JsonValue): bool {
  return mediaType.equals(MEDIA_TYPE_OCI_MANIFEST) || mediaType.equals(MEDIA_TYPE_OCI_INDEX) ||
    mediaType.equals(MEDIA_TYPE_DOCKER_MANIFEST) || mediaType.equals(MEDIA_TYPE_DOCKER_MANIFEST_LIST);
}
