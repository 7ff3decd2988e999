// Drives policy.wasm through the Node host with recorded manifests answered from memory, on V8
// and on wasmtime in kwctl's and policy-server's configurations.

import { type HostCallRecord, type LookupAnswer, TableBackend } from "../../host/capabilities";
import {
  type AdmissionResponse,
  type EngineName,
  formatAdmissionResponse,
  type JsonObject,
  PolicyEvaluator,
  type SettingsValidation,
} from "../../host/evaluator";
import { policyWasm } from "./workloads";

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
