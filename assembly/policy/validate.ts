// The admission decision: every container image of the workload is looked up once through the
// host and judged; each violation becomes one clause naming container, image and reason.

import { ValidationResponse } from "../sdk/protocol";
import { Container, readWorkload } from "../sdk/kubernetes";
import { JsonValue } from "../sdk/json/reader";
import { getOciManifest, OciManifestResult } from "../sdk/oci/manifest";
import { Settings } from "./settings";

export const LICENSE_KEY = "org.opencontainers.image.licenses";

export function validateRequest(request: JsonValue, settings: Settings): ValidationResponse {
  const read = readWorkload(request);
  if (read.error != null) return ValidationResponse.reject("cannot read the workload: " + read.error!, 400);
  const workload = read.workload;
  if (workload == null) return ValidationResponse.accept();

  // Each distinct image is looked up once, however many containers use it.
  const lookups = new Map<string, OciManifestResult>();
  const clauses = new Array<string>();
  for (let i = 0; i < workload.containers.length; i++) {
    const container = workload.containers[i];
    const image = container.image;
    if (!lookups.has(image)) lookups.set(image, getOciManifest(image));
    const problem = judgeImage(lookups.get(image), settings);
    if (problem != null) clauses.push(describe(container, problem));
  }
  if (clauses.length == 0) return ValidationResponse.accept();
  return ValidationResponse.reject(clauses.join("; "));
}

function describe(container: Container, problem: string): string {
  return "container \"" + container.name + "\" image \"" + container.image + "\": " + problem;
}

/** null when the image is acceptable, otherwise the reason. */
function judgeImage(lookup: OciManifestResult, settings: Settings): string | null {
  const manifest = lookup.value;
  if (manifest == null) return "manifest lookup failed: " + lookup.error!;
  const license = manifest.annotation(LICENSE_KEY);
  if (license == null || license.trim().length == 0) {
    return "no license declared (annotation \"" + LICENSE_KEY + "\" is missing)";
  }
  return null;
}
