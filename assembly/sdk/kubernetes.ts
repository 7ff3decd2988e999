// The subset of a Kubernetes AdmissionRequest this SDK reads, and the containers and image
// volumes of every workload kind that embeds a PodSpec. Types are checked as they are read: a field of the wrong
// type is reported, never guessed.

import { JsonKind, JsonValue } from "./json/reader";
import { jsonString } from "./json/writer";
import { Replacement, spliceJson } from "./json/splice";
import { fail, ok, Result } from "./result";

/** Where the PodSpec sits, per kind. */
const POD_PATH: string[] = ["spec"];
const TEMPLATE_PATH: string[] = ["spec", "template", "spec"];
const CRONJOB_PATH: string[] = ["spec", "jobTemplate", "spec", "template", "spec"];

/** The PodSpec path of a workload kind (group and kind of the request's `kind`), or null for other kinds. */
function podSpecPath(group: string, kind: string): string[] | null {
  if (group.length == 0) {
    if (kind == "Pod") return POD_PATH;
    if (kind == "ReplicationController") return TEMPLATE_PATH;
  } else if (group == "apps") {
    if (kind == "Deployment" || kind == "ReplicaSet" || kind == "StatefulSet" || kind == "DaemonSet") return TEMPLATE_PATH;
  } else if (group == "batch") {
    if (kind == "Job") return TEMPLATE_PATH;
    if (kind == "CronJob") return CRONJOB_PATH;
  }
  return null;
}

/** The container lists of a PodSpec, in the order they are reported. */
export const CONTAINER_FIELDS: string[] = ["initContainers", "containers", "ephemeralContainers"];

/** Where an image enters the pod: a container's `image` or an image volume's `image.reference`. */
export class ImageSource {
  constructor(
    /** the image as written */
    public image: string,
    /** the JSON string token of the image, for rewriting it in place */
    private node: JsonValue,
  ) {}

  /** The token's place in the request, for `Workload.pinImages`. */
  get token(): JsonValue {
    return this.node;
  }

  /** The token as written, escapes included (tests and diagnostics). */
  get writtenToken(): string {
    return this.node.rawText();
  }
}

/**
 * The fields of a securityContext (pod or container) that decide who a container runs as
 * (https://kubernetes.io/docs/tasks/configure-pod-container/security-context/). A field is
 * "written" when present and not null; a written field of another type decides nothing but still
 * hides the pod's field of the same name.
 */
export class SecurityContext {
  runAsUserWritten: bool = false;
  /** runAsUser is written as an integer */
  runAsUserIsInteger: bool = false;
  runAsUser: i64 = 0;
  runAsNonRootWritten: bool = false;
  /** runAsNonRoot is written as true */
  runAsNonRoot: bool = false;

  static read(object: JsonValue): SecurityContext {
    const context = new SecurityContext();
    const user = object.get("runAsUser");
    if (user != null && !user.isNull) {
      context.runAsUserWritten = true;
      if (user.isInteger) {
        context.runAsUserIsInteger = true;
        context.runAsUser = user.integer();
      }
    }
    const nonRoot = object.get("runAsNonRoot");
    if (nonRoot != null && !nonRoot.isNull) {
      context.runAsNonRootWritten = true;
      context.runAsNonRoot = nonRoot.kind == JsonKind.True;
    }
    return context;
  }
}

export class Container extends ImageSource {
  constructor(
    /** "containers", "initContainers" or "ephemeralContainers" */
    public field: string,
    public index: i32,
    public name: string,
    image: string,
    imageNode: JsonValue,
    /** the container's securityContext, or null */
    public securityContext: SecurityContext | null,
  ) {
    super(image, imageNode);
  }
}

/**
 * A volume of the PodSpec whose source is an OCI image or artifact (`volumes[].image`, Kubernetes
 * 1.31+; https://kubernetes.io/docs/concepts/storage/volumes/#image). Its `image` is
 * `image.reference`, as written.
 */
export class ImageVolume extends ImageSource {
  constructor(
    /** the position in `volumes` */
    public index: i32,
    public name: string,
    reference: string,
    referenceNode: JsonValue,
    /** `image.pullPolicy` ("Always", "Never", "IfNotPresent"), null when absent */
    public pullPolicy: string | null,
  ) {
    super(reference, referenceNode);
  }
}

/** An image to write in place of the one a container or volume names (pinning). */
export class ImagePin {
  constructor(
    public source: ImageSource,
    public image: string,
  ) {}
}

export class Workload {
  constructor(
    public kind: string,
    /** the JSON path of the PodSpec inside the object, e.g. ["spec","template","spec"] */
    public podSpecPath: string[],
    /** the object the PodSpec belongs to (request.object) */
    private object: JsonValue,
    public containers: Container[],
    /** the volumes with an `image` source, in `volumes` order */
    public imageVolumes: ImageVolume[],
    /** the pod-level securityContext, or null when absent or not an object */
    public podSecurityContext: SecurityContext | null,
  ) {}

  /**
   * The object as JSON text with the pinned images written in place; every other byte stays as
   * the host sent it, so the JSON patch the host derives names only the images.
   */
  pinImages(pins: ImagePin[]): string {
    const replacements = new Array<Replacement>();
    for (let i = 0; i < pins.length; i++) replacements.push(new Replacement(pins[i].source.token, jsonString(pins[i].image)));
    return spliceJson(this.object, replacements);
  }
}

