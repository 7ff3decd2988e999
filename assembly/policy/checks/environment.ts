// config.forbiddenEnv: the image's config must not set an environment variable whose name a glob
// matches (a secret baked into the image). The value is never echoed: it may be the secret.

import { globMatch } from "../glob";
import { PlatformImage } from "../platform_image";
import { ImageReport } from "../report";
import { Check, Need } from "./check";

export class EnvironmentCheck extends Check {
  constructor(private forbidden: string[]) {
    super(true, true);
  }

  need(image: PlatformImage): Need {
    return Need.Config;
  }

  judge(image: PlatformImage, report: ImageReport): void {
    if (image.isArtifact) return;
    const config = image.config(report.findings.length);
    if (config == null) return;
    const forbidden = this.forbidden;
    for (let i = 0; i < config.env.length; i++) {
      const entry = config.env[i];
      const equals = entry.indexOf("=");
      const name = equals >= 0 ? entry.substring(0, equals) : entry;
      for (let g = 0; g < forbidden.length; g++) {
        if (globMatch(forbidden[g], name)) {
          report.violation(image.platform, "environment variable \"" + name + "\" is set in the image (forbidden by \"" + forbidden[g] + "\")", true);
          break;
        }
      }
    }
  }
}
