// Host capability kubewarden/oci/v1/oci_manifest_config: an image manifest, its digest and its
// config blob, `{"manifest":…,"digest":"sha256:…","config":{…}}` (policy-evaluator
// ManifestAndConfigResponse). For an index the host answers for ITS OWN platform
// (current_platform_resolver), so ask by per-platform digest when every platform matters.

import { ociLookupJson, V1_OCI_MANIFEST_CONFIG } from "./capability";
import { JsonValue } from "../json/reader";
import { DecodeContext, ImageManifest, StringMap } from "./types";

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

  static decode(value: JsonValue, ctx: DecodeContext): ImageConfig | null {
    if (!value.isObject) {
      ctx.fail("config is not an object");
      return null;
    }
    const c = new ImageConfig();
    const architecture = ctx.optionalString(value, "architecture", "config");
    const os = ctx.optionalString(value, "os", "config");
    c.architecture = architecture == null ? "" : architecture;
    c.os = os == null ? "" : os;
    c.variant = ctx.optionalString(value, "variant", "config");
    const inner = value.get("config");
    if (inner != null && !inner.isNull) {
      if (!inner.isObject) {
        ctx.fail("config.config is not an object");
        return null;
      }
      c.user = ctx.optionalString(inner, "User", "config.config");
      const env = inner.get("Env");
      if (env != null && !env.isNull) {
        if (!env.isArray) ctx.fail("config.config.Env is not an array");
        else {
          for (let i = 0; i < env.length; i++) {
            const entry = env.at(i)!.str();
            if (entry == null) {
              ctx.fail("config.config.Env[" + i.toString() + "] is not a string");
              break;
            }
            c.env.push(entry);
          }
        }
      }
      c.labels = ctx.stringMap(inner, "Labels", "config.config");
    }
    return ctx.error == null ? c : null;
  }
}

export class ManifestAndConfig {
  constructor(
    public manifest: ImageManifest,
    public digest: string,
    public config: ImageConfig,
  ) {}
}

export class ManifestAndConfigResult {
  constructor(
    public value: ManifestAndConfig | null,
    public error: string | null,
  ) {}
}

export function getOciManifestAndConfig(image: string): ManifestAndConfigResult {
  const reply = ociLookupJson(V1_OCI_MANIFEST_CONFIG, image);
  const root = reply.root;
  if (root == null) return new ManifestAndConfigResult(null, reply.error);
  return decodeManifestAndConfig(root);
}

function decodeManifestAndConfig(root: JsonValue): ManifestAndConfigResult {
  if (!root.isObject) return new ManifestAndConfigResult(null, "host reply is not a JSON object");
  const ctx = new DecodeContext();
  const manifestNode = root.get("manifest");
  const configNode = root.get("config");
  const digest = ctx.optionalString(root, "digest", "reply");
  if (manifestNode == null || !manifestNode.isObject || configNode == null || digest == null) {
    return new ManifestAndConfigResult(null, "host reply needs \"manifest\", \"digest\" and \"config\"" + (ctx.error != null ? " (" + ctx.error! + ")" : ""));
  }
  const config = manifestNode.get("config");
  const layers = manifestNode.get("layers");
  if (config == null || !config.isObject || layers == null || !layers.isArray) {
    return new ManifestAndConfigResult(null, "host reply: manifest is not an image manifest");
  }
  const manifest = ImageManifest.decode(manifestNode, ctx);
  const imageConfig = ImageConfig.decode(configNode, ctx);
  if (manifest == null || imageConfig == null) return new ManifestAndConfigResult(null, "host reply: " + ctx.error!);
  return new ManifestAndConfigResult(new ManifestAndConfig(manifest, digest, imageConfig), null);
}
