// Runs fuzz cases on one engine and classifies each outcome the way the real host sees it (wapc-rs
// WapcHost::call, https://github.com/wapc/wapc-rs); see tests/support/fuzz/generators.ts for the cases.

import { checkValidationResponse, compilePolicy, type JsonObject } from "../../../host/evaluator";
import { capabilityHandler } from "../../../host/capabilities";
import type { GuestCallOutcome, GuestInstance, HostCallback } from "../../../host/wapc";
import { policyBytes } from "../workloads";
import { type FuzzCase, type HostScript, shorten, strictUtf8, TRAP, type Verdict, wellFormed } from "./cases";

// ---------------------------------------------------------------------------------------------
// Running cases

/**
 * Where the fuzz cases run: Node's V8, or wasmtime configured as kwctl (one instance reused) or as
 * policy-server (a fresh instance for every call, epoch deadline armed).
 */
export type FuzzEngine = "v8" | "wasmtime-kwctl" | "wasmtime-policy-server";

/** Runs cases on one engine; one reused instance (recreated after a trap) except under policy-server's configuration. */
export class FuzzRunner {
  private readonly instantiate: (callback: HostCallback) => GuestInstance;
  private readonly fresh: boolean;
  private instance: GuestInstance | null = null;
  private script: HostScript = () => ({ ok: false, error: "no host script" });
  private readonly callback: HostCallback;
  /** the lookups of the last call, "<operation> <payload>" */
  lastCalls: string[] = [];

  constructor(
    wasm: Uint8Array<ArrayBuffer> = policyBytes(),
    readonly engine: FuzzEngine = "v8",
  ) {
    const wasmtime = engine !== "v8";
    this.fresh = engine === "wasmtime-policy-server";
    const policy = compilePolicy(wasm, { engine: wasmtime ? "wasmtime" : "v8", freshInstancePerCall: this.fresh });
    this.instantiate = (callback) => policy.instantiate(callback);
    // The host's own dispatcher (binding, namespace, payload decoding, error prefixes), answering
    // from the case's script.
    this.callback = capabilityHandler(
      { lookup: (operation, image) => this.script(operation, image) },
      { onCall: (call) => this.lastCalls.push(`${call.namespace} ${call.operation} ${call.payload}`) },
    );
  }

  /** One waPC call with lookups answered by `host`; a trapped instance is not reused (policy-server discards it). */
  call(operation: string, payload: Uint8Array, host: HostScript): GuestCallOutcome {
    this.script = host;
    this.lastCalls = [];
    if (this.fresh) this.dispose();
    this.instance ??= this.instantiate(this.callback);
    const outcome = this.instance.call(operation, payload);
    if (isTrap(outcome)) this.dispose();
    return outcome;
  }

  run(c: FuzzCase): Verdict {
    return classify(c, this.call(c.operation, c.payload, c.host));
  }

  dispose(): void {
    this.instance?.dispose();
    this.instance = null;
  }
}

export function isTrap(outcome: GuestCallOutcome): boolean {
  return !outcome.ok && (outcome.trapped === true || TRAP.test(outcome.error));
}

/** The class of a waPC outcome for case `c`, and the case's invariants it breaks. */
export function classify(c: FuzzCase, outcome: GuestCallOutcome): Verdict {
  if (!outcome.ok) {
    const error = outcome.error;
    if (isTrap(outcome)) return { cls: "trap", detail: shorten(error), violations: [] };
    if (
      error.length === 0 ||
      error === "No error message set for call failure" ||
      error === "No error message OR response set for call success"
    ) {
      return { cls: "invalidReply", detail: `failure without a message: ${error}`, violations: [] };
    }
    return { cls: "guestError", detail: shorten(error), violations: expectations(c, null, error) };
  }
  let text: string;
  try {
    text = strictUtf8.decode(outcome.payload);
  } catch {
    return { cls: "invalidReply", detail: "reply is not UTF-8", violations: [] };
  }
  let reply: unknown;
  try {
    reply = JSON.parse(text);
  } catch {
    return { cls: "invalidReply", detail: `reply is not JSON: ${shorten(text)}`, violations: [] };
  }
  const problem = c.operation === "validate" ? checkValidationResponse(reply) : settingsResponseProblem(reply);
  if (problem !== null) return { cls: "invalidReply", detail: `${problem}: ${shorten(text)}`, violations: [] };
  return { cls: "clean", detail: shorten(text), violations: expectations(c, reply as JsonObject, null) };
}

/** The shape of a SettingsValidationResponse, or what is wrong. */
export function settingsResponseProblem(reply: unknown): string | null {
  if (reply === null || typeof reply !== "object" || Array.isArray(reply)) return "not a JSON object";
  const r = reply as JsonObject;
  if (typeof r.valid !== "boolean") return "valid is not a boolean";
  if (r.message != null && typeof r.message !== "string") return "message is not a string";
  if (r.valid === false && typeof r.message !== "string") return "valid:false without a message";
  return null;
}

/** The invariants of the case's expectation, checked against a clean reply or a guest error. */
function expectations(c: FuzzCase, reply: JsonObject | null, error: string | null): string[] {
  const e = c.expect;
  const out: string[] = [];
  switch (e.kind) {
    case "request":
      if (e.json === "invalid" && error === null) out.push("malformed JSON was not a guest error");
      if (e.json === "request" && reply === null) out.push(`a well-formed request gave a guest error: ${shorten(error ?? "")}`);
      // (The settings problem may echo a key with line breaks: [\s\S], not ".".)
      if (error !== null && !/^(cannot decode validation request|invalid settings): [\s\S]+/.test(error))
        out.push(`unreadable guest error: ${shorten(error)}`);
      break;
    case "settings":
      if (reply === null) {
        out.push(`validate_settings gave a guest error: ${shorten(error ?? "")}`);
        break;
      }
      if (e.defect === null && reply.valid !== true) out.push(`a valid document was refused: ${String(reply.message)}`);
      if (e.defect !== null) {
        const message = typeof reply.message === "string" ? reply.message : "";
        if (reply.valid !== false) out.push(`a document with a defect at ${e.defect} was accepted`);
        else if (!message.startsWith(`${wellFormed(e.defect)}: `)) out.push(`the refusal does not name ${e.defect}: ${shorten(message)}`);
      }
      break;
    case "host":
      if (reply === null) {
        out.push(`validate gave a guest error: ${shorten(error ?? "")}`);
        break;
      }
      if (e.malformed) {
        if (reply.accepted !== false) out.push("a malformed host reply admitted the image under default settings");
        else if (typeof reply.message !== "string" || !reply.message.includes(`image "${e.image}"`)) {
          out.push(`the rejection does not name the image: ${shorten(String(reply.message))}`);
        }
      }
      break;
  }
  return out;
}
