// Inspection of one image: what the host says about it, judged by every active check except the
// container-dependent root-user decision (validate.ts), which gets the facts from here.
// An image only mounted as a volume (`runs` false) is not judged by the checks about running a
// process (root user, environment, platforms); an OCI artifact, whose config is not an image
// config, is judged by its annotations and never asked for its config.
//
// Host calls (README "Host calls"): an image whose manifest or index annotations answer
// every active check costs one call; the config is asked only when a check needs it; an index
// whose annotations do not answer costs 1 + N (N runnable platforms judged, narrowed by
// platforms.inspect; none for a platform whose index entry's annotations answer), and when
// licenses sit in config labels at most N + 2: after the first platform image that needs its
// config, the others are asked for manifest and config in one v1/oci_manifest_config call each.

import { getManifestDigest, ManifestDigestResult } from "../sdk/oci/manifest_digest";
import { getOciManifest, OciManifestResult } from "../sdk/oci/manifest";
import { getOciManifestAndConfig, ImageConfig, ManifestAndConfigResult } from "../sdk/oci/manifest_config";
import { Reference } from "../sdk/oci/reference";
import {
  Descriptor, ImageIndex, isAttestation, MEDIA_TYPE_DOCKER_MANIFEST_LIST, MEDIA_TYPE_OCI_INDEX, Platform, StringMap,
} from "../sdk/oci/types";
import { globMatch } from "./glob";
import { declaresNoLicense, judgeLicense } from "./licenses/index";
import { isRootUser } from "./root_user";
import { PlatformSpec, Settings } from "./settings";
import { joinStrings } from "../sdk/strings";

export const LICENSE_KEY = "org.opencontainers.image.licenses";

/** Config media types of runnable images (image-spec config.md; Docker image manifest v2.2). */
const MEDIA_TYPE_OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
const MEDIA_TYPE_DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";

/**
 * Whether a manifest's config descriptor media type names something other than an image config,
 * e.g. "application/vnd.oci.empty.v1+json" (image-spec manifest.md "Guidelines for Artifact
 * Usage"). An absent media type counts as an image config.
 */
export function isArtifactConfig(mediaType: string): bool {
  return mediaType.length > 0 && mediaType != MEDIA_TYPE_OCI_CONFIG && mediaType != MEDIA_TYPE_DOCKER_CONFIG;
}

/**
 * At most this many platform images of one index are inspected. Derived from the time budget
 * (README "Host calls and time", `make bench`): policy-server allows 1 to 2 s per evaluation,
 * host calls included; the worst case of an index, licenses in config labels, costs 2N + 2
 * registry GETs; at 50 ms per GET on a cold cache, 2 s hold 40 GETs, so an index of more than 19
 * platform images would always be interrupted (a 500 without reason). Beyond the cap the image is
 * rejected with a message saying what to do instead.
 */
export const MAX_PLATFORM_IMAGES: i32 = 19;

/** Host lookups of one evaluation, each distinct reference asked once per operation. */
export class Lookups {
  manifests: Map<string, OciManifestResult> = new Map();
  configs: Map<string, ManifestAndConfigResult> = new Map();
  digests: Map<string, ManifestDigestResult> = new Map();

  manifest(reference: string): OciManifestResult {
    if (!this.manifests.has(reference)) this.manifests.set(reference, getOciManifest(reference));
    return this.manifests.get(reference);
  }

  config(reference: string): ManifestAndConfigResult {
    if (!this.configs.has(reference)) this.configs.set(reference, getOciManifestAndConfig(reference));
    return this.configs.get(reference);
  }

  digest(reference: string): ManifestDigestResult {
    if (!this.digests.has(reference)) this.digests.set(reference, getManifestDigest(reference));
    return this.digests.get(reference);
  }
}

export class Problem {
  constructor(
    public text: string,
    /** a failed or malformed host lookup (onLookupError decides), not a violation */
    public lookupError: bool,
    /** a check about running a process (platforms, environment): not for image volumes */
    public process: bool = false,
  ) {}
}

