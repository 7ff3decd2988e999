// OCI image-spec model as the Kubewarden host sends it (oci-client 0.17 re-serialisation; see
// https://github.com/oras-project/rust-oci-client, src/manifest.rs). Decoded by hand from a JsonValue: every field's type is
// checked, unknown fields are ignored, a wrong type is an error value naming the field.

import { JsonValue } from "../json/reader";

export const MEDIA_TYPE_OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const MEDIA_TYPE_OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const MEDIA_TYPE_DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
export const MEDIA_TYPE_DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

/**
 * A JSON object whose values were all checked to be strings (annotations, labels): a view that
 * decodes a value only when it is asked for. Duplicate keys: the last one wins, as in serde_json.
 */
export class StringMap {
  constructor(public node: JsonValue) {}

  get size(): i32 {
    return this.node.length;
  }

  has(key: string): bool {
    return this.node.get(key) != null;
  }

  /** The value of `key`, or null when absent. */
  get(key: string): string | null {
    const value = this.node.get(key);
    return value == null ? null : value.str();
  }

  /** The keys in document order. */
  keys(): string[] {
    const keys = new Array<string>();
    for (let i = 0, n = this.node.length; i < n; i++) keys.push(this.node.keyAt(i));
    return keys;
  }
}

/** Collects the first decoding error while a structure is read. */
export class DecodeContext {
  error: string | null = null;

  fail(message: string): void {
    if (this.error == null) this.error = message;
  }

  /** Optional string member, undecoded; wrong type records an error. */
  optionalStringNode(object: JsonValue, key: string, path: string): JsonValue | null {
    const value = object.get(key);
    if (value == null || value.isNull) return null;
    if (!value.isString) {
      this.fail(path + "." + key + " is not a string");
      return null;
    }
    return value;
  }

  /** Optional string member; wrong type records an error. */
  optionalString(object: JsonValue, key: string, path: string): string | null {
    const value = this.optionalStringNode(object, key, path);
    return value == null ? null : value.str();
  }

  /** Optional object member of string values (annotations, labels). */
  stringMap(object: JsonValue, key: string, path: string): StringMap | null {
    const value = object.get(key);
    if (value == null || value.isNull) return null;
    if (!value.isObject) {
      this.fail(path + "." + key + " is not an object");
      return null;
    }
    for (let i = 0, n = value.length; i < n; i++) {
      if (!value.valueAt(i)!.isString) {
        this.fail(path + "." + key + "." + value.keyAt(i) + " is not a string");
        return null;
      }
    }
    return new StringMap(value);
  }
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

  /** Decodes the `platform` of descriptor `index` of `owner` (the path is spelled only for an error). */
  static decode(value: JsonValue, owner: string, index: i32, ctx: DecodeContext): Platform | null {
    if (!value.isObject) {
      ctx.fail(itemPath(owner, index) + ".platform is not an object");
      return null;
    }
    const architecture = value.get("architecture");
    const os = value.get("os");
    const variant = value.get("variant");
    let wrong: string | null = null;
    if (architecture != null && !architecture.isNull && !architecture.isString) wrong = "architecture";
    else if (os != null && !os.isNull && !os.isString) wrong = "os";
    else if (architecture == null || architecture.isNull || os == null || os.isNull) {
      ctx.fail(itemPath(owner, index) + ".platform needs \"architecture\" and \"os\" strings");
      return null;
    } else if (variant != null && !variant.isNull && !variant.isString) wrong = "variant";
    if (wrong != null) {
      ctx.fail(itemPath(owner, index) + ".platform." + wrong + " is not a string");
      return null;
    }
    const p = new Platform();
    p.architecture = architecture!.str()!;
    p.os = os!.str()!;
    if (variant != null && !variant.isNull) p.variant = variant.str();
    return p;
  }
}

/** "index.manifests[2]" (or `owner` alone when `index` < 0), for error messages. */
function itemPath(owner: string, index: i32): string {
  return index < 0 ? owner : owner + "[" + index.toString() + "]";
}

