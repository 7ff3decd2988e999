// Host capability kubewarden/oci/v1/oci_manifest: the manifest or index a reference points to.
// The host answers with the bare manifest or index (no wrapper), re-serialised by oci-client.
// Told apart by structure, as the host itself does: `config` + `layers` is an image manifest,
// `manifests` an index; mediaType may be absent and only breaks ties.

import { ociLookupDecoded, V1_OCI_MANIFEST } from "./capability";
import { JsonValue } from "../json/reader";
import { DECODING, FieldReader } from "../fields";
import { fail, ok, Result } from "../result";
import {
  ImageIndex, ImageManifest,
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

/** The manifest or index `image` points to; the error is the host's, or what is wrong with its reply. */
export function getOciManifest(image: string): Result<OciManifestResponse> {
  return ociLookupDecoded<OciManifestResponse>(V1_OCI_MANIFEST, image, classify);
}

function isArrayField(root: JsonValue, key: string): bool {
  const v = root.get(key);
  return v != null && v.isArray;
}

function classify(root: JsonValue): Result<OciManifestResponse> {
  if (!root.isObject) return fail<OciManifestResponse>("host reply is not a JSON object");
  const fields = FieldReader.of(root, "manifest", DECODING);
  const mediaType = fields.stringNode("mediaType");
  if (fields.error != null) return fail<OciManifestResponse>("host reply: " + fields.error!);
  const config = root.get("config");
  const looksLikeImage = config != null && config.isObject && isArrayField(root, "layers");
  const looksLikeIndex = isArrayField(root, "manifests");
  let asIndex: bool;
  if (looksLikeImage && !looksLikeIndex) asIndex = false;
  else if (looksLikeIndex && !looksLikeImage) asIndex = true;
  else if (looksLikeImage && looksLikeIndex && mediaType != null) {
    asIndex = mediaType.equals(MEDIA_TYPE_OCI_INDEX) || mediaType.equals(MEDIA_TYPE_DOCKER_MANIFEST_LIST);
  } else {
    return fail<OciManifestResponse>("host reply is neither an image manifest (config and layers) nor an image index (manifests)");
  }
  if (mediaType != null && !isKnownMediaType(mediaType)) {
    return fail<OciManifestResponse>("host reply has unsupported media type \"" + mediaType.str()! + "\"");
  }
  const schema = root.get("schemaVersion");
  if (schema != null && !schema.isNull) {
    if (!schema.isInteger || schema.integer() != 2) {
      return fail<OciManifestResponse>("host reply has unsupported schemaVersion " + schema.rawText());
    }
  }
  if (asIndex) {
    const indexFields = FieldReader.of(root, "index", DECODING);
    const index = ImageIndex.decode(indexFields);
    if (index == null) return fail<OciManifestResponse>("host reply: " + indexFields.error!);
    return ok(new OciManifestResponse(null, index));
  }
  const image = ImageManifest.decode(fields);
  if (image == null) return fail<OciManifestResponse>("host reply: " + fields.error!);
  return ok(new OciManifestResponse(image, null));
}

function isKnownMediaType(mediaType: JsonValue): bool {
  return mediaType.equals(MEDIA_TYPE_OCI_MANIFEST) || mediaType.equals(MEDIA_TYPE_OCI_INDEX) ||
    mediaType.equals(MEDIA_TYPE_DOCKER_MANIFEST) || mediaType.equals(MEDIA_TYPE_DOCKER_MANIFEST_LIST);
}
