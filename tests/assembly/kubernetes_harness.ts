// Test-only AssemblyScript entry exposing the SDK's workload reading (assembly/sdk/kubernetes.ts)
// to jest (see tests/support/as_harness.ts).
import { parseJsonString } from "../../assembly/sdk/json/reader";
import { readWorkload } from "../../assembly/sdk/kubernetes";

/**
 * The workload an AdmissionRequest (JSON text) holds, one line per item:
 * `container <field>[<index>] <name> <image>` and `volume [<index>] <name> <reference> <pullPolicy|->
 * <reference JSON token>`; "none" when there is no workload, "error: <message>" when it is wrong.
 */
export function describeWorkload(request: string): string {
  const parsed = parseJsonString(request);
  const root = parsed.value;
  if (root == null) return "error: not JSON: " + parsed.error!;
  const read = readWorkload(root);
  if (!read.ok) return "error: " + read.error!;
  const workload = read.value;
  if (workload == null) return "none";
  const lines = new Array<string>();
  for (let i = 0; i < workload.containers.length; i++) {
    const c = workload.containers[i];
    lines.push("container " + c.field + "[" + c.index.toString() + "] " + c.name + " " + c.image);
  }
  for (let i = 0; i < workload.imageVolumes.length; i++) {
    const v = workload.imageVolumes[i];
    const pullPolicy = v.pullPolicy;
    lines.push("volume [" + v.index.toString() + "] " + v.name + " " + v.image + " " + (pullPolicy != null ? pullPolicy : "-") +
      " " + v.writtenToken);
  }
  return lines.join("\n");
}
