// The host lookups of one evaluation: each distinct reference is asked once per operation, however
// many containers, volumes or checks need it.

import { getManifestDigest } from "./manifest_digest";
import { getOciManifest, OciManifestResponse } from "./manifest";
import { getOciManifestAndConfig, ManifestAndConfig } from "./manifest_config";
import { Result } from "../result";

export class Lookups {
  private manifests: Map<string, Result<OciManifestResponse>> = new Map();
  private configs: Map<string, Result<ManifestAndConfig>> = new Map();
  private digests: Map<string, Result<string>> = new Map();

  /** v1/oci_manifest */
  manifest(reference: string): Result<OciManifestResponse> {
    if (!this.manifests.has(reference)) this.manifests.set(reference, getOciManifest(reference));
    return this.manifests.get(reference);
  }

  /** v1/oci_manifest_config: the manifest too */
  config(reference: string): Result<ManifestAndConfig> {
    if (!this.configs.has(reference)) this.configs.set(reference, getOciManifestAndConfig(reference));
    return this.configs.get(reference);
  }

  /** v1/manifest_digest */
  digest(reference: string): Result<string> {
    if (!this.digests.has(reference)) this.digests.set(reference, getManifestDigest(reference));
    return this.digests.get(reference);
  }
}
