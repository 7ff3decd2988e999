// config.requiredLabels: the image's config must carry each label with a value its glob matches.
// An artifact has no config labels, so each is missing.

import { PlatformImage } from "../platform_image";
import { ImageReport } from "../report";
import { ImageConfig } from "../../sdk/oci/manifest_config";
import { ConfigCheck, judgeRequired } from "./check";

export class LabelsCheck extends ConfigCheck {
  constructor(private required: Map<string, string>) {
    super(false);
  }

  judgeArtifact(image: PlatformImage, report: ImageReport): void {
    const keys = this.required.keys();
    const why = "an artifact with config media type \"" + image.configMediaType + "\" has no config labels";
    for (let i = 0; i < keys.length; i++) report.violation(image.platform, "config label \"" + keys[i] + "\" is missing (" + why + ")");
  }

  judgeConfig(image: PlatformImage, config: ImageConfig, report: ImageReport): void {
    const keys = this.required.keys();
    for (let i = 0; i < keys.length; i++) {
      judgeRequired(report, image.platform, "config label", keys[i], config.label(keys[i]), this.required.get(keys[i]));
    }
  }
}
