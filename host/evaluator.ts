// Evaluates a waPC policy the way kwctl and policy-server do (crates/policy-evaluator):
// validate_settings with the bare settings object, validate with {"request","settings"} (keys
// sorted, as serde_json without preserve_order writes them), and the guest's ValidationResponse
// turned into the AdmissionResponse that kwctl prints.

import { capabilityHandler, type CapabilityOptions, type OciBackend } from "./capabilities";
import { type GuestCallOutcome, type GuestInstance, type HostCallback, WapcInstance } from "./wapc";
import { type WasmtimeConfiguration, WasmtimeModule } from "./wasmtime/engine";
import { jsonPatchDiff } from "./json_patch";
import { sortedJson } from "./sorted_json";

export type JsonObject = { [key: string]: unknown };

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  patchType?: "JSONPatch";
  patch?: string;
  status?: { message?: string; code?: number };
  auditAnnotations: Record<string, string> | null;
  warnings: string[] | null;
}

export interface SettingsValidation {
  valid: boolean;
  message?: string;
}

export interface EvaluatorOptions extends CapabilityOptions {
  backend: OciBackend;
  /**
   * true: a new instance for every operation, as policy-server does; false: one instance reused,
   * as kwctl does (default).
   */
  freshInstancePerCall?: boolean;
  /**
   * The engine running the guest: "v8" (Node's own, the default) or "wasmtime", configured as
   * policy-server when `freshInstancePerCall` is set and as kwctl otherwise.
   */
  engine?: EngineName;
}

export type EngineName = "v8" | "wasmtime";

/** crates/wasmtime-provider/src/provider.rs: the guest error of an epoch interruption. */
export const EPOCH_INTERRUPTION_ERROR = "guest code interrupted, execution deadline exceeded";
/** crates/policy-evaluator/src/runtimes/wapc/runtime.rs: what policy-server answers instead. */
export const INTERRUPTED_EVALUATION_MESSAGE = "Policy execution interrupted because it exceeded the allowed execution time";

/** Creates instances of one compiled policy on one engine. */
export interface CompiledPolicy {
  instantiate(hostCallback: HostCallback): GuestInstance;
  readonly description: string;
}

/**
 * Compiles `wasm` for `engine` (V8 by default; wasmtime in policy-server's configuration when
 * `freshInstancePerCall`, else in kwctl's).
 */