export class ImageReport {
  problems: Problem[] = [];
  /** "runs as root (image user "…")" clauses, one per runnable image that does */
  rootUsers: string[] = [];
  /** with pinDigest: the digest that was inspected */
  resolvedDigest: string | null = null;
  /** the license expression each judged image (inside an index: platform image) declares (null: none), in index order */
  licenses: Array<string | null> = [];
  /** the platform of each entry of `licenses`; "" for a single-platform image or an index's own license */
  licensePlatforms: string[] = [];

  recordLicense(platform: string, declared: string | null): void {
    this.licenses.push(declared);
    this.licensePlatforms.push(platform);
  }

  /**
   * What the image declares, for the audit: the one expression (null: none) when its judged
   * images agree, else "<platform>: <expression or NONE>; …" in index order.
   */
  get declaredLicense(): string | null {
    const licenses = this.licenses;
    const n = licenses.length;
    if (n == 0) return null;
    let agree = true;
    for (let i = 1; i < n && agree; i++) agree = licenses[i] == licenses[0];
    if (agree) return licenses[0];
    const parts = new Array<string>();
    for (let i = 0; i < n; i++) {
      const license = licenses[i];
      parts.push(this.licensePlatforms[i] + ": " + (license != null ? license : "NONE"));
    }
    return joinStrings(parts, "; ");
  }

  violation(text: string, process: bool = false): void {
    this.problems.push(new Problem(text, false, process));
  }

  lookupError(text: string, process: bool = false): void {
    this.problems.push(new Problem(text, true, process));
  }

  get lookupFailed(): bool {
    for (let i = 0; i < this.problems.length; i++) if (this.problems[i].lookupError) return true;
    return false;
  }
}

/** One runnable image: the single-platform image, or one platform image of an index. */
class ImageUnit {
  /** "" for a single-platform image, "platform linux/arm64/v8: " inside an index */
  prefix: string = "";
  /** "" for a single-platform image, "linux/arm64/v8" (or the digest when the entry names no platform) inside an index */
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

