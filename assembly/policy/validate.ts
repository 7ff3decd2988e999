// The admission decision: every distinct, non-exempt image of the workload (containers, init and
// ephemeral containers, image volumes) is looked up through the host once and judged against the
// settings; each violation becomes one clause naming the container or volume, the image and the
// reason. Host lookups are made only when an active check needs them.

import { ValidationResponse } from "../sdk/protocol";
import { Container, readWorkload, Workload } from "../sdk/kubernetes";
import { JsonValue } from "../sdk/json/reader";
import { jsonString, JsonWriter } from "../sdk/json/writer";
import { Replacement, spliceJson } from "../sdk/json/splice";
import { parseReference, Reference } from "../sdk/oci/reference";
import { anyGlobMatches } from "./glob";
import { Settings } from "./settings";
import { ImageReport, inspectImage, Lookups } from "./inspect";
import { rootOverride, RootOverride } from "./root_user";
import { joinStrings } from "../sdk/strings";

/** One way an image enters the pod: a container of any kind, or an image volume. */
class ImageUse {
  reference: Reference | null = null;
  /** why the reference does not parse, when it does not */
  parseError: string | null = null;
  /** the normalised reference, the key of its report; "" when exempt or unparsable */
  key: string = "";

  constructor(
    /** `container "app"` or `volume "models"` */
    public subject: string,
    /** the image as written in the pod spec */
    public image: string,
    /** the JSON string token of the image, for pinning */
    public node: JsonValue,
    /** null for an image volume */
    public container: Container | null,
  ) {}
}

/** A distinct image of the request, judged once for every use. */
class DistinctImage {
  /** a container uses it, so the checks about running a process apply */
  runs: bool = false;
  report: ImageReport | null = null;

  constructor(
    public reference: Reference,
    /** as written by its first use */
    public written: string,
  ) {}
}

function imageUses(workload: Workload): ImageUse[] {
  const uses = new Array<ImageUse>();
  for (let i = 0; i < workload.containers.length; i++) {
    const container = workload.containers[i];
    uses.push(new ImageUse("container \"" + container.name + "\"", container.image, container.imageNode, container));
  }
  for (let i = 0; i < workload.imageVolumes.length; i++) {
    const volume = workload.imageVolumes[i];
    uses.push(new ImageUse("volume \"" + volume.name + "\"", volume.reference, volume.referenceNode, null));
  }
  return uses;
}

export function validateRequest(request: JsonValue, settings: Settings): ValidationResponse {
  const read = readWorkload(request);
  if (read.error != null) return ValidationResponse.reject("cannot read the workload: " + read.error!, 400);
  const workload = read.workload;
  if (workload == null) return ValidationResponse.accept();

  // Which distinct images there are and whether a container runs them, before any lookup: an
  // image both run and mounted is looked up once, with the checks of a container.
  const uses = imageUses(workload);
  const images = new Map<string, DistinctImage>();
  const order = new Array<DistinctImage>();
  for (let i = 0; i < uses.length; i++) {
    const use = uses[i];
    const parsed = parseReference(use.image);
    const reference = parsed.value;
    if (reference == null) {
      use.parseError = parsed.error;
      continue;
    }
    use.reference = reference;
    const key = reference.normalized;
    if (anyGlobMatches(settings.exemptImages, key)) continue;
    use.key = key;
    if (!images.has(key)) {
      const distinct = new DistinctImage(reference, use.image);
      images.set(key, distinct);
      order.push(distinct);
    }
    if (use.container != null) images.get(key).runs = true;
  }
  const lookups = new Lookups();
  for (let i = 0; i < order.length; i++) order[i].report = inspectImage(order[i].reference, settings, lookups, order[i].runs);

  const violations = new Array<string>();
  const warnings = new Array<string>();
  const pins = new Array<Replacement>();
  for (let i = 0; i < uses.length; i++) {
    const use = uses[i];
    const parseError = use.parseError;
    if (parseError != null) {
      violations.push(describe(use, parseError));
      continue;
    }
    if (use.key.length == 0) continue; // exempt
    const report = images.get(use.key).report!;
    const container = use.container;
    for (let p = 0; p < report.problems.length; p++) {
      const problem = report.problems[p];
      if (problem.process && container == null) continue;
      const clause = describe(use, problem.text);
      if (problem.lookupError && settings.acceptLookupErrors) warnings.push(clause);
      else violations.push(clause);
    }
    if (container != null && settings.config.rejectRootUser) {
      const rootProblem = rootUserProblem(container, workload, report);
      if (rootProblem != null) violations.push(describe(use, rootProblem));
    }
    const digest = report.resolvedDigest;
    if (digest != null) pins.push(new Replacement(use.node, jsonString(use.reference!.pinned(digest))));
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
  if (settings.auditLicenses) {
    const licenses = auditedLicenses(order);
    if (licenses != null) {
      const annotations = new Map<string, string>();
      annotations.set("licenses", licenses);
      response.auditAnnotations = annotations;
    }
  }
  return response;
}

/**
 * The audit annotation "licenses": a JSON object mapping each distinct image (as first written in
 * the pod spec) to the license it declares, or null; images whose lookup failed are left out.
 * null when no image is left.
 */
function auditedLicenses(images: DistinctImage[]): string | null {
  const licenses = new Map<string, string | null>();
  for (let i = 0; i < images.length; i++) {
    const report = images[i].report!;
    if (!report.lookupFailed) licenses.set(images[i].written, report.declaredLicense);
  }
  if (licenses.size == 0) return null;
  return new JsonWriter(64).sortedObject(licenses).toString();
}

function describe(use: ImageUse, problem: string): string {
  return use.subject + " image \"" + use.image + "\": " + problem;
}

/** The root-user clause for this container, or null: securityContext first, then the image. */
function rootUserProblem(container: Container, workload: Workload, report: ImageReport): string | null {
  const decided = rootOverride(container.securityContext, workload.podSecurityContext);
  if (decided == RootOverride.NonRoot) return null;
  if (decided == RootOverride.Root) return "runs as root (securityContext runAsUser: 0)";
  if (report.rootUsers.length == 0) return null;
  return joinStrings(report.rootUsers, ", ");
}
