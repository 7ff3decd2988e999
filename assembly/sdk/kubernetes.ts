// The subset of a Kubernetes AdmissionRequest this SDK reads, and the containers of every
// workload kind that embeds a PodSpec. Types are checked as they are read: a field of the wrong
// type is reported, never guessed.

import { JsonValue } from "./json/reader";

/** Where the PodSpec sits, per kind (group/kind of the request's `kind`). */
const WORKLOAD_PATHS = new Map<string, string[]>();
WORKLOAD_PATHS.set("/Pod", ["spec"]);
WORKLOAD_PATHS.set("apps/Deployment", ["spec", "template", "spec"]);
WORKLOAD_PATHS.set("apps/ReplicaSet", ["spec", "template", "spec"]);
WORKLOAD_PATHS.set("apps/StatefulSet", ["spec", "template", "spec"]);
WORKLOAD_PATHS.set("apps/DaemonSet", ["spec", "template", "spec"]);
WORKLOAD_PATHS.set("/ReplicationController", ["spec", "template", "spec"]);
WORKLOAD_PATHS.set("batch/Job", ["spec", "template", "spec"]);
WORKLOAD_PATHS.set("batch/CronJob", ["spec", "jobTemplate", "spec", "template", "spec"]);

/** The container lists of a PodSpec, in the order they are reported. */
export const CONTAINER_FIELDS: string[] = ["initContainers", "containers", "ephemeralContainers"];

export class Container {
  constructor(
    /** "containers", "initContainers" or "ephemeralContainers" */
    public field: string,
    public index: i32,
    public name: string,
    public image: string,
    /** the JSON string token of the image, for rewriting it in place */
    public imageNode: JsonValue,
    /** the container's securityContext object, or null */
    public securityContext: JsonValue | null,
  ) {}
}

export class Workload {
  constructor(
    public kind: string,
    /** the JSON path of the PodSpec inside the object, e.g. ["spec","template","spec"] */
    public podSpecPath: string[],
    public podSpec: JsonValue,
    public containers: Container[],
  ) {}

  /** The object the PodSpec belongs to (request.object). */
  object: JsonValue | null = null;

  /** The pod-level securityContext object, or null. */
  get podSecurityContext(): JsonValue | null {
    const context = this.podSpec.get("securityContext");
    return context != null && context.isObject ? context : null;
  }
}

export class WorkloadResult {
  constructor(
    /** null with no error: the request is not about a workload this SDK knows (accept it) */
    public workload: Workload | null,
    public error: string | null,
  ) {}
}

/** `request.operation`, or "" when absent or not a string. */
export function operationOf(request: JsonValue): string {
  const operation = request.get("operation");
  if (operation == null) return "";
  const text = operation.str();
  return text == null ? "" : text;
}

/** Reads the workload in `request.object`; other kinds and DELETE give no workload. */
export function readWorkload(request: JsonValue): WorkloadResult {
  const operation = operationOf(request);
  if (operation == "DELETE" || operation == "CONNECT") return new WorkloadResult(null, null);
  const kind = request.get("kind");
  if (kind == null || !kind.isObject) return new WorkloadResult(null, "request.kind is missing or not an object");
  const kindName = stringField(kind, "kind");
  const group = stringField(kind, "group");
  if (kindName == null) return new WorkloadResult(null, "request.kind.kind is missing or not a string");
  const key = (group == null ? "" : group) + "/" + kindName;
  if (!WORKLOAD_PATHS.has(key)) return new WorkloadResult(null, null);
  const path = WORKLOAD_PATHS.get(key);
  const object = request.get("object");
  if (object == null || object.isNull) return new WorkloadResult(null, null);
  if (!object.isObject) return new WorkloadResult(null, "request.object is not an object");
  let node: JsonValue = object;
  let where = "request.object";
  for (let i = 0; i < path.length; i++) {
    const next = node.get(path[i]);
    where += "." + path[i];
    if (next == null || next.isNull) return new WorkloadResult(null, where + " is missing");
    if (!next.isObject) return new WorkloadResult(null, where + " is not an object");
    node = next;
  }
  const containers = new Array<Container>();
  for (let f = 0; f < CONTAINER_FIELDS.length; f++) {
    const field = CONTAINER_FIELDS[f];
    const list = node.get(field);
    if (list == null || list.isNull) continue;
    if (!list.isArray) return new WorkloadResult(null, where + "." + field + " is not an array");
    for (let i = 0; i < list.length; i++) {
      const item = list.at(i)!;
      const at = where + "." + field + "[" + i.toString() + "]";
      if (!item.isObject) return new WorkloadResult(null, at + " is not an object");
      const name = stringField(item, "name");
      const imageNode = item.get("image");
      if (imageNode == null || imageNode.isNull) return new WorkloadResult(null, at + ".image is missing");
      const image = imageNode.str();
      if (image == null) return new WorkloadResult(null, at + ".image is not a string");
      if (image.length == 0) return new WorkloadResult(null, at + ".image is empty");
      const context = item.get("securityContext");
      if (context != null && !context.isNull && !context.isObject) {
        return new WorkloadResult(null, at + ".securityContext is not an object");
      }
      containers.push(new Container(
        field, i,
        name == null ? "#" + i.toString() : name,
        image,
        imageNode,
        context != null && context.isObject ? context : null,
      ));
    }
  }
  const workload = new Workload(kindName, path, node, containers);
  workload.object = object;
  return new WorkloadResult(workload, null);
}

function stringField(object: JsonValue, key: string): string | null {
  const value = object.get(key);
  return value == null ? null : value.str();
}