/** `request.operation`, or "" when absent or not a string. */
export function operationOf(request: JsonValue): string {
  const operation = request.get("operation");
  if (operation == null) return "";
  const text = operation.str();
  return text == null ? "" : text;
}

/**
 * Reads the workload in `request.object`: null (nothing to judge) for other kinds, DELETE and
 * CONNECT; an error naming the field when the object is malformed.
 */
export function readWorkload(request: JsonValue): Result<Workload | null> {
  const operation = operationOf(request);
  if (operation == "DELETE" || operation == "CONNECT") return ok<Workload | null>(null);
  const kind = request.get("kind");
  if (kind == null || !kind.isObject) return fail<Workload | null>("request.kind is missing or not an object");
  const kindName = stringField(kind, "kind");
  const group = stringField(kind, "group");
  if (kindName == null) return fail<Workload | null>("request.kind.kind is missing or not a string");
  const found = podSpecPath(group == null ? "" : group, kindName);
  if (found == null) return ok<Workload | null>(null);
  const path = found;
  const object = request.get("object");
  if (object == null || object.isNull) return ok<Workload | null>(null);
  if (!object.isObject) return fail<Workload | null>("request.object is not an object");
  let node: JsonValue = object;
  for (let i = 0; i < path.length; i++) {
    const next = node.get(path[i]);
    if (next == null || next.isNull) return fail<Workload | null>(pathText(path, i + 1) + " is missing");
    if (!next.isObject) return fail<Workload | null>(pathText(path, i + 1) + " is not an object");
    node = next;
  }
  const containers = new Array<Container>();
  for (let f = 0; f < CONTAINER_FIELDS.length; f++) {
    const field = CONTAINER_FIELDS[f];
    const list = node.get(field);
    if (list == null || list.isNull) continue;
    if (!list.isArray) return fail<Workload | null>(pathText(path, path.length) + "." + field + " is not an array");
    let i = 0;
    for (let item = list.first(); item != null; item = list.next(item!), i++) {
      if (!item.isObject) return fail<Workload | null>(itemText(path, field, i) + " is not an object");
      const name = stringField(item, "name");
      const imageNode = item.get("image");
      if (imageNode == null || imageNode.isNull) return fail<Workload | null>(itemText(path, field, i) + ".image is missing");
      const image = imageNode.str();
      if (image == null) return fail<Workload | null>(itemText(path, field, i) + ".image is not a string");
      if (image.length == 0) return fail<Workload | null>(itemText(path, field, i) + ".image is empty");
      const context = item.get("securityContext");
      if (context != null && !context.isNull && !context.isObject) {
        return fail<Workload | null>(itemText(path, field, i) + ".securityContext is not an object");
      }
      containers.push(new Container(
        field, i,
        name == null ? "#" + i.toString() : name,
        image,
        imageNode,
        context != null && context.isObject ? SecurityContext.read(context) : null,
      ));
    }
  }
  const volumes = new Array<ImageVolume>();
  const volumesError = readImageVolumes(node, path, volumes);
  if (volumesError != null) return fail<Workload | null>(volumesError);
  const podContext = node.get("securityContext");
  const podSecurityContext = podContext != null && podContext.isObject ? SecurityContext.read(podContext) : null;
  return ok<Workload | null>(new Workload(kindName, path, object, containers, volumes, podSecurityContext));
}

/** Appends the image volumes of `podSpec` to `out`; returns what is wrong with them, or null. */
function readImageVolumes(podSpec: JsonValue, path: string[], out: ImageVolume[]): string | null {
  const list = podSpec.get("volumes");
  if (list == null || list.isNull) return null;
  if (!list.isArray) return pathText(path, path.length) + ".volumes is not an array";
  let i = 0;
  for (let item = list.first(); item != null; item = list.next(item!), i++) {
    if (!item.isObject) return itemText(path, "volumes", i) + " is not an object";
    const source = item.get("image");
    if (source == null || source.isNull) continue; // another volume source
    const where = itemText(path, "volumes", i) + ".image";
    if (!source.isObject) return where + " is not an object";
    let name = "#" + i.toString();
    const nameNode = item.get("name");
    if (nameNode != null && !nameNode.isNull) {
      const text = nameNode.str();
      if (text == null) return itemText(path, "volumes", i) + ".name is not a string";
      name = text;
    }
    const referenceNode = source.get("reference");
    if (referenceNode == null || referenceNode.isNull) return where + ".reference is missing";
    const reference = referenceNode.str();
    if (reference == null) return where + ".reference is not a string";
    if (reference.length == 0) return where + ".reference is empty";
    const pullPolicyNode = source.get("pullPolicy");
    let pullPolicy: string | null = null;
    if (pullPolicyNode != null && !pullPolicyNode.isNull) {
      pullPolicy = pullPolicyNode.str();
      if (pullPolicy == null) return where + ".pullPolicy is not a string";
    }
    out.push(new ImageVolume(i, name, reference, referenceNode, pullPolicy));
  }
  return null;
}

/** "request.object" and the first `count` steps of `path`, for messages. */
function pathText(path: string[], count: i32): string {
  let where = "request.object";
  for (let i = 0; i < count; i++) where += "." + path[i];
  return where;
}

/** "request.object.spec.containers[2]", for messages. */
function itemText(path: string[], field: string, index: i32): string {
  return pathText(path, path.length) + "." + field + "[" + index.toString() + "]";
}

function stringField(object: JsonValue, key: string): string | null {
  const value = object.get(key);
  return value == null ? null : value.str();
}
