// Guest and host model OCI separately (assembly/sdk/oci/types.ts, host/oci/manifest.ts); the
// manifest media types each side knows must be the same four, so that every manifest the host
// fetches and re-serialises is one the guest decodes.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MANIFEST_ACCEPT, MEDIA_TYPES } from "../host/oci/manifest";
import { ROOT } from "./support/workloads";

/** The `MEDIA_TYPE_*` string constants of the guest's OCI model, read from its source. */
function guestMediaTypes(): Record<string, string> {
  const source = readFileSync(join(ROOT, "assembly", "sdk", "oci", "types.ts"), "utf8");
  return Object.fromEntries(
    [...source.matchAll(/^export const (MEDIA_TYPE_\w+)(?::\s*string)?\s*=\s*"([^"]+)";/gm)].map((m) => [m[1], m[2]]),
  );
}

test("the guest's manifest media types are the host's", () => {
  const guest = guestMediaTypes();
  expect(Object.keys(guest).length).toBeGreaterThanOrEqual(4);
  const manifestKinds = Object.entries(guest)
    .filter(([name]) => /MANIFEST|INDEX/.test(name))
    .map(([, value]) => value);
  expect([...manifestKinds].sort()).toEqual(Object.values(MEDIA_TYPES).sort());
  expect([...MANIFEST_ACCEPT].sort()).toEqual(Object.values(MEDIA_TYPES).sort());
});
