// The admission decision: every distinct, non-exempt container image of the workload is looked
// up through the host once and judged against the settings; each violation becomes one clause
// naming container, image and reason. Host lookups are made only when an active check needs them.

import { ValidationResponse } from "../sdk/protocol";
import { Container, readWorkload, Workload } from "../sdk/kubernetes";
import { JsonValue } from "../sdk/json/reader";
import { jsonString } from "../sdk/json/writer";
import { Replacement, spliceJson } from "../sdk/json/splice";
import { parseReference } from "../sdk/oci/reference";
import { anyGlobMatches } from "./glob";
import { Settings } from "./settings";
import { ImageReport, inspectImage, Lookups } from "./inspect";
import { rootOverride, RootOverride } from "./root_user";
import { joinStrings } from "../sdk/strings";

export function validateRequest(request: JsonValue, settings: Settings): ValidationResponse {
  const read = readWorkload(request);
  if (read.error != null) return ValidationResponse.reject("cannot read the workload: " + read.error!, 400);
  const workload = read.workload;
  if (workload == null) return ValidationResponse.accept();

  const lookups = new Lookups();
  // One report per distinct image (normalised reference), judged once.
  const reports = new Map<string, ImageReport>();
  const violations = new Array<string>();
  const warnings = new Array<string>();
  const pins = new Array<Replacement>();
  for (let i = 0; i < workload.containers.length; i++) {
    const container = workload.containers[i];
    const parsed = parseReference(container.image);
    const reference = parsed.value;
    if (reference == null) {
      violations.push(describe(container, parsed.error!));
      continue;
    }
    const key = reference.normalized;
    if (anyGlobMatches(settings.exemptImages, key)) continue;
    if (!reports.has(key)) reports.set(key, inspectImage(reference, settings, lookups));
    const report = reports.get(key);
    for (let p = 0; p < report.problems.length; p++) {
      const problem = report.problems[p];
      const clause = describe(container, problem.text);
      if (problem.lookupError && settings.acceptLookupErrors) warnings.push(clause);
      else violations.push(clause);
    }
    if (settings.config.rejectRootUser) {
      const rootProblem = rootUserProblem(container, workload, report);
      if (rootProblem != null) violations.push(describe(container, rootProblem));
    }
    const digest = report.resolvedDigest;
    if (digest != null) pins.push(new Replacement(container.imageNode, jsonString(reference.pinned(digest))));
  }

  let response: ValidationResponse;
  if (violations.length > 0 && !settings.warnOnly) {
    response = ValidationResponse.reject(joinStrings(violations, "; "));
  } else {
    response = ValidationResponse.accept();
    for (let i = 0; i < violations.length; i++) warnings.push(violations[i]);
    const object = workload.object;
    if (pins.length > 0 && object != null) response.mutatedObject = spliceJson(object, pins);
  }
  if (warnings.length > 0) response.warnings = warnings;
  return response;
}

function describe(container: Container, problem: string): string {
  return "container \"" + container.name + "\" image \"" + container.image + "\": " + problem;
}

/** The root-user clause for this container, or null: securityContext first, then the image. */
function rootUserProblem(container: Container, workload: Workload, report: ImageReport): string | null {
  const decided = rootOverride(container.securityContext, workload.podSecurityContext);
  if (decided == RootOverride.NonRoot) return null;
  if (decided == RootOverride.Root) return "runs as root (securityContext runAsUser: 0)";
  if (report.rootUsers.length == 0) return null;
  return joinStrings(report.rootUsers, ", ");
}
