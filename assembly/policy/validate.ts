// The admission decision: every distinct, non-exempt image of the workload (containers, init and
// ephemeral containers, image volumes) is looked up through the host once and judged against the
// settings (planner.ts, checks/); each violation becomes one clause naming the container or
// volume, the image and the reason. Host lookups are made only when an active check needs them.

import { Container, ImagePin, ImageSource, Workload } from "../sdk/kubernetes";
import { Lookups } from "../sdk/oci/lookups";
import { parseReference, Reference } from "../sdk/oci/reference";
import { jsonObjectText, ValidationRequest, ValidationResponse } from "../sdk/protocol";
import { joinStrings } from "../sdk/strings";
import { RootOverride, rootOverride } from "./checks/root_user";
import { anyGlobMatches } from "./glob";
import { inspectImage } from "./planner";
import { ImageReport } from "./report";
import { Settings } from "./settings";
import { Violation } from "./violations";

/** One way an image enters the pod: a container of any kind, or an image volume. */
class ImageUse {
  reference: Reference | null = null;
  /** why the reference does not parse, when it does not */
  parseError: string | null = null;
  /** the distinct image it uses; null when exempt or unparsable */
  image: DistinctImage | null = null;

  constructor(
    /** "container" or "volume" */
    public subject: string,
    public name: string,
    public source: ImageSource,
    /** null for an image volume */
    public container: Container | null,
  ) {}

  violation(platform: string, reason: string): Violation {
    return new Violation(this.subject, this.name, this.source.image, platform, reason);
  }
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
    uses.push(new ImageUse("container", container.name, container, container));
  }
  for (let i = 0; i < workload.imageVolumes.length; i++) {
    const volume = workload.imageVolumes[i];
    uses.push(new ImageUse("volume", volume.name, volume, null));
  }
  return uses;
}

export function validateRequest(request: ValidationRequest, settings: Settings): ValidationResponse {
  const read = request.workload();
  if (!read.ok) return ValidationResponse.reject("cannot read the workload: " + read.error!, 400);
  const workload = read.value;
  if (workload == null) return ValidationResponse.accept();

  // Which distinct images there are and whether a container runs them, before any lookup: an
  // image both run and mounted is looked up once, with the checks of a container.
  const uses = imageUses(workload);
  // Keyed by normalised reference, and by its first use's spelling when that differs (a spelling
  // that is some image's normalised form normalises to itself, so the two kinds of keys never
  // disagree): a use spelled as the first use of its image is not parsed again.
  const images = new Map<string, DistinctImage>();
  const order = new Array<DistinctImage>();
  for (let i = 0; i < uses.length; i++) {
    const use = uses[i];
    const written = use.source.image;
    let distinct: DistinctImage | null = images.has(written) ? images.get(written) : null;
    if (distinct != null && distinct.written == written) {
      use.reference = distinct.reference;
    } else {
      const parsed = parseReference(written);
      const reference = parsed.value;
      if (reference == null) {
        use.parseError = parsed.error;
        continue;
      }
      use.reference = reference;
      const key = reference.normalized;
      if (anyGlobMatches(settings.exemptImages, key)) continue;
      if (images.has(key)) {
        distinct = images.get(key);
      } else {
        distinct = new DistinctImage(reference, written);
        images.set(key, distinct);
        order.push(distinct);
      }
      if (key != written) images.set(written, distinct!);
    }
    use.image = distinct;
    if (use.container != null) distinct!.runs = true;
  }
  const lookups = new Lookups();
  for (let i = 0; i < order.length; i++) order[i].report = inspectImage(order[i].reference, settings, lookups, order[i].runs);

  const violations = new Array<Violation>();
  const warnings = new Array<Violation>();
  const pins = new Array<ImagePin>();
  for (let i = 0; i < uses.length; i++) {
    const use = uses[i];
    const parseError = use.parseError;
    if (parseError != null) {
      violations.push(use.violation("", parseError));
      continue;
    }
    const image = use.image;
    if (image == null) continue; // exempt
    const report = image.report!;
    const container = use.container;
    for (let p = 0; p < report.findings.length; p++) {
      const finding = report.findings[p];
      if (finding.process && container == null) continue;
      const violation = use.violation(finding.platform, finding.reason);
      if (finding.lookupError && settings.acceptLookupErrors) warnings.push(violation);
      else violations.push(violation);
    }
    if (container != null && settings.config.rejectRootUser) {
      const rootProblem = rootUserProblem(container, workload, report);
      if (rootProblem != null) violations.push(use.violation("", rootProblem));
    }
    const digest = report.resolvedDigest;
    if (digest != null) pins.push(new ImagePin(use.source, use.reference!.pinned(digest)));
  }

  let response: ValidationResponse;
  if (violations.length > 0 && !settings.warnOnly) {
    response = ValidationResponse.reject(joinStrings(clauses(violations), "; "));
  } else {
    response = ValidationResponse.accept();
    for (let i = 0; i < violations.length; i++) warnings.push(violations[i]);
    if (pins.length > 0) response.mutatedObject = workload.pinImages(pins);
  }
  if (warnings.length > 0) response.warnings = clauses(warnings);
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

function clauses(violations: Violation[]): string[] {
  const texts = new Array<string>(violations.length);
  for (let i = 0; i < violations.length; i++) texts[i] = violations[i].toString();
  return texts;
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
  return jsonObjectText(licenses);
}

/** The root-user reason for this container, or null: securityContext first, then the image. */
function rootUserProblem(container: Container, workload: Workload, report: ImageReport): string | null {
  const decided = rootOverride(container.securityContext, workload.podSecurityContext);
  if (decided == RootOverride.NonRoot) return null;
  if (decided == RootOverride.Root) return "runs as root (securityContext runAsUser: 0)";
  const rootUsers = report.rootUsers;
  if (rootUsers.length == 0) return null;
  const texts = new Array<string>(rootUsers.length);
  for (let i = 0; i < rootUsers.length; i++) texts[i] = rootUsers[i].toString();
  return joinStrings(texts, ", ");
}