  constructor(
    /** the reference to ask the host about this image */
    public reference: string,
    /** the manifest annotations, when already known */
    public annotations: StringMap | null,
    public lookups: Lookups,
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

  /** The image config, or null with `configError` set. */
  config(): ImageConfig | null {
    if (!this.configLoaded) {
      this.configLoaded = true;
      const result = this.lookups.config(this.reference);
      const value = result.value;
      if (value == null) this.configError = "config lookup failed: " + result.error!;
      else this.configValue = value.config;
    }
    return this.configValue;
  }

  /** Loads the manifest annotations of a platform image; through the config lookup when the config is needed anyway. */
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

/**
 * The checks needing an image config are active: required labels, and for an image that `runs`
 * as a container, root user or environment.
 */
function configNeeded(settings: Settings, runs: bool): bool {
  return settings.config.requiredLabels.size > 0 || (runs && runsChecksNeedConfig(settings));
}

function runsChecksNeedConfig(settings: Settings): bool {
  return settings.config.rejectRootUser || settings.config.forbiddenEnv.length > 0;
}

/** `runs`: a container uses the image (false: only image volumes mount it). */
export function inspectImage(reference: Reference, settings: Settings, lookups: Lookups, runs: bool): ImageReport {
  const report = new ImageReport();
  let inspected = reference.written;
  // pinDigest: what is checked is what will run, so resolve the digest first.
  if (settings.pinDigest && reference.digest == null) {
    const resolved = lookups.digest(reference.written);
    const digest = resolved.digest;
    if (digest == null) {
      report.lookupError("digest lookup failed: " + resolved.error!);
      return report;
    }
    report.resolvedDigest = digest;
    inspected = reference.withDigest(digest);
  }
  const lookup = lookups.manifest(inspected);
  const manifest = lookup.value;
  if (manifest == null) {
    report.lookupError("manifest lookup failed: " + lookup.error!);
    report.resolvedDigest = null;
    return report;
  }
  const image = manifest.image;
  if (image != null) {
    const unit = new ImageUnit(inspected, image.annotations, lookups);
    unit.configMediaType = image.config.mediaType;
    if (runs) checkSinglePlatform(unit, settings, report);
    checkLicense(unit, settings, report);
    checkAnnotations(unit, null, settings, report);
    checkConfig(unit, settings, report, runs);
  } else {
    inspectIndex(manifest.index!, reference, settings, lookups, report, runs);
  }
  // An image with a failed lookup is not pinned: nothing was checked at that digest.
  if (report.lookupFailed) report.resolvedDigest = null;
  return report;
}

function isIndexEntry(entry: Descriptor): bool {
  const mediaType = entry.mediaType;
  return mediaType == MEDIA_TYPE_OCI_INDEX || mediaType == MEDIA_TYPE_DOCKER_MANIFEST_LIST;
}

/**
 * The entries of `index`, with the entries of nested indexes (one level, as `docker buildx
 * imagetools create` can produce) in place of theirs. Deeper nesting is reported.
 */
function flattenIndex(index: ImageIndex, reference: Reference, lookups: Lookups, report: ImageReport): Descriptor[] {
  const manifests = index.manifests;
  let nested = false;
  for (let i = 0; i < manifests.length && !nested; i++) nested = isIndexEntry(manifests[i]);
  if (!nested) return manifests;
  const flat = new Array<Descriptor>();
  for (let i = 0; i < manifests.length; i++) {
    const entry = manifests[i];
    if (!isIndexEntry(entry)) {
      flat.push(entry);
      continue;
    }
    const inner = reference.withDigest(entry.digest);
    const lookup = lookups.manifest(inner);
    const value = lookup.value;
    if (value == null) {
      report.lookupError("nested index " + entry.digest + ": manifest lookup failed: " + lookup.error!);
      continue;
    }
    const innerIndex = value.index;
    if (innerIndex == null) {
      flat.push(entry); // it is an image after all: inspected like the others
      continue;
    }
    for (let k = 0; k < innerIndex.manifests.length; k++) {
      const innerEntry = innerIndex.manifests[k];
      if (isIndexEntry(innerEntry)) report.violation("nested index " + entry.digest + " nests another index; only one level is followed");
      else flat.push(innerEntry);
    }
  }
  return flat;
}

function inspectIndex(index: ImageIndex, reference: Reference, settings: Settings, lookups: Lookups, report: ImageReport, runs: bool): void {
  const entries = new Array<Descriptor>();
  const manifests = flattenIndex(index, reference, lookups, report);
  // Runnable entries, each digest once. Small indexes (all real ones) are compared pairwise,
  // without decoding the digests; big ones through a set.
  const seen: Set<string> | null = manifests.length > 32 ? new Set<string>() : null;
  for (let i = 0; i < manifests.length; i++) {
    const entry = manifests[i];
    if (isAttestation(entry)) continue;
    if (seen != null) {
      if (seen.has(entry.digest)) continue;
      seen.add(entry.digest);
    } else {
      let duplicate = false;
      for (let k = 0; !duplicate && k < entries.length; k++) duplicate = entries[k].sameDigest(entry);
      if (duplicate) continue;
    }
    entries.push(entry);
  }
  if (runs) checkIndexPlatforms(entries, settings, report);
  if (entries.length == 0) {
    report.violation("the index lists no runnable platform image");
    return;
  }

  const indexLicense = index.annotation(LICENSE_KEY);
  const licenseAtIndex = indexLicense != null && !declaresNoLicense(indexLicense);
  if (licenseAtIndex) {
    report.recordLicense("", indexLicense);
    const problem = judgeLicense(indexLicense!, settings.licenses.rules);
    if (problem != null) report.violation(problem);
  }
  // Annotations the index itself answers are judged there; the rest per platform image.
  const pending = new Map<string, string>();
  const keys = settings.requiredAnnotations.keys();
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const value = index.annotation(key);
    if (value != null) {
      const problem = valueProblem("annotation", key, value, settings.requiredAnnotations.get(key));
      if (problem != null) report.violation(problem);
    } else pending.set(key, settings.requiredAnnotations.get(key));
  }
  const withConfig = configNeeded(settings, runs);
  const perPlatform = !licenseAtIndex || pending.size > 0 || withConfig;
  if (!perPlatform) return;
  const judged = settings.inspectPlatforms.length > 0 ? platformsToInspect(entries, settings, report) : entries;
  if (judged.length == 0) return;
  if (judged.length > MAX_PLATFORM_IMAGES) {
    report.violation("the index lists " + judged.length.toString() + " platform images and at most " +
      MAX_PLATFORM_IMAGES.toString() + " are inspected; declare what is checked on the index or its entries, or narrow platforms.inspect");
    return;
  }
  // Once one platform image turns out to need its config (license in a label, say), the others
  // are asked for manifest and config in one v1/oci_manifest_config call each.
  let configFirst = withConfig;
  for (let i = 0; i < judged.length; i++) {
    const entry = judged[i];
    const unit = new ImageUnit(reference.withDigest(entry.digest), null, lookups);
    unit.descriptorAnnotations = entry.annotations;
    const platform = entry.platform;
    unit.platform = platform != null ? platform.toString() : entry.digest;
    unit.prefix = "platform " + unit.platform + ": ";
    const descriptorLicense = unit.descriptorAnnotation(LICENSE_KEY);
    const licenseNeedsManifest = !licenseAtIndex && (descriptorLicense == null || declaresNoLicense(descriptorLicense));
    let annotationsNeedManifest = false;
    const pendingKeys = pending.keys();
    for (let k = 0; k < pendingKeys.length && !annotationsNeedManifest; k++) {
      annotationsNeedManifest = unit.descriptorAnnotation(pendingKeys[k]) == null;
    }
    // The config media type is in the platform manifest: without it, an artifact's config could
    // be asked for; so the manifest is read whenever a config check is active.
    if (licenseNeedsManifest || annotationsNeedManifest || withConfig) {
      const viaConfig = withConfig || (configFirst && licenseNeedsManifest);
      if (!unit.loadManifest(viaConfig)) {
        // Needed only for root user and environment: a failure that concerns containers alone.
        const processOnly = licenseAtIndex && pending.size == 0 && settings.config.requiredLabels.size == 0;
        report.lookupError(unit.prefix + unit.manifestError!, processOnly);
        continue;
      }
    }
    if (!licenseAtIndex) checkLicense(unit, settings, report);
    if (pending.size > 0) checkAnnotations(unit, pending, settings, report);
    checkConfig(unit, settings, report, runs);
    if (unit.configLoaded) configFirst = true;
  }
}

/**
 * The entries of the platforms in platforms.inspect. None of them in the index is a violation:
 * judging no image would admit it unchecked.
 */
function platformsToInspect(entries: Descriptor[], settings: Settings, report: ImageReport): Descriptor[] {
  const wanted = settings.inspectPlatforms;
  const selected = new Array<Descriptor>();
  for (let e = 0; e < entries.length; e++) {
    const platform = entries[e].platform;
    if (platform == null) continue;
    let match = false;
    for (let w = 0; w < wanted.length && !match; w++) {
      match = platformMatches(wanted[w], platform.os, platform.architecture, platform.variant);
    }
    if (match) selected.push(entries[e]);
  }
  if (selected.length == 0) {
    const names = new Array<string>();
    for (let w = 0; w < wanted.length; w++) names.push(wanted[w].toString());
    report.violation("none of the platforms to inspect (" + joinStrings(names, ", ") + ") is in the index (it offers " +
      offeredPlatforms(entries) + ")");
  }
  return selected;
}

/** "linux/amd64, linux/arm64/v8" for the entries' platforms, or "no platform". */
function offeredPlatforms(entries: Descriptor[]): string {
  const offered = new Array<string>();
  for (let e = 0; e < entries.length; e++) {
    const platform = entries[e].platform;
    if (platform != null) offered.push(platform.toString());
  }
  return offered.length > 0 ? joinStrings(offered, ", ") : "no platform";
}

function checkLicense(unit: ImageUnit, settings: Settings, report: ImageReport): void {
  const at = unit.prefix;
  // The index entry's annotation, then the manifest's: one that declares no license does not answer.
  let declared = unit.descriptorAnnotation(LICENSE_KEY);
  // An annotation or label that is present but declares no license (NOASSERTION, NONE, blank),
  // trimmed, so that the message says what is there.
  let emptyAnnotation: string | null = declared != null && declaresNoLicense(declared) ? declared.trim() : null;
  if (declared == null || declaresNoLicense(declared)) {
    declared = unit.manifestAnnotation(LICENSE_KEY);
    if (declared != null && declaresNoLicense(declared)) emptyAnnotation = declared.trim();
  }
  const annotationPart = emptyAnnotation != null
    ? "\"" + LICENSE_KEY + "\" annotation is \"" + emptyAnnotation + "\""
    : "no \"" + LICENSE_KEY + "\" annotation";
  if ((declared == null || declaresNoLicense(declared)) && unit.isArtifact) {
    // An artifact has no config labels: the annotations are all it declares.
    report.recordLicense(unit.platform, null);
    if (settings.licenses.required) {
      report.violation(at + "no license declared (" + annotationPart + "; an artifact with config media type \"" +
        unit.configMediaType + "\" has no config labels)");
    }
    return;
  }
  let emptyLabel: string | null = null;
  if (declared == null || declaresNoLicense(declared)) {
    // Not on the manifest: the config's label (docker/metadata-action puts it there).
    const config = unit.config();
    if (config == null) {
      report.lookupError(at + unit.configError!);
      return;
    }
    const label = config.label(LICENSE_KEY);
    if (label != null && declaresNoLicense(label)) emptyLabel = label.trim();
    declared = label != null && !declaresNoLicense(label) ? label : null;
  }
  report.recordLicense(unit.platform, declared);
  if (declared == null) {
    if (!settings.licenses.required) return;
    if (emptyAnnotation == null && emptyLabel == null) {
      report.violation(at + "no license declared (no \"" + LICENSE_KEY + "\" annotation or config label)");
    } else {
      const labelPart = emptyLabel != null ? "config label is \"" + emptyLabel + "\"" : "no config label";
      report.violation(at + "no license declared (" + annotationPart + ", " + labelPart + ")");
    }
    return;
  }
  const problem = judgeLicense(declared, settings.licenses.rules);
  if (problem != null) report.violation(at + problem);
}

/**
 * A required annotation's or label's value against its glob ("*": present and non-empty);
 * `what` is "annotation" or "config label". null when it matches.
 */
function valueProblem(what: string, key: string, value: string, pattern: string): string | null {
  if (pattern == "*") return value.length == 0 ? what + " \"" + key + "\" is empty" : null;
  if (globMatch(pattern, value)) return null;
  return what + " \"" + key + "\" is \"" + value + "\", which does not match \"" + pattern + "\"";
}

/** Required annotations on a unit's manifest; `only` limits the keys (those the index did not answer). */
function checkAnnotations(unit: ImageUnit, only: Map<string, string> | null, settings: Settings, report: ImageReport): void {
  const required = only != null ? only : settings.requiredAnnotations;
  const keys = required.keys();
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const value = unit.annotation(key);
    if (value == null) {
      report.violation(unit.prefix + "annotation \"" + key + "\" is missing");
      continue;
    }
    const problem = valueProblem("annotation", key, value, required.get(key));
    if (problem != null) report.violation(unit.prefix + problem);
  }
}