/** A member's node, or null when absent or JSON null (the caller checks its type). */
function stringMember(object: JsonValue, key: string): JsonValue | null {
  const value = object.get(key);
  return value == null || value.isNull ? null : value;
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

  /** Decodes descriptor `index` of `owner` ("manifest.layers"; index -1 for a single one, "manifest.config"). */
  static decode(value: JsonValue, owner: string, index: i32, ctx: DecodeContext): Descriptor | null {
    if (!value.isObject) {
      ctx.fail(itemPath(owner, index) + " is not an object");
      return null;
    }
    const d = new Descriptor();
    const mediaType = stringMember(value, "mediaType");
    if (mediaType != null && !mediaType.isString) {
      ctx.fail(itemPath(owner, index) + ".mediaType is not a string");
      return null;
    }
    d.mediaTypeNode = mediaType;
    const digest = stringMember(value, "digest");
    if (digest == null || !digest.isString) {
      ctx.fail(itemPath(owner, index) + (digest == null ? ".digest is missing" : ".digest is not a string"));
      return null;
    }
    d.digestNode = digest;
    const size = value.get("size");
    if (size != null && !size.isNull) {
      const n = size.integer();
      if (n == null) {
        ctx.fail(itemPath(owner, index) + ".size is not an integer");
        return null;
      }
      d.size = n.value;
    }
    const platform = value.get("platform");
    if (platform != null && !platform.isNull) {
      d.platform = Platform.decode(platform, owner, index, ctx);
      if (d.platform == null) return null;
    }
    const annotations = value.get("annotations");
    if (annotations != null && !annotations.isNull) {
      d.annotations = ctx.stringMap(value, "annotations", itemPath(owner, index));
      if (d.annotations == null) return null;
    }
    return ctx.error == null ? d : null;
  }
}

export class ImageManifest {
  schemaVersion: i32 = 2;
  private mediaTypeNode: JsonValue | null = null;
  config: Descriptor = new Descriptor();
  layers: Descriptor[] = [];
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

  static decode(value: JsonValue, ctx: DecodeContext): ImageManifest | null {
    const m = new ImageManifest();
    m.mediaTypeNode = ctx.optionalStringNode(value, "mediaType", "manifest");
    const config = value.get("config")!;
    const decodedConfig = Descriptor.decode(config, "manifest.config", -1, ctx);
    if (decodedConfig == null) return null;
    m.config = decodedConfig;
    const layers = value.get("layers")!;
    for (let i = 0, n = layers.length; i < n; i++) {
      const layer = Descriptor.decode(layers.at(i)!, "manifest.layers", i, ctx);
      if (layer == null) return null;
      m.layers.push(layer);
    }
    m.annotations = ctx.stringMap(value, "annotations", "manifest");
    return ctx.error == null ? m : null;
  }
}

export class ImageIndex {
  schemaVersion: i32 = 2;
  private mediaTypeNode: JsonValue | null = null;
  manifests: Descriptor[] = [];
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

  static decode(value: JsonValue, ctx: DecodeContext): ImageIndex | null {
    const index = new ImageIndex();
    index.mediaTypeNode = ctx.optionalStringNode(value, "mediaType", "index");
    const manifests = value.get("manifests")!;
    for (let i = 0, n = manifests.length; i < n; i++) {
      const entry = Descriptor.decode(manifests.at(i)!, "index.manifests", i, ctx);
      if (entry == null) return null;
      index.manifests.push(entry);
    }
    index.annotations = ctx.stringMap(value, "annotations", "index");
    return ctx.error == null ? index : null;
  }
}

/** Attestation entries (BuildKit provenance/SBOM) are not runnable images. */
export function isAttestation(entry: Descriptor): bool {
  const reference = entry.annotation("vnd.docker.reference.type");
  if (reference != null && reference == "attestation-manifest") return true;
  const platform = entry.platform;
  return platform != null && platform.os == "unknown" && platform.architecture == "unknown";
}
