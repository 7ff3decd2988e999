// config.forbiddenEnv: the image's config must not set an environment variable whose name a glob
// matches (a secret baked into the image). The value is never echoed: it may be the secret.

import { globMatch } from "../glob";
import { PlatformImage } from "../platform_image";
import { ImageReport } from "../report";
import { ImageConfig } from "../../sdk/oci/manifest_config";
import { ConfigCheck } from "./check";

export class EnvironmentCheck extends ConfigCheck {
  constructor(private forbidden: string[]) {
    super(true, true);
  }

  judgeConfig(image: PlatformImage, config: ImageConfig, report: ImageReport): void {
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
