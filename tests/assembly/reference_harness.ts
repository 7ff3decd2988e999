// Test-only AssemblyScript entry exposing the SDK's image reference parser to jest
// (see tests/support/as_harness.ts and tests/reference_corpus.test.ts).
import { parseReference } from "../../assembly/sdk/oci/reference";

/** "registry|repository|tag|digest|normalized" ("-" for no tag or digest), or "error: <message>". */
export function parse(input: string): string {
  const parsed = parseReference(input);
  const r = parsed.value;
  if (r == null) return "error: " + parsed.error!;
  const tag = r.tag;
  const digest = r.digest;
  return r.registry + "|" + r.repository + "|" + (tag != null ? tag : "-") + "|" + (digest != null ? digest : "-") + "|" + r.normalized;
}
