// Host capability kubewarden/oci/v1/oci_manifest_config: an image manifest, its digest and its
// config blob, `{"manifest":…,"digest":"sha256:…","config":{…}}` (policy-evaluator
// ManifestAndConfigResponse). For an index the host answers for ITS OWN platform
// (current_platform_resolver), so ask by per-platform digest when every platform matters.

import { ociLookupDecoded, V1_OCI_MANIFEST_CONFIG } from "./capability";
import { JsonValue } from "../json/reader";
import { DECODING, FieldReader, StringMap } from "../fields";
import { fail, ok, Result } from "../result";
import { ImageManifest } from "./types";

/** The parts of an OCI image config this SDK reads (image-spec config.md; wire names). */
export class ImageConfig {
  architecture: string = "";
  os: string = "";
  variant: string | null = null;
  /** config.User; null when absent */
  user: string | null = null;
  /** config.Env, "NAME=value" entries */
  env: string[] = [];
  /** config.Labels */
  labels: StringMap | null = null;

  label(key: string): string | null {
    const labels = this.labels;
    return labels != null ? labels.get(key) : null;
  }

  /** Decodes a config blob (the reader's path is "config"). */
  static decode(fields: FieldReader): ImageConfig | null {
    const c = new ImageConfig();
    const architecture = fields.string("architecture");
    const os = fields.string("os");
    c.architecture = architecture == null ? "" : architecture;
    c.os = os == null ? "" : os;
    c.variant = fields.string("variant");
    const inner = fields.object("config");
    if (inner != null) {
      c.user = inner.string("User");
      const env = inner.list("Env");
      if (env != null) {
        for (let i = 0; i < env.size; i++) {
          const entry = env.string(i);
          if (entry == null) break;
          c.env.push(entry);
        }
      }
      c.labels = inner.stringMap("Labels");
    }
    return fields.error == null ? c : null;
  }
}

export class ManifestAndConfig {
  constructor(
    public manifest: ImageManifest,
    public digest: string,
    public config: ImageConfig,
  ) {}
}

/** The manifest, digest and config of `image`; the error is the host's, or what is wrong with its reply. */
export function getOciManifestAndConfig(image: string): Result<ManifestAndConfig> {
  return ociLookupDecoded<ManifestAndConfig>(V1_OCI_MANIFEST_CONFIG, image, decodeManifestAndConfig);
}

function decodeManifestAndConfig(root: JsonValue): Result<ManifestAndConfig> {
  if (!root.isObject) return fail<ManifestAndConfig>("host reply is not a JSON object");
  const reply = FieldReader.of(root, "reply", DECODING);
  const manifestNode = root.get("manifest");
  const configNode = root.get("config");
  const digest = reply.string("digest");
  if (manifestNode == null || !manifestNode.isObject || configNode == null || digest == null) {
    const why = reply.error;
    return fail<ManifestAndConfig>("host reply needs \"manifest\", \"digest\" and \"config\"" + (why != null ? " (" + why + ")" : ""));
  }
  const config = manifestNode.get("config");
  const layers = manifestNode.get("layers");
  if (config == null || !config.isObject || layers == null || !layers.isArray) {
    return fail<ManifestAndConfig>("host reply: manifest is not an image manifest");
  }
  const manifestFields = FieldReader.of(manifestNode, "manifest", DECODING);
  const manifest = ImageManifest.decode(manifestFields);
  if (manifest == null) return fail<ManifestAndConfig>("host reply: " + manifestFields.error!);
  if (!configNode.isObject) return fail<ManifestAndConfig>("host reply: config is not an object");
  const configFields = FieldReader.of(configNode, "config", DECODING);
  const imageConfig = ImageConfig.decode(configFields);
  if (imageConfig == null) return fail<ManifestAndConfig>("host reply: " + configFields.error!);
  return ok(new ManifestAndConfig(manifest, digest, imageConfig));
}
