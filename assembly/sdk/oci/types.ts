// OCI image-spec model as the Kubewarden host sends it (oci-client 0.17 re-serialisation; see
// https://github.com/oras-project/rust-oci-client, src/manifest.rs). Decoded by hand from a JsonValue: every field's type is
// checked, unknown fields are ignored, a wrong type is an error value naming the field.

import { JsonValue } from "../json/reader";
import { FieldReader, StringMap } from "../fields";

export { StringMap };

export const MEDIA_TYPE_OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const MEDIA_TYPE_OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const MEDIA_TYPE_DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
export const MEDIA_TYPE_DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
/** Config media types of runnable images (image-spec config.md; Docker image manifest v2.2). */
export const MEDIA_TYPE_OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
export const MEDIA_TYPE_DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";

/**
 * Whether a manifest's config descriptor media type names something other than an image config,
 * e.g. "application/vnd.oci.empty.v1+json" (image-spec manifest.md "Guidelines for Artifact
 * Usage"). An absent media type counts as an image config.
 */
export function isArtifactConfig(mediaType: string): bool {
  return mediaType.length > 0 && mediaType != MEDIA_TYPE_OCI_CONFIG && mediaType != MEDIA_TYPE_DOCKER_CONFIG;
}

/** Whether a descriptor's media type is an index (OCI image index or Docker manifest list). */
export function isIndexMediaType(mediaType: string): bool {
  return mediaType == MEDIA_TYPE_OCI_INDEX || mediaType == MEDIA_TYPE_DOCKER_MANIFEST_LIST;
}

export class Platform {
  architecture: string = "";
  os: string = "";
  variant: string | null = null;

  /** "os/arch" or "os/arch/variant" */
  toString(): string {
    const variant = this.variant;
    return this.os + "/" + this.architecture + (variant != null && variant.length > 0 ? "/" + variant : "");
  }

  /** Decodes `platform`, the `platform` member of `descriptor`. */
  static decode(descriptor: FieldReader, platform: FieldReader): Platform | null {
    const architecture = platform.node("architecture");
    const os = platform.node("os");
    const variant = platform.node("variant");
    let wrong: string | null = null;
    if (architecture != null && !architecture.isString) wrong = "architecture";
    else if (os != null && !os.isString) wrong = "os";
    else if (architecture == null || os == null) {
      descriptor.fail("platform", "needs \"architecture\" and \"os\" strings");
      return null;
    } else if (variant != null && !variant.isString) wrong = "variant";
    if (wrong != null) {
      platform.fail(wrong, descriptor.wording.notString);
      return null;
    }
    const p = new Platform();
    p.architecture = architecture!.str()!;
    p.os = os!.str()!;
    if (variant != null) p.variant = variant.str();
    return p;
  }
}

export class Descriptor {
  private mediaTypeNode: JsonValue | null = null;
  private digestNode: JsonValue | null = null;
  private digestText: string | null = null;
  size: i64 = 0;
  platform: Platform | null = null;
  annotations: StringMap | null = null;

  /** mediaType, "" when absent */
  get mediaType(): string {
    const node = this.mediaTypeNode;
    if (node == null) return "";
    const text = node.str();
    return text == null ? "" : text;
  }

  get digest(): string {
    const cached = this.digestText;
    if (cached != null) return cached;
    const node = this.digestNode;
    let decoded: string | null = null;
    if (node != null) decoded = node.str();
    const text = decoded == null ? "" : decoded;
    this.digestText = text;
    return text;
  }

  annotation(key: string): string | null {
    const annotations = this.annotations;
    return annotations != null ? annotations.get(key) : null;
  }

  /** Whether both descriptors name the same digest. */
  sameDigest(other: Descriptor): bool {
    const a = this.digestNode;
    const b = other.digestNode;
    if (a != null && b != null) return a.sameString(b);
    return this.digest == other.digest;
  }

  /** Decodes the descriptor that `fields` reads ("manifest.config", "index.manifests[2]"). */
  static decode(fields: FieldReader): Descriptor | null {
    const d = new Descriptor();
    d.mediaTypeNode = fields.stringNode("mediaType");
    if (fields.error != null) return null;
    const digest = fields.node("digest");
    if (digest == null || !digest.isString) {
      fields.fail("digest", digest == null ? "is missing" : fields.wording.notString);
      return null;
    }
    d.digestNode = digest;
    d.size = fields.integer("size", 0);
    if (fields.error != null) return null;
    const platform = fields.object("platform");
    if (platform != null) {
      d.platform = Platform.decode(fields, platform);
      if (d.platform == null) return null;
    } else if (fields.error != null) {
      return null;
    }
    d.annotations = fields.stringMap("annotations");
    return fields.error == null ? d : null;
  }
}

/** What an image manifest and an image index share: a media type, annotations, a list of descriptors. */
class ManifestBase {
  schemaVersion: i32 = 2;
  protected mediaTypeNode: JsonValue | null = null;
  annotations: StringMap | null = null;

  /** mediaType, null when absent */
  get mediaType(): string | null {
    const node = this.mediaTypeNode;
    return node == null ? null : node.str();
  }

  annotation(key: string): string | null {
    const annotations = this.annotations;
    return annotations != null ? annotations.get(key) : null;
  }

  /** Reads the descriptors of array `key` (checked by the caller) into `out`, then the annotations. */
  protected decodeDescriptors(fields: FieldReader, key: string, out: Descriptor[]): bool {
    const list = fields.list(key)!;
    for (let i = 0; i < list.size; i++) {
      const item = list.object(i);
      const descriptor = item != null ? Descriptor.decode(item) : null;
      if (descriptor == null) return false;
      out.push(descriptor);
    }
    this.annotations = fields.stringMap("annotations");
    return fields.error == null;
  }
}

export class ImageManifest extends ManifestBase {
  config: Descriptor = new Descriptor();
  layers: Descriptor[] = [];

  /** Decodes an image manifest (its `config` object and `layers` array were checked by the caller). */
  static decode(fields: FieldReader): ImageManifest | null {
    const m = new ImageManifest();
    m.mediaTypeNode = fields.stringNode("mediaType");
    const config = fields.object("config");
    const decodedConfig = config != null ? Descriptor.decode(config) : null;
    if (decodedConfig == null) return null;
    m.config = decodedConfig;
    return m.decodeDescriptors(fields, "layers", m.layers) ? m : null;
  }
}

export class ImageIndex extends ManifestBase {
  manifests: Descriptor[] = [];

  /** Decodes an image index (its `manifests` array was checked by the caller). */
  static decode(fields: FieldReader): ImageIndex | null {
    const index = new ImageIndex();
    index.mediaTypeNode = fields.stringNode("mediaType");
    return index.decodeDescriptors(fields, "manifests", index.manifests) ? index : null;
  }
}

/** Attestation entries (BuildKit provenance/SBOM) are not runnable images. */
export function isAttestation(entry: Descriptor): bool {
  const reference = entry.annotation("vnd.docker.reference.type");
  if (reference != null && reference == "attestation-manifest") return true;
  const platform = entry.platform;
  return platform != null && platform.os == "unknown" && platform.architecture == "unknown";
}