/** `runs`: the image runs as a container, so root user and environment are judged too. */
function checkConfig(unit: ImageUnit, settings: Settings, report: ImageReport, runs: bool): void {
  const labels = settings.config.requiredLabels;
  const processChecks = runs && runsChecksNeedConfig(settings);
  if (labels.size == 0 && !processChecks) return;
  if (unit.isArtifact) {
    const why = "an artifact with config media type \"" + unit.configMediaType + "\" has no config labels";
    const labelKeys = labels.keys();
    for (let i = 0; i < labelKeys.length; i++) report.violation(unit.prefix + "config label \"" + labelKeys[i] + "\" is missing (" + why + ")");
    if (processChecks) {
      report.violation(unit.prefix + "is an artifact (config media type \"" + unit.configMediaType + "\"), not an image a container can run", true);
    }
    return;
  }
  const config = unit.config();
  if (config == null) {
    report.lookupError(unit.prefix + unit.configError!, labels.size == 0);
    return;
  }
  if (processChecks && settings.config.rejectRootUser && isRootUser(config.user)) {
    const user = config.user;
    report.rootUsers.push(unit.prefix + "runs as root (image user " + (user == null ? "not set" : "\"" + user + "\"") + ")");
  }
  const forbidden = settings.config.forbiddenEnv;
  if (processChecks && forbidden.length > 0) {
    for (let i = 0; i < config.env.length; i++) {
      const entry = config.env[i];
      const equals = entry.indexOf("=");
      const name = equals >= 0 ? entry.substring(0, equals) : entry;
      for (let g = 0; g < forbidden.length; g++) {
        if (globMatch(forbidden[g], name)) {
          // The value is never echoed: it may be the secret.
          report.violation(unit.prefix + "environment variable \"" + name + "\" is set in the image (forbidden by \"" + forbidden[g] + "\")", true);
          break;
        }
      }
    }
  }
  const keys = labels.keys();
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const value = config.label(key);
    if (value == null) {
      report.violation(unit.prefix + "config label \"" + key + "\" is missing");
      continue;
    }
    const problem = valueProblem("config label", key, value, labels.get(key));
    if (problem != null) report.violation(unit.prefix + problem);
  }
}

