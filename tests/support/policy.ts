// Drives policy.wasm through the Node host with recorded manifests answered from memory, on V8
// and on wasmtime in kwctl's and policy-server's configurations.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type HostCallRecord, type LookupAnswer, TableBackend } from "../../host/capabilities";
import {
  type AdmissionResponse,
  type EngineName,
  formatAdmissionResponse,
  type JsonObject,
  PolicyEvaluator,
  type SettingsValidation,
} from "../../host/evaluator";

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

export function workloadRequest(
  group: string,
  version: string,
  kind: string,
  resource: string,
  body: JsonObject,
  operation = "CREATE",
): JsonObject {
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

/**
 * The engines every policy scenario runs on: Node's V8, and the real engine, wasmtime, configured
 * as kwctl (one instance for validate_settings then validate) and as policy-server (a fresh
 * instance for each, epoch deadline armed). Their answers must be byte-identical.
 */
export const ENGINE_SETUPS: readonly { name: string; engine: EngineName; freshInstancePerCall: boolean }[] = [
  { name: "V8", engine: "v8", freshInstancePerCall: false },
  { name: "wasmtime (kwctl configuration)", engine: "wasmtime", freshInstancePerCall: false },
  { name: "wasmtime (policy-server configuration)", engine: "wasmtime", freshInstancePerCall: true },
];

type EngineSetup = (typeof ENGINE_SETUPS)[number];

function evaluateOn(
  setup: EngineSetup,
  request: JsonObject,
  fixtures: Fixtures,
  settings: JsonObject,
): Evaluation & { settings: SettingsValidation } {
  const calls: HostCallRecord[] = [];
  const evaluator = new PolicyEvaluator(policyWasm(), {
    ...setup,
    backend: new TableBackend(table(fixtures)),
    onCall: (c) => calls.push(c),
  });
  try {
    const validation = evaluator.validateSettings(settings);
    if (!validation.valid) return { settings: validation, response: null as unknown as AdmissionResponse, calls };
    return { settings: validation, response: evaluator.validate(request, settings), calls };
  } finally {
    evaluator.dispose();
  }
}

/** Throws, naming the engine and the difference, unless `other` answered exactly as `reference`. */
function expectSameAnswer<T>(what: string, reference: T, other: T, engine: string, render: (value: T) => string): void {
  const expected = render(reference);
  const actual = render(other);
  if (expected !== actual)
    throw new Error(`${engine} answered ${what} differently from V8:\n  V8:     ${expected}\n  ${engine}: ${actual}`);
}

/**
 * Runs validate_settings (must be valid) then validate, on every engine of ENGINE_SETUPS; the
 * replies (byte for byte, as kwctl prints them) and the host calls must be the same on each.
 * Returns V8's evaluation.
 */
export function evaluate(request: JsonObject, fixtures: Fixtures, settings: JsonObject = {}): Evaluation {
  const [reference, ...others] = ENGINE_SETUPS.map((setup) => evaluateOn(setup, request, fixtures, settings));
  others.forEach((other, i) => {
    const engine = ENGINE_SETUPS[i + 1].name;
    expectSameAnswer("validate_settings", reference.settings, other.settings, engine, (v) => JSON.stringify(v));
    expectSameAnswer("the host calls", reference.calls, other.calls, engine, (calls) => JSON.stringify(calls));
    if (reference.settings.valid) expectSameAnswer("validate", reference.response, other.response, engine, formatAdmissionResponse);
  });
  if (!reference.settings.valid) throw new Error(`settings rejected: ${reference.settings.message}`);
  return { response: reference.response, calls: reference.calls };
}

/** The images the policy asked the host about, with their operation. */
export function lookups(calls: HostCallRecord[]): string[] {
  return calls.map((c) => `${c.operation} ${JSON.parse(c.payload) as string}`);
}

/** validate_settings on every engine of ENGINE_SETUPS (the answers must be the same); V8's answer. */
export function validateSettings(settings: unknown): SettingsValidation {
  const [reference, ...others] = ENGINE_SETUPS.map((setup) => {
    const evaluator = new PolicyEvaluator(policyWasm(), { ...setup, backend: new TableBackend(new Map()) });
    try {
      return evaluator.validateSettings(settings as JsonObject);
    } finally {
      evaluator.dispose();
    }
  });
  others.forEach((other, i) =>
    expectSameAnswer("validate_settings", reference, other, ENGINE_SETUPS[i + 1].name, (v) => JSON.stringify(v)),
  );
  return reference;
}
