// The admission decision: every distinct container image of the workload is looked up through
// the host once and judged; each violation becomes one clause naming container, image and reason.

import { ValidationResponse } from "../sdk/protocol";
import { Container, readWorkload } from "../sdk/kubernetes";
import { JsonValue } from "../sdk/json/reader";
import { getOciManifest, OciManifestResult } from "../sdk/oci/manifest";
import { getOciManifestAndConfig, ManifestAndConfigResult } from "../sdk/oci/manifest_config";
import { parseReference, Reference } from "../sdk/oci/reference";
import { isAttestation } from "../sdk/oci/types";
import { declaresNoLicense, judgeLicense } from "./licenses/index";
import { Settings } from "./settings";

export const LICENSE_KEY = "org.opencontainers.image.licenses";

/**
 * At most this many platform images of one index are inspected. Each costs one or two host
 * calls (a registry round trip each on a cold cache) and policy-server allows 2 s per
 * evaluation; Docker Official Images have up to 10 platforms.
 */
export const MAX_PLATFORM_IMAGES: i32 = 16;

/** Host lookups of one evaluation, each distinct reference asked once. */
class Lookups {
  manifests: Map<string, OciManifestResult> = new Map();
  configs: Map<string, ManifestAndConfigResult> = new Map();

  manifest(reference: string): OciManifestResult {
    if (!this.manifests.has(reference)) this.manifests.set(reference, getOciManifest(reference));
    return this.manifests.get(reference);
  }

  config(reference: string): ManifestAndConfigResult {
    if (!this.configs.has(reference)) this.configs.set(reference, getOciManifestAndConfig(reference));
    return this.configs.get(reference);
  }
}

export function validateRequest(request: JsonValue, settings: Settings): ValidationResponse {
  const read = readWorkload(request);
  if (read.error != null) return ValidationResponse.reject("cannot read the workload: " + read.error!, 400);
  const workload = read.workload;
  if (workload == null) return ValidationResponse.accept();

  const lookups = new Lookups();
  // Problems per distinct image (normalised reference), judged once.
  const verdicts = new Map<string, string[]>();
  const clauses = new Array<string>();
  for (let i = 0; i < workload.containers.length; i++) {
    const container = workload.containers[i];
    const parsed = parseReference(container.image);
    const reference = parsed.value;
    if (reference == null) {
      clauses.push(describe(container, parsed.error!));
      continue;
    }
    const key = reference.normalized;
    if (!verdicts.has(key)) verdicts.set(key, inspectImage(reference, settings, lookups));
    const problems = verdicts.get(key);
    for (let p = 0; p < problems.length; p++) clauses.push(describe(container, problems[p]));
  }
  if (clauses.length == 0) return ValidationResponse.accept();
  return ValidationResponse.reject(clauses.join("; "));
}

function describe(container: Container, problem: string): string {
  return "container \"" + container.name + "\" image \"" + container.image + "\": " + problem;
}

/** Every problem of one image, as clauses without the container prefix. */
function inspectImage(reference: Reference, settings: Settings, lookups: Lookups): string[] {
  const problems = new Array<string>();
  const lookup = lookups.manifest(reference.written);
  const manifest = lookup.value;
  if (manifest == null) {
    problems.push("manifest lookup failed: " + lookup.error!);
    return problems;
  }
  const index = manifest.index;
  if (index == null) {
    const problem = checkLicense(manifest.annotation(LICENSE_KEY), reference.written, settings, lookups);
    if (problem != null) problems.push(problem);
    return problems;
  }
  // An index that declares a license is judged by it alone.
  const indexLicense = index.annotation(LICENSE_KEY);
  if (indexLicense != null && !declaresNoLicense(indexLicense)) {
    const problem = judgeLicense(indexLicense, settings.licenses.rules);
    if (problem != null) problems.push(problem);
    return problems;
  }
  // Otherwise every runnable platform image must carry an acceptable license of its own.
  let runnable = 0;
  const seen = new Set<string>();
  for (let i = 0; i < index.manifests.length; i++) {
    const entry = index.manifests[i];
    if (isAttestation(entry) || seen.has(entry.digest)) continue;
    seen.add(entry.digest);
    runnable++;
    if (runnable > MAX_PLATFORM_IMAGES) continue;
    const platform = entry.platform;
    const label = "platform " + (platform != null ? platform.toString() : entry.digest);
    const platformReference = reference.withDigest(entry.digest);
    const platformLookup = lookups.manifest(platformReference);
    const platformManifest = platformLookup.value;
    if (platformManifest == null) {
      problems.push(label + ": manifest lookup failed: " + platformLookup.error!);
      continue;
    }
    const image = platformManifest.image;
    if (image == null) {
      problems.push(label + ": " + platformReference + " is an index, not an image manifest");
      continue;
    }
    const problem = checkLicense(image.annotation(LICENSE_KEY), platformReference, settings, lookups);
    if (problem != null) problems.push(label + ": " + problem);
  }
  if (runnable == 0) problems.push("the index lists no runnable platform image");
  if (runnable > MAX_PLATFORM_IMAGES) {
    problems.push("the index lists " + runnable.toString() + " platform images and at most " + MAX_PLATFORM_IMAGES.toString() +
      " are inspected; declare the license on the index");
  }
  return problems;
}

/**
 * Judges the license of one image manifest: its annotation, else its config's label
 * (`v1/oci_manifest_config` on `imageReference`). null when acceptable.
 */
function checkLicense(annotation: string | null, imageReference: string, settings: Settings, lookups: Lookups): string | null {
  let declared = annotation;
  if (declared == null || declaresNoLicense(declared)) {
    const lookup = lookups.config(imageReference);
    const found = lookup.value;
    if (found == null) return "config lookup failed: " + lookup.error!;
    const label = found.config.label(LICENSE_KEY);
    if (label != null && !declaresNoLicense(label)) declared = label;
    else declared = null;
  }
  if (declared == null) {
    if (!settings.licenses.required) return null;
    return "no license declared (no \"" + LICENSE_KEY + "\" annotation or config label)";
  }
  return judgeLicense(declared, settings.licenses.rules);
}
