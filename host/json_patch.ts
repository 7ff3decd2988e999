// RFC 6902 diff between the incoming object and the policy's mutated_object, as policy-evaluator
// computes it (json-patch's `diff`) before base64-encoding it into the AdmissionResponse.

import { compare, type Operation } from "fast-json-patch";

export function jsonPatchDiff(original: unknown, mutated: unknown): Operation[] {
  return compare(original as object, mutated as object);
}
