// Who a container runs as. Kubernetes semantics: the container's securityContext field overrides
// the pod's, field by field; runAsUser, when set, decides before runAsNonRoot; otherwise the
// image's config User decides ("" or absent, "0", "root", "0:…", "root:…" are root).

import { JsonValue } from "../sdk/json/reader";

export const enum RootOverride {
  /** the image's user decides */
  None = 0,
  /** runAsUser > 0, or runAsNonRoot: true */
  NonRoot = 1,
  /** runAsUser: 0 */
  Root = 2,
}

function member(context: JsonValue | null, key: string): JsonValue | null {
  if (context == null) return null;
  const value = context.get(key);
  return value == null || value.isNull ? null : value;
}

export function rootOverride(container: JsonValue | null, pod: JsonValue | null): RootOverride {
  let runAsUser = member(container, "runAsUser");
  if (runAsUser == null) runAsUser = member(pod, "runAsUser");
  if (runAsUser != null) {
    const uid = runAsUser.integer();
    if (uid != null) return uid.value == 0 ? RootOverride.Root : RootOverride.NonRoot;
  }
  let runAsNonRoot = member(container, "runAsNonRoot");
  if (runAsNonRoot == null) runAsNonRoot = member(pod, "runAsNonRoot");
  if (runAsNonRoot != null && runAsNonRoot.kind == 2 /* JsonKind.True */) return RootOverride.NonRoot;
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
