// config.requiredLabels: the image's config must carry each label with a value its glob matches.
// An artifact has no config labels, so each is missing.

import { PlatformImage } from "../platform_image";
import { ImageReport } from "../report";
import { Check, Need, valueProblem } from "./check";

export class LabelsCheck extends Check {
  constructor(private required: Map<string, string>) {
    super(false);
  }

  need(image: PlatformImage): Need {
    return Need.Config;
  }

  judge(image: PlatformImage, report: ImageReport): void {
    const keys = this.required.keys();
    if (image.isArtifact) {
      const why = "an artifact with config media type \"" + image.configMediaType + "\" has no config labels";
      for (let i = 0; i < keys.length; i++) report.violation(image.platform, "config label \"" + keys[i] + "\" is missing (" + why + ")");
      return;
    }
    const config = image.config(report.findings.length);
    if (config == null) return;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      const value = config.label(key);
      if (value == null) {
        report.violation(image.platform, "config label \"" + key + "\" is missing");
        continue;
      }
      const problem = valueProblem("config label", key, value, this.required.get(key));
      if (problem != null) report.violation(image.platform, problem);
    }
  }
}