/** Default variants (containerd's platform normalisation): arm64 → v8, arm → v7. */
function normalizedVariant(architecture: string, variant: string | null): string {
  if (variant != null && variant.length > 0) return variant;
  if (architecture == "arm64") return "v8";
  if (architecture == "arm") return "v7";
  return "";
}

function platformMatches(required: PlatformSpec, os: string, architecture: string, variant: string | null): bool {
  if (required.os != os || required.architecture != architecture) return false;
  return normalizedVariant(required.architecture, required.variant) == normalizedVariant(architecture, variant);
}

function checkIndexPlatforms(entries: Descriptor[], settings: Settings, report: ImageReport): void {
  const required = settings.requiredPlatforms;
  if (required.length == 0) return;
  let offered: string | null = null;
  for (let i = 0; i < required.length; i++) {
    let found = false;
    for (let e = 0; e < entries.length && !found; e++) {
      const platform = entries[e].platform;
      if (platform != null && platformMatches(required[i], platform.os, platform.architecture, platform.variant)) found = true;
    }
    if (!found) {
      if (offered == null) offered = offeredPlatforms(entries);
      report.violation("platform " + required[i].toString() + " is not provided (the index offers " + offered + ")", true);
    }
  }
}

/** A single-platform image must itself be of every required platform (read from its config). */
function checkSinglePlatform(unit: ImageUnit, settings: Settings, report: ImageReport): void {
  const required = settings.requiredPlatforms;
  if (required.length == 0) return;
  if (unit.isArtifact) {
    for (let i = 0; i < required.length; i++) {
      report.violation("platform " + required[i].toString() + " is not provided (an artifact with config media type \"" +
        unit.configMediaType + "\" names no platform)", true);
    }
    return;
  }
  const config = unit.config();
  if (config == null) {
    report.lookupError(unit.configError!, true);
    return;
  }
  const own = new Platform();
  own.os = config.os;
  own.architecture = config.architecture;
  own.variant = config.variant;
  for (let i = 0; i < required.length; i++) {
    if (!platformMatches(required[i], config.os, config.architecture, config.variant)) {
      report.violation("platform " + required[i].toString() + " is not provided (single-platform image for " + own.toString() + ")", true);
    }
  }
}