export function compilePolicy(wasm: Uint8Array, options: Pick<EvaluatorOptions, "engine" | "freshInstancePerCall">): CompiledPolicy {
  if (options.engine === "wasmtime") {
    const configuration: WasmtimeConfiguration = options.freshInstancePerCall ? "policy-server" : "kwctl";
    const module = new WasmtimeModule(wasm, configuration);
    return {
      instantiate: (hostCallback) => module.instantiate(hostCallback),
      description: `wasmtime ${module.wasmtimeVersion} (${configuration} configuration)`,
    };
  }
  const module = new WebAssembly.Module(new Uint8Array(wasm));
  return { instantiate: (hostCallback) => new WapcInstance(module, hostCallback), description: `V8 ${process.versions.v8}` };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

export class PolicyEvaluator {
  private readonly policy: CompiledPolicy;
  private instance: GuestInstance | null = null;
  private readonly hostCallback;
  /** host calls made by the last operation */
  lastHostCalls = 0;

  constructor(
    wasm: Uint8Array,
    private readonly options: EvaluatorOptions,
  ) {
    this.policy = compilePolicy(wasm, options);
    this.hostCallback = capabilityHandler(options.backend, options);
  }

  /** The engine and its configuration, e.g. "wasmtime 49.0.0 (policy-server configuration)". */
  get engineDescription(): string {
    return this.policy.description;
  }

  private acquire(): GuestInstance {
    if (this.options.freshInstancePerCall || this.instance === null) {
      this.dispose();
      this.instance = this.policy.instantiate(this.hostCallback);
    }
    return this.instance;
  }

  /** Frees the instance held (wasmtime keeps it in the engine process until then). */
  dispose(): void {
    this.instance?.dispose();
    this.instance = null;
  }

  /** Raw waPC call, for tests and benchmarks. */
  call(operation: string, payload: Uint8Array): GuestCallOutcome {
    const instance = this.acquire();
    const before = instance.hostCalls;
    const outcome = instance.call(operation, payload);
    this.lastHostCalls = instance.hostCalls - before;
    return outcome;
  }

  /** Linear memory of the reused instance (0 before the first call). */
  get memoryBytes(): number {
    return this.instance?.memoryBytes ?? 0;
  }

  protocolVersion(): string {
    const outcome = this.call("protocol_version", new Uint8Array(0));
    if (!outcome.ok) throw new Error(`protocol_version failed: ${outcome.error}`);
    const version: unknown = JSON.parse(decoder.decode(outcome.payload));
    if (version !== "v1") throw new Error(`unknown protocol version ${JSON.stringify(version)}`);
    return version;
  }

  validateSettings(settings: JsonObject): SettingsValidation {
    const outcome = this.call("validate_settings", encoder.encode(sortedJson(settings)));
    if (!outcome.ok) {
      return { valid: false, message: `Error invoking settings validation callback: GuestCallFailure(${JSON.stringify(outcome.error)})` };
    }
    let reply: unknown;
    try {
      reply = JSON.parse(decoder.decode(outcome.payload));
    } catch (err) {
      return {
        valid: false,
        message: `Error invoking settings validation callback: invalid response from policy: ${(err as Error).message}`,
      };
    }
    const record = reply as { valid?: unknown; message?: unknown } | null;
    if (
      record === null ||
      typeof record !== "object" ||
      typeof record.valid !== "boolean" ||
      (record.message !== undefined && record.message !== null && typeof record.message !== "string")
    ) {
      return {
        valid: false,
        message: "Error invoking settings validation callback: invalid response from policy: not a SettingsValidationResponse",
      };
    }
    return typeof record.message === "string" ? { valid: record.valid, message: record.message } : { valid: record.valid };
  }

  validate(request: JsonObject, settings: JsonObject): AdmissionResponse {
    const uid = typeof request.uid === "string" ? request.uid : "";
    const outcome = this.call("validate", encoder.encode(sortedJson({ request, settings })));
    if (!outcome.ok) {
      // policy-evaluator: a GuestCallFailure containing the interruption text is this rejection.
      if (outcome.error.includes(EPOCH_INTERRUPTION_ERROR)) {
        return rejection(uid, INTERRUPTED_EVALUATION_MESSAGE, 500);
      }
      return internalError(uid, `Guest call failure: ${outcome.error}`);
    }
    let text: string;
    let reply: unknown;
    try {
      text = decoder.decode(outcome.payload);
      reply = JSON.parse(text);
    } catch (err) {
      return internalError(uid, `invalid response from policy: ${(err as Error).message}`);
    }
    const problem = checkValidationResponse(reply);
    if (problem !== null) return internalError(uid, `invalid response from policy: ${problem}`);
    return toAdmissionResponse(uid, reply as ValidationResponse, request);
  }
}

interface ValidationResponse {
  accepted: boolean;
  message?: string | null;
  code?: number | null;
  mutated_object?: unknown;
  audit_annotations?: Record<string, string> | null;
  warnings?: string[] | null;
}

/** The serde checks of policy-sdk-rust's ValidationResponse, as messages (null: a valid reply). */
export function checkValidationResponse(reply: unknown): string | null {
  if (reply === null || typeof reply !== "object" || Array.isArray(reply)) return "expected a JSON object";
  const r = reply as JsonObject;
  if (typeof r.accepted !== "boolean") return "missing field `accepted`";
  if (r.message != null && typeof r.message !== "string") return "`message` must be a string";
  if (r.code != null && !(Number.isInteger(r.code) && (r.code as number) >= 0 && (r.code as number) <= 0xffff))
    return "`code` must be a u16";
  if (r.warnings != null && !(Array.isArray(r.warnings) && r.warnings.every((w) => typeof w === "string")))
    return "`warnings` must be a list of strings";
  if (r.audit_annotations != null) {
    const a = r.audit_annotations;
    if (typeof a !== "object" || Array.isArray(a) || !Object.values(a as JsonObject).every((v) => typeof v === "string")) {
      return "`audit_annotations` must map strings to strings";
    }
  }
  return null;
}

/** AdmissionResponse::reject: not allowed, with a status message and code. */
function rejection(uid: string, message: string, code: number): AdmissionResponse {
  return { uid, allowed: false, status: { message, code }, auditAnnotations: null, warnings: null };
}

/** AdmissionResponse::reject_internal_server_error. */
function internalError(uid: string, message: string): AdmissionResponse {
  return rejection(uid, `internal server error: ${message}`, 500);
}

function toAdmissionResponse(uid: string, reply: ValidationResponse, request: JsonObject): AdmissionResponse {
  const response: AdmissionResponse = { uid, allowed: reply.accepted, auditAnnotations: null, warnings: null };
  if (reply.mutated_object !== undefined && reply.mutated_object !== null) {
    const original = request.object;
    if (original === undefined || original === null) {
      return rejection(
        uid,
        "Incoming object is null, which happens only with DELETE operations, but the policy is attempting a mutation. This is not allowed",
        500,
      );
    }
    const patch = jsonPatchDiff(original, reply.mutated_object);
    if (patch.length > 0) {
      response.patchType = "JSONPatch";
      response.patch = Buffer.from(JSON.stringify(patch)).toString("base64");
    }
  }
  if ((reply.message !== undefined && reply.message !== null) || (reply.code !== undefined && reply.code !== null)) {
    const status: { message?: string; code?: number } = {};
    if (typeof reply.message === "string") status.message = reply.message;
    if (typeof reply.code === "number") status.code = reply.code;
    response.status = status;
  }
  response.auditAnnotations = reply.audit_annotations ?? null;
  response.warnings = reply.warnings ?? null;
  return response;
}

/** The AdmissionResponse as kwctl prints it: field order of the Rust struct, null for unset lists. */
export function formatAdmissionResponse(response: AdmissionResponse): string {
  const ordered: JsonObject = { uid: response.uid, allowed: response.allowed };
  if (response.patchType !== undefined) ordered.patchType = response.patchType;
  if (response.patch !== undefined) ordered.patch = response.patch;
  if (response.status !== undefined) {
    const status: JsonObject = {};
    if (response.status.message !== undefined) status.message = response.status.message;
    if (response.status.code !== undefined) status.code = response.status.code;
    ordered.status = status;
  }
  ordered.auditAnnotations = response.auditAnnotations;
  ordered.warnings = response.warnings;
  return JSON.stringify(ordered);
}
