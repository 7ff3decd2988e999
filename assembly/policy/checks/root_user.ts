// config.rejectRootUser: a container must not run as root. Kubernetes semantics: the container's
// securityContext field overrides the pod's, field by field; runAsUser, when set, decides before
// runAsNonRoot; otherwise the image's config User decides ("" or absent, "0", "root", "0:…",
// "root:…" are root). This check collects the image's side; validate.ts decides per container.

import { SecurityContext } from "../../sdk/kubernetes";
import { PlatformImage } from "../platform_image";
import { Finding, ImageReport } from "../report";
import { ImageConfig } from "../../sdk/oci/manifest_config";
import { ConfigCheck } from "./check";

export const enum RootOverride {
  /** the image's user decides */
  None = 0,
  /** runAsUser > 0, or runAsNonRoot: true */
  NonRoot = 1,
  /** runAsUser: 0 */
  Root = 2,
}

/** What the securityContexts decide before the image's user is asked. */
export function rootOverride(container: SecurityContext | null, pod: SecurityContext | null): RootOverride {
  const user = container != null && container.runAsUserWritten ? container : pod != null && pod.runAsUserWritten ? pod : null;
  if (user != null && user.runAsUserIsInteger) return user.runAsUser == 0 ? RootOverride.Root : RootOverride.NonRoot;
  const nonRoot = container != null && container.runAsNonRootWritten ? container : pod != null && pod.runAsNonRootWritten ? pod : null;
  if (nonRoot != null && nonRoot.runAsNonRoot) return RootOverride.NonRoot;
  return RootOverride.None;
}

/** true when an image config User means root ("", "0", "00", "root", "0:…", "root:…"); null (absent) too. */
export function isRootUser(user: string | null): bool {
  if (user == null) return true;
  const trimmed = user.trim();
  const colon = trimmed.indexOf(":");
  const name = colon >= 0 ? trimmed.substring(0, colon) : trimmed;
  return name.length == 0 || name == "root" || isZeroUid(name);
}

/** "0", "00", …: runc falls back to the number when no user has that name, and it is uid 0. */
function isZeroUid(name: string): bool {
  for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) != 0x30) return false;
  return name.length > 0;
}

export class RootUserCheck extends ConfigCheck {
  constructor() {
    super(true, true);
  }

  judgeConfig(image: PlatformImage, config: ImageConfig, report: ImageReport): void {
    if (!isRootUser(config.user)) return;
    const user = config.user;
    report.rootUsers.push(new Finding(image.platform, "runs as root (image user " + (user == null ? "not set" : "\"" + user + "\"") + ")", false, true));
  }
}
