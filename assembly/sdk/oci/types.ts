// OCI image-spec model as the Kubewarden host sends it (oci-client 0.17 re-serialisation; see
// the wire-protocol reference §5.2). Decoded by hand from a JsonValue: every field's type is
// checked, unknown fields are ignored, a wrong type is an error value naming the field.

import { JsonValue } from "../json/reader";

export const MEDIA_TYPE_OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const MEDIA_TYPE_OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const MEDIA_TYPE_DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
export const MEDIA_TYPE_DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

/** Collects the first decoding error while a structure is read. */
export class DecodeContext {
  error: string | null = null;

  fail(message: string): void {
    if (this.error == null) this.error = message;
  }

  /** Optional string member; wrong type records an error. */
  optionalString(object: JsonValue, key: string, path: string): string | null {
    const value = object.get(key);
    if (value == null || value.isNull) return null;
    const text = value.str();
    if (text == null) this.fail(path + "." + key + " is not a string");
    return text;
  }

  /** Optional object member of string values (annotations, labels). */
  stringMap(object: JsonValue, key: string, path: string): Map<string, string> | null {
    const value = object.get(key);
    if (value == null || value.isNull) return null;
    if (!value.isObject) {
      this.fail(path + "." + key + " is not an object");
      return null;
    }
    const map = new Map<string, string>();
    const keys = value.keys!;
    const items = value.items!;
    for (let i = 0; i < keys.length; i++) {
      const text = items[i].str();
      if (text == null) {
        this.fail(path + "." + key + "." + keys[i] + " is not a string");
        return null;
      }
      map.set(keys[i], text);
    }
    return map;
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

  static decode(value: JsonValue, path: string, ctx: DecodeContext): Platform | null {
    if (!value.isObject) {
      ctx.fail(path + " is not an object");
      return null;
    }
    const p = new Platform();
    const architecture = ctx.optionalString(value, "architecture", path);
    const os = ctx.optionalString(value, "os", path);
    if (architecture == null || os == null) {
      ctx.fail(path + " needs \"architecture\" and \"os\" strings");
      return null;
    }
    p.architecture = architecture;
    p.os = os;
    p.variant = ctx.optionalString(value, "variant", path);
    return p;
  }
}

export class Descriptor {
  mediaType: string = "";
  digest: string = "";
  size: i64 = 0;
  platform: Platform | null = null;
  annotations: Map<string, string> | null = null;

  annotation(key: string): string | null {
    const annotations = this.annotations;
    return annotations != null && annotations.has(key) ? annotations.get(key) : null;
  }

  static decode(value: JsonValue, path: string, ctx: DecodeContext): Descriptor | null {
    if (!value.isObject) {
      ctx.fail(path + " is not an object");
      return null;
    }
    const d = new Descriptor();
    const mediaType = ctx.optionalString(value, "mediaType", path);
    d.mediaType = mediaType == null ? "" : mediaType;
    const digest = ctx.optionalString(value, "digest", path);
    if (digest == null) {
      ctx.fail(path + ".digest is missing");
      return null;
    }
    d.digest = digest;
    const size = value.get("size");
    if (size != null && !size.isNull) {
      const n = size.integer();
      if (n == null) ctx.fail(path + ".size is not an integer");
      else d.size = n.value;
    }
    const platform = value.get("platform");
    if (platform != null && !platform.isNull) d.platform = Platform.decode(platform, path + ".platform", ctx);
    d.annotations = ctx.stringMap(value, "annotations", path);
    return ctx.error == null ? d : null;
  }
}

export class ImageManifest {
  schemaVersion: i32 = 2;
  mediaType: string | null = null;
  config: Descriptor = new Descriptor();
  layers: Descriptor[] = [];
  annotations: Map<string, string> | null = null;

  annotation(key: string): string | null {
    const annotations = this.annotations;
    return annotations != null && annotations.has(key) ? annotations.get(key) : null;
  }

  static decode(value: JsonValue, ctx: DecodeContext): ImageManifest | null {
    const m = new ImageManifest();
    m.mediaType = ctx.optionalString(value, "mediaType", "manifest");
    const config = value.get("config")!;
    const decodedConfig = Descriptor.decode(config, "manifest.config", ctx);
    if (decodedConfig != null) m.config = decodedConfig;
    const layers = value.get("layers")!;
    for (let i = 0; i < layers.length; i++) {
      const layer = Descriptor.decode(layers.at(i)!, "manifest.layers[" + i.toString() + "]", ctx);
      if (layer != null) m.layers.push(layer);
    }
    m.annotations = ctx.stringMap(value, "annotations", "manifest");
    return ctx.error == null ? m : null;
  }
}

export class ImageIndex {
  schemaVersion: i32 = 2;
  mediaType: string | null = null;
  manifests: Descriptor[] = [];
  annotations: Map<string, string> | null = null;

  annotation(key: string): string | null {
    const annotations = this.annotations;
    return annotations != null && annotations.has(key) ? annotations.get(key) : null;
  }

  static decode(value: JsonValue, ctx: DecodeContext): ImageIndex | null {
    const index = new ImageIndex();
    index.mediaType = ctx.optionalString(value, "mediaType", "index");
    const manifests = value.get("manifests")!;
    for (let i = 0; i < manifests.length; i++) {
      const entry = Descriptor.decode(manifests.at(i)!, "index.manifests[" + i.toString() + "]", ctx);
      if (entry != null) index.manifests.push(entry);
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
