// The module must load under the real host: only waPC imports; only __guest_call, _start and memory
// exported; no start section.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { capabilityWarnings, detectedCapabilities, sections } from "../host/annotate";
import { TableBackend } from "../host/capabilities";
import { PolicyEvaluator } from "../host/evaluator";
import { policyWasm, ROOT } from "./support/workloads";

describe("policy.wasm", () => {
  const module = new WebAssembly.Module(new Uint8Array(policyWasm()));

  test("imports only from the wapc module", () => {
    const imports = WebAssembly.Module.imports(module);
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter((i) => i.module !== "wapc")).toEqual([]);
  });

  test("exports exactly __guest_call, _start and memory", () => {
    expect(
      WebAssembly.Module.exports(module)
        .map((e) => e.name)
        .sort(),
    ).toEqual(["__guest_call", "_start", "memory"]);
  });

  // Under policy-server's engine (epoch interruption on, no deadline armed at instantiation) a
  // start section traps and the policy cannot load; initialisation runs from `_start` instead.
  test("has no start section (section id 8)", () => {
    expect(sections(policyWasm()).map((s) => s.id)).not.toContain(8);
  });

  test("the section reader sees a start section when there is one", () => {
    // (module (func $s) (start $s)): type, function, start and code sections
    const withStart = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 8, 1, 0, 10, 4, 1, 2, 0, 0x0b]);
    new WebAssembly.Module(withStart); // valid
    expect(sections(withStart).map((s) => s.id)).toContain(8);
  });

  // scripts/latin1-literals.mjs: the policy's messages are Latin-1 bytes in the module, not UTF-16.
  test("string literals are stored as Latin-1 (the build's literal transform ran)", () => {
    const wasm = policyWasm();
    for (const text of ["no license declared", "is not OSI approved", "unknown setting (known: "]) {
      expect(wasm.includes(Buffer.from(text, "latin1"))).toBe(true);
      expect(wasm.includes(Buffer.from(text, "utf16le"))).toBe(false);
    }
  });

  // The Makefile runs `_start` at build time (binaryen's wasm-ctor-eval): an instance whose
  // `_start` is never called must already hold the module-level objects (settings names, wording).
  test("is initialised before _start is called (the initialisation ran at build time)", () => {
    const answer = guestCallWithoutStart("validate_settings", '{"licenses":{"alow":[]}}');
    expect(answer).toEqual({
      ok: true,
      text: expect.stringMatching(/^\{"valid":false,"message":"licenses\.alow: unknown setting \(known: [a-zA-Z, ]+\)"\}$/) as unknown,
    });
  });

  test('protocol_version answers the 4 bytes "v1"', () => {
    const evaluator = new PolicyEvaluator(policyWasm(), { backend: new TableBackend(new Map()) });
    const outcome = evaluator.call("protocol_version", new Uint8Array(0));
    expect(outcome.ok && Buffer.from(outcome.payload).toString("hex")).toBe("22763122");
  });

  test("an unknown operation is a guest error naming it", () => {
    const evaluator = new PolicyEvaluator(policyWasm(), { backend: new TableBackend(new Map()) });
    expect(evaluator.call("mutate", new Uint8Array(0))).toEqual({ ok: false, error: "No handler registered for function mutate" });
  });

  test("a validate payload that is not JSON is a guest error with a readable message", () => {
    const evaluator = new PolicyEvaluator(policyWasm(), { backend: new TableBackend(new Map()) });
    const outcome = evaluator.call("validate", Buffer.from('{"request": {"uid": '));
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.error).toMatch(/^cannot decode validation request: unexpected end of input at byte \d+$/);
  });
});

describe("host capabilities as kwctl annotate detects them", () => {
  test("the data segments hold the UTF-8 names of exactly the capabilities the metadata declares", () => {
    const metadata = parse(readFileSync(join(ROOT, "policy-metadata.yml"), "utf8")) as { hostCapabilities: string[] };
    expect(detectedCapabilities(policyWasm()).sort()).toEqual([...metadata.hostCapabilities].sort());
    expect(capabilityWarnings(policyWasm(), metadata.hostCapabilities)).toEqual([]);
  });

  test("a mismatch between metadata and module is reported both ways", () => {
    expect(capabilityWarnings(policyWasm(), ["oci/v1/oci_manifest", "net/v1/dns_lookup_host"])).toEqual([
      "host capabilities used by the policy but not declared in metadata: oci/v1/manifest_digest, oci/v1/oci_manifest_config",
      "host capabilities declared in metadata but not detected in the policy: net/v1/dns_lookup_host",
    ]);
  });
});

/** One waPC call on a fresh instance of policy.wasm, without calling `_start` first. */
function guestCallWithoutStart(operation: string, payload: string): { ok: boolean; text: string } {
  const operationBytes = Buffer.from(operation);
  const payloadBytes = Buffer.from(payload);
  let memory: WebAssembly.Memory | null = null;
  let answer = "";
  const bytes = (ptr: number, len: number): Buffer => Buffer.from(memory!.buffer, ptr, len);
  const imports = {
    wapc: {
      __guest_request(operationPtr: number, payloadPtr: number): void {
        operationBytes.copy(bytes(operationPtr, operationBytes.length));
        payloadBytes.copy(bytes(payloadPtr, payloadBytes.length));
      },
      __guest_response(ptr: number, len: number): void {
        answer = bytes(ptr, len).toString();
      },
      __guest_error(ptr: number, len: number): void {
        answer = bytes(ptr, len).toString();
      },
      __host_call: (): number => 0,
      __host_response(): void {},
      __host_response_len: (): number => 0,
      __host_error(): void {},
      __host_error_len: (): number => 0,
      __console_log(): void {},
    },
  };
  const instance = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(policyWasm())), imports);
  memory = instance.exports.memory as WebAssembly.Memory;
  const guestCall = instance.exports.__guest_call as (operationLen: number, payloadLen: number) => number;
  const ok = guestCall(operationBytes.length, payloadBytes.length) === 1;
  return { ok, text: answer };
}
