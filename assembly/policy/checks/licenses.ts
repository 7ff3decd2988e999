// The license check: an image must declare an SPDX license expression (README "`licenses`") that
// the rules admit. Where a license is found, first that answers: the index's annotation (for all
// its platform images), the index entry's, the manifest's, the config's label. An annotation or
// label that declares no license (NOASSERTION, NONE, blank) does not answer.

import { ImageIndex } from "../../sdk/oci/types";
import { declaresNoLicense, judgeLicense } from "../licenses/index";
import { PlatformImage } from "../platform_image";
import { ImageReport } from "../report";
import { LicenseSettings } from "../settings";
import { Check, Need } from "./check";

export const LICENSE_KEY = "org.opencontainers.image.licenses";

export class LicenseCheck extends Check {
  constructor(private settings: LicenseSettings) {
    super(false);
  }

  judgeIndex(index: ImageIndex, report: ImageReport): bool {
    const declared = index.annotation(LICENSE_KEY);
    if (declared == null || declaresNoLicense(declared)) return true;
    report.recordLicense("", declared);
    const problem = judgeLicense(declared, this.settings.rules);
    if (problem != null) report.violation("", problem);
    return false;
  }

  need(image: PlatformImage): Need {
    const declared = image.descriptorAnnotation(LICENSE_KEY);
    return declared != null && !declaresNoLicense(declared) ? Need.None : Need.ManifestOrConfig;
  }

  judge(image: PlatformImage, report: ImageReport): void {
    // The index entry's annotation, then the manifest's.
    let declared = image.descriptorAnnotation(LICENSE_KEY);
    // An annotation or label that is present but declares no license, trimmed, so that the
    // message says what is there.
    let emptyAnnotation: string | null = declared != null && declaresNoLicense(declared) ? declared.trim() : null;
    if (declared == null || declaresNoLicense(declared)) {
      declared = image.manifestAnnotation(LICENSE_KEY);
      if (declared != null && declaresNoLicense(declared)) emptyAnnotation = declared.trim();
    }
    if ((declared == null || declaresNoLicense(declared)) && image.isArtifact) {
      // An artifact has no config labels: the annotations are all it declares.
      report.recordLicense(image.platform, null);
      if (this.settings.required) {
        report.violation(image.platform, "no license declared (" + annotationPart(emptyAnnotation) +
          "; an artifact with config media type \"" + image.configMediaType + "\" has no config labels)");
      }
      return;
    }
    let emptyLabel: string | null = null;
    if (declared == null || declaresNoLicense(declared)) {
      // Not on the manifest: the config's label (docker/metadata-action puts it there).
      const config = image.config(report.findings.length);
      if (config == null) return;
      const label = config.label(LICENSE_KEY);
      if (label != null && declaresNoLicense(label)) emptyLabel = label.trim();
      declared = label != null && !declaresNoLicense(label) ? label : null;
    }
    report.recordLicense(image.platform, declared);
    if (declared == null) {
      if (!this.settings.required) return;
      if (emptyAnnotation == null && emptyLabel == null) {
        report.violation(image.platform, "no license declared (no \"" + LICENSE_KEY + "\" annotation or config label)");
      } else {
        const labelPart = emptyLabel != null ? "config label is \"" + emptyLabel + "\"" : "no config label";
        report.violation(image.platform, "no license declared (" + annotationPart(emptyAnnotation) + ", " + labelPart + ")");
      }
      return;
    }
    const problem = judgeLicense(declared, this.settings.rules);
    if (problem != null) report.violation(image.platform, problem);
  }
}

/** What a rejection says of the license annotation: absent, or what it holds instead of a license. */
function annotationPart(emptyAnnotation: string | null): string {
  return emptyAnnotation != null
    ? "\"" + LICENSE_KEY + "\" annotation is \"" + emptyAnnotation + "\""
    : "no \"" + LICENSE_KEY + "\" annotation";
}
