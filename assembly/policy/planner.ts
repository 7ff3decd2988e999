// The planner: which host calls one image costs, given what the active checks (checks/) need, and
// the order in which the checks judge what comes back. The cost rules (README "Host calls") all
// live here:
// - an image whose manifest or index annotations answer every active check costs one call; the
//   config is asked only when a check needs it;
// - an index whose annotations do not answer costs 1 + N (N runnable platform images judged,
//   narrowed by platforms.inspect; none for a platform whose index entry's annotations answer);
// - when licenses sit in config labels, at most N + 2: after the first platform image that needed
//   its config, the others are asked for manifest and config in one v1/oci_manifest_config call.
// An image only mounted as a volume (`runs` false) is not judged by the checks about running a
// process (root user, environment, platforms); an OCI artifact, whose config is not an image
// config, is judged by its annotations and never asked for its config.

import { Lookups } from "../sdk/oci/lookups";
import { Reference } from "../sdk/oci/reference";
import { Descriptor, ImageIndex, isAttestation, isIndexMediaType } from "../sdk/oci/types";
import { joinStrings } from "../sdk/strings";
import { AnnotationsCheck } from "./checks/annotations";
import { Check, Need } from "./checks/check";
import { EnvironmentCheck } from "./checks/environment";
import { LabelsCheck } from "./checks/labels";
import { LicenseCheck } from "./checks/licenses";
import { entryMatches, offeredPlatforms, PlatformsCheck } from "./checks/platforms";
import { RootUserCheck } from "./checks/root_user";
import { PlatformImage } from "./platform_image";
import { ImageReport } from "./report";
import { Settings } from "./settings";

/**
 * At most this many platform images of one index are inspected. Derived from the time budget
 * (README "Host calls", `make bench`): policy-server allows 1 to 2 s per evaluation,
 * host calls included; the worst case of an index, licenses in config labels, costs 2N + 2
 * registry GETs; at 50 ms per GET on a cold cache, 2 s hold 40 GETs, so an index of more than 19
 * platform images would always be interrupted (a 500 without reason). Beyond the cap the image is
 * rejected with a message saying what to do instead.
 */
export const MAX_PLATFORM_IMAGES: i32 = 19;

/** The checks the settings make active, in the order their findings are reported. */
function activeChecks(settings: Settings, runs: bool): Check[] {
  const checks = new Array<Check>();
  if (runs && settings.requiredPlatforms.length > 0) checks.push(new PlatformsCheck(settings.requiredPlatforms));
  checks.push(new LicenseCheck(settings.licenses));
  if (settings.requiredAnnotations.size > 0) checks.push(new AnnotationsCheck(settings.requiredAnnotations));
  if (runs && settings.config.rejectRootUser) checks.push(new RootUserCheck());
  if (runs && settings.config.forbiddenEnv.length > 0) checks.push(new EnvironmentCheck(settings.config.forbiddenEnv));
  if (settings.config.requiredLabels.size > 0) checks.push(new LabelsCheck(settings.config.requiredLabels));
  return checks;
}

/** `runs`: a container uses the image (false: only image volumes mount it). */
export function inspectImage(reference: Reference, settings: Settings, lookups: Lookups, runs: bool): ImageReport {
  const report = new ImageReport();
  let inspected = reference.written;
  // pinDigest: what is checked is what will run, so resolve the digest first.
  if (settings.pinDigest && reference.digest == null) {
    const resolved = lookups.digest(reference.written);
    const digest = resolved.value;
    if (digest == null) {
      report.lookupError("", "digest lookup failed: " + resolved.error!);
      return report;
    }
    report.resolvedDigest = digest;
    inspected = reference.withDigest(digest);
  }
  const lookup = lookups.manifest(inspected);
  const manifest = lookup.value;
  if (manifest == null) {
    report.lookupError("", "manifest lookup failed: " + lookup.error!);
    report.resolvedDigest = null;
    return report;
  }
  const checks = activeChecks(settings, runs);
  const image = manifest.image;
  if (image != null) {
    const single = new PlatformImage(inspected, image.annotations, lookups);
    single.configMediaType = image.config.mediaType;
    judgeImage(single, checks, report);
  } else {
    inspectIndex(manifest.index!, reference, settings, checks, lookups, report);
  }
  // An image with a failed lookup is not pinned: nothing was checked at that digest.
  if (report.lookupFailed) report.resolvedDigest = null;
  return report;
}

/** Every check judges `image`; then what concerns the image as a whole is reported once. */
function judgeImage(image: PlatformImage, checks: Check[], report: ImageReport): void {
  let needsRunnable = false;
  for (let i = 0; i < checks.length; i++) {
    const check = checks[i];
    image.judgingProcess = check.process;
    check.judge(image, report);
    if (check.needsRunnableImage) needsRunnable = true;
  }
  const configError = image.configError;
  if (configError != null) report.insertLookupError(image.configAskedAt, image.platform, configError, !image.configNeededBeyondProcess);
  if (needsRunnable && image.isArtifact) {
    report.violation(image.platform, "is an artifact (config media type \"" + image.configMediaType + "\"), not an image a container can run", true);
  }
}

