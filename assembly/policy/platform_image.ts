// One runnable image as the checks see it: a single-platform image, or one platform image of an
// index. Its facts come from the index entry (descriptor), the manifest and the config, each
// looked up only when the planner (planner.ts) or a check asks.

import { StringMap } from "../sdk/fields";
import { Lookups } from "../sdk/oci/lookups";
import { ImageConfig } from "../sdk/oci/manifest_config";
import { isArtifactConfig } from "../sdk/oci/types";

export class PlatformImage {
  /** "" for a single-platform image; inside an index "linux/arm64/v8", or the digest when the entry names no platform */
  platform: string = "";
  /** the manifest's config media type, "" when absent or not yet known */
  configMediaType: string = "";
  manifestError: string | null = null;
  /**
   * The index entry's (descriptor's) annotations: they answer for this platform image before its
   * manifest does (the index is content-addressed, so they are what the resolved digest says).
   */
  descriptorAnnotations: StringMap | null = null;
  /** whether the image config was asked for */
  configLoaded: bool = false;
  private configValue: ImageConfig | null = null;
  configError: string | null = null;
  /** set by the planner: whether the check now judging is about running a process */
  judgingProcess: bool = false;
  /** a check not about running a process asked for the config */
  configNeededBeyondProcess: bool = false;
  /** the number of findings when the config was first asked for (where its lookup error goes) */
  configAskedAt: i32 = -1;

  constructor(
    /** the reference to ask the host about this image */
    public reference: string,
    /** the manifest annotations, when already known */
    public annotations: StringMap | null,
    private lookups: Lookups,
  ) {}

  /** The annotation `key` of the descriptor, else of the manifest; null when neither has it. */
  annotation(key: string): string | null {
    const fromDescriptor = this.descriptorAnnotation(key);
    return fromDescriptor != null ? fromDescriptor : this.manifestAnnotation(key);
  }

  manifestAnnotation(key: string): string | null {
    const annotations = this.annotations;
    return annotations != null ? annotations.get(key) : null;
  }

  descriptorAnnotation(key: string): string | null {
    const annotations = this.descriptorAnnotations;
    return annotations != null ? annotations.get(key) : null;
  }

  /** An OCI artifact: its config is not an image config, so it has no labels, user or env. */
  get isArtifact(): bool {
    return isArtifactConfig(this.configMediaType);
  }

  /**
   * The image config, or null when its lookup failed (`configError`; the planner reports it once,
   * where it was first needed). `findings` is the report's count of findings so far.
   */
  config(findings: i32): ImageConfig | null {
    if (!this.judgingProcess) this.configNeededBeyondProcess = true;
    if (!this.configLoaded) {
      this.configLoaded = true;
      this.configAskedAt = findings;
      const result = this.lookups.config(this.reference);
      const value = result.value;
      if (value == null) this.configError = "config lookup failed: " + result.error!;
      else this.configValue = value.config;
    }
    return this.configValue;
  }

  /** Loads the manifest of a platform image; through the config lookup when the config is needed anyway. */
  loadManifest(viaConfig: bool): bool {
    if (viaConfig) {
      const result = this.lookups.config(this.reference);
      const value = result.value;
      if (value == null) {
        this.manifestError = "config lookup failed: " + result.error!;
        return false;
      }
      this.annotations = value.manifest.annotations;
      this.configMediaType = value.manifest.config.mediaType;
      return true;
    }
    const result = this.lookups.manifest(this.reference);
    const value = result.value;
    if (value == null) {
      this.manifestError = "manifest lookup failed: " + result.error!;
      return false;
    }
    const image = value.image;
    if (image == null) {
      this.manifestError = this.reference + " is an index, not an image manifest";
      return false;
    }
    this.annotations = image.annotations;
    this.configMediaType = image.config.mediaType;
    return true;
  }
}
