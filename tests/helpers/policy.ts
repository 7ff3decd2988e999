// Drives policy.wasm through the Node host with recorded manifests answered from memory.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type HostCallRecord, type LookupAnswer, TableBackend } from "../../host/capabilities";
import { type AdmissionResponse, type JsonObject, PolicyEvaluator } from "../../host/evaluator";

export const ROOT = join(__dirname, "..", "..");
export const POLICY_PATH = join(ROOT, "policy.wasm");

let cachedWasm: Buffer | null = null;
export function policyWasm(): Buffer {
  cachedWasm ??= readFileSync(POLICY_PATH);
  return cachedWasm;
}

/** A recorded manifest from test_data/manifests/<name>.json, as the compact JSON the host sends. */
export function manifest(name: string): string {
  return JSON.stringify(JSON.parse(readFileSync(join(ROOT, "test_data", "manifests", `${name}.json`), "utf8")));
}

export function success(payload: string): LookupAnswer {
  return { ok: true, payload };
}

export function failure(error: string): LookupAnswer {
  return { ok: false, error };
}

export type Fixtures = Record<string, LookupAnswer>;

/** Fixture table keyed "<image>" for v1/oci_manifest, or "<operation> <image>" for the others. */
export function table(fixtures: Fixtures): Map<string, LookupAnswer> {
  return new Map(Object.entries(fixtures).map(([key, answer]): [string, LookupAnswer] => [TableBackend.keyOf(key), answer]));
}

export interface ContainerSpec {
  name: string;
  image: string;
  securityContext?: JsonObject;
}

export interface PodOptions {
  containers?: ContainerSpec[];
  initContainers?: ContainerSpec[];
  ephemeralContainers?: ContainerSpec[];
  /** `volumes` entries, e.g. an image volume `{ name, image: { reference, pullPolicy } }` */
  volumes?: JsonObject[];
  securityContext?: JsonObject;
  operation?: string;
}

export function podSpec(options: PodOptions): JsonObject {
  const spec: JsonObject = { containers: options.containers ?? [] };
  if (options.initContainers) spec.initContainers = options.initContainers;
  if (options.ephemeralContainers) spec.ephemeralContainers = options.ephemeralContainers;
  if (options.volumes) spec.volumes = options.volumes;
  if (options.securityContext) spec.securityContext = options.securityContext;
  return spec;
}

/** An AdmissionRequest for a Pod, as the API server sends it. */
export function podRequest(options: PodOptions): JsonObject {
  return workloadRequest("", "v1", "Pod", "pods", { spec: podSpec(options) }, options.operation);
}

/** An image volume: the OCI image or artifact `reference` mounted as volume `name`. */
export function imageVolume(name: string, reference: string, pullPolicy = "IfNotPresent"): JsonObject {
  return { name, image: { reference, pullPolicy } };
}

export function workloadRequest(group: string, version: string, kind: string, resource: string, body: JsonObject, operation = "CREATE"): JsonObject {
  return {
    uid: "705ab4f5-6393-11e8-b7cc-42010a800002",
    kind: { group, version, kind },
    resource: { group, version, resource },
    requestKind: { group, version, kind },
    requestResource: { group, version, resource },
    name: "demo",
    namespace: "default",
    operation,
    userInfo: { username: "alice", uid: "alice-uid", groups: ["system:authenticated"] },
    object: {
      apiVersion: group === "" ? version : `${group}/${version}`,
      kind,
      metadata: { name: "demo", namespace: "default", uid: "7f3e4a1c-1111-4c7a-9b8e-0123456789ab" },
      ...body,
    },
    oldObject: null,
    dryRun: false,
    options: { kind: "CreateOptions", apiVersion: "meta.k8s.io/v1" },
  };
}

export interface Evaluation {
  response: AdmissionResponse;
  calls: HostCallRecord[];
}

/** Runs validate_settings (must be valid) then validate on one instance, as kwctl does. */
export function evaluate(request: JsonObject, fixtures: Fixtures, settings: JsonObject = {}): Evaluation {
  const calls: HostCallRecord[] = [];
  const evaluator = new PolicyEvaluator(policyWasm(), { backend: new TableBackend(table(fixtures)), onCall: (c) => calls.push(c) });
  const validation = evaluator.validateSettings(settings);
  if (!validation.valid) throw new Error(`settings rejected: ${validation.message}`);
  return { response: evaluator.validate(request, settings), calls };
}

/** The images the policy asked the host about, with their operation. */
export function lookups(calls: HostCallRecord[]): string[] {
  return calls.map((c) => `${c.operation} ${JSON.parse(c.payload) as string}`);
}

export function validateSettings(settings: unknown): { valid: boolean; message?: string } {
  const evaluator = new PolicyEvaluator(policyWasm(), { backend: new TableBackend(new Map()) });
  return evaluator.validateSettings(settings as JsonObject);
}