/**
 * The entries of `index`, with the entries of nested indexes (one level, as `docker buildx
 * imagetools create` can produce) in place of theirs. Deeper nesting is reported.
 */
function flattenIndex(index: ImageIndex, reference: Reference, lookups: Lookups, report: ImageReport): Descriptor[] {
  const manifests = index.manifests;
  let nested = false;
  for (let i = 0; i < manifests.length && !nested; i++) nested = isIndexMediaType(manifests[i].mediaType);
  if (!nested) return manifests;
  const flat = new Array<Descriptor>();
  for (let i = 0; i < manifests.length; i++) {
    const entry = manifests[i];
    if (!isIndexMediaType(entry.mediaType)) {
      flat.push(entry);
      continue;
    }
    const lookup = lookups.manifest(reference.withDigest(entry.digest));
    const value = lookup.value;
    if (value == null) {
      report.lookupError("", "nested index " + entry.digest + ": manifest lookup failed: " + lookup.error!);
      continue;
    }
    const innerIndex = value.index;
    if (innerIndex == null) {
      flat.push(entry); // it is an image after all: inspected like the others
      continue;
    }
    for (let k = 0; k < innerIndex.manifests.length; k++) {
      const innerEntry = innerIndex.manifests[k];
      if (isIndexMediaType(innerEntry.mediaType)) report.violation("", "nested index " + entry.digest + " nests another index; only one level is followed");
      else flat.push(innerEntry);
    }
  }
  return flat;
}

/** The runnable entries (no attestations), each digest once. */
function runnableEntries(manifests: Descriptor[]): Descriptor[] {
  const entries = new Array<Descriptor>();
  // Small indexes (all real ones) are compared pairwise, without decoding the digests; big ones
  // through a set.
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
  return entries;
}

function inspectIndex(index: ImageIndex, reference: Reference, settings: Settings, checks: Check[], lookups: Lookups, report: ImageReport): void {
  const entries = runnableEntries(flattenIndex(index, reference, lookups, report));
  for (let i = 0; i < checks.length; i++) checks[i].judgeEntries(entries, report);
  if (entries.length == 0) {
    report.violation("", "the index lists no runnable platform image");
    return;
  }
  // What the index itself answers is judged there; the rest per platform image.
  const perPlatform = new Array<Check>();
  let processOnly = true;
  for (let i = 0; i < checks.length; i++) {
    if (!checks[i].judgeIndex(index, report)) continue;
    perPlatform.push(checks[i]);
    if (!checks[i].process) processOnly = false;
  }
  if (perPlatform.length == 0) return;
  const judged = settings.inspectPlatforms.length > 0 ? platformsToInspect(entries, settings, report) : entries;
  if (judged.length == 0) return;
  if (judged.length > MAX_PLATFORM_IMAGES) {
    report.violation("", "the index lists " + judged.length.toString() + " platform images and at most " +
      MAX_PLATFORM_IMAGES.toString() + " are inspected; declare what is checked on the index or its entries, or narrow platforms.inspect");
    return;
  }
  // Once one platform image turns out to need its config (license in a label, say), the others
  // are asked for manifest and config in one v1/oci_manifest_config call each.
  let configFirst = false;
  for (let i = 0; i < judged.length; i++) {
    const entry = judged[i];
    const image = new PlatformImage(reference.withDigest(entry.digest), null, lookups);
    image.descriptorAnnotations = entry.annotations;
    const platform = entry.platform;
    image.platform = platform != null ? platform.toString() : entry.digest;
    let need = Need.None;
    let configIfUnanswered = false;
    for (let c = 0; c < perPlatform.length; c++) {
      const wanted = perPlatform[c].need(image);
      if (wanted == Need.ManifestOrConfig) configIfUnanswered = true;
      if (wanted > need) need = wanted;
    }
    // The config media type is in the platform manifest: without it, an artifact's config could
    // be asked for; so the manifest is read whenever a config is needed.
    if (need != Need.None && !image.loadManifest(need == Need.Config || (configFirst && configIfUnanswered))) {
      // When only root user and environment needed it, the failure concerns containers alone.
      report.lookupError(image.platform, image.manifestError!, processOnly);
      continue;
    }
    judgeImage(image, perPlatform, report);
    if (image.configLoaded) configFirst = true;
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
    let match = false;
    for (let w = 0; w < wanted.length && !match; w++) match = entryMatches(wanted[w], entries[e]);
    if (match) selected.push(entries[e]);
  }
  if (selected.length == 0) {
    const names = new Array<string>();
    for (let w = 0; w < wanted.length; w++) names.push(wanted[w].toString());
    report.violation("", "none of the platforms to inspect (" + joinStrings(names, ", ") + ") is in the index (it offers " +
      offeredPlatforms(entries) + ")");
  }
  return selected;
}
