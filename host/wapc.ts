// A waPC host for Node, following wapc-rs semantics (crates/wapc, crates/wasmtime-provider):
// only the `wapc` imports and WASI preview1 are linked; `_start` then `wapc_init` run after
// instantiation when exported; `__guest_call` returning 0 is a failure, anything else success;
// a trap becomes the guest error; host-call callbacks run synchronously.
//
// Hand-written because no maintained npm waPC host exists for Node (wapc-host on npm is
// unmaintained since 2021 and lacks trap/error semantics of wapc-rs).

import type { WASI as WasiType } from "node:wasi";

/** What a host callback answers: reply bytes, or an error string (the guest gets return code 0). */
export type HostCallOutcome = { ok: true; payload: Uint8Array } | { ok: false; error: string };

export type HostCallback = (binding: string, namespace: string, operation: string, payload: Uint8Array) => HostCallOutcome;

/**
 * A guest call's result: the response, or the `GuestCallFailure` message; `trapped` when the
 * engine aborted the call (a trap, or an exception in a host function) rather than the guest
 * answering with `__guest_error`.
 */
export type GuestCallOutcome = { ok: true; payload: Uint8Array } | { ok: false; error: string; trapped?: boolean };

/** An instantiated guest, whichever engine runs it (this file: V8; host/wasmtime/engine.ts: wasmtime). */
export interface GuestInstance {
  call(operation: string, payload: Uint8Array): GuestCallOutcome;
  /** number of `__host_call`s made since creation */
  readonly hostCalls: number;
  /** linear memory size in bytes (after the last call) */
  readonly memoryBytes: number;
  /** frees what the engine holds for the instance */
  dispose(): void;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

/**
 * A WASI context with no args, env or preopens, like wasmtime-provider's. node:wasi is loaded only
 * for a module that imports WASI (this policy imports none): loading it prints an
 * ExperimentalWarning that kwctl never prints.
 */
function newWasi(): WasiType {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { WASI } = require("node:wasi") as typeof import("node:wasi");
  return new WASI({ version: "preview1", args: [], env: {}, returnOnExit: true });
}

export class WapcInstance implements GuestInstance {
  private readonly instance: WebAssembly.Instance;
  private readonly memory: WebAssembly.Memory;
  private invocation: { operation: Uint8Array; payload: Uint8Array } | null = null;
  private guestResponse: Uint8Array | null = null;
  private guestError: string | null = null;
  private hostResponse: Uint8Array | null = null;
  private hostError: Uint8Array | null = null;
  /** number of `__host_call`s made since creation */
  hostCalls = 0;

  constructor(
    module: WebAssembly.Module,
    private readonly hostCallback: HostCallback,
  ) {
    const imports: WebAssembly.Imports = { wapc: this.wapcImports() };
    if (WebAssembly.Module.imports(module).some((entry) => entry.module === "wasi_snapshot_preview1")) {
      imports.wasi_snapshot_preview1 = newWasi().wasiImport as WebAssembly.ModuleImports;
    }
    // Instantiation fails (LinkError) for any other import, as with the real host.
    this.instance = new WebAssembly.Instance(module, imports);
    const memory = this.instance.exports.memory;
    if (!(memory instanceof WebAssembly.Memory)) throw new Error("Cannot find 'mem' export");
    this.memory = memory;
    if (typeof this.instance.exports.__guest_call !== "function")
      throw new Error("guest call function (__guest_call) not exported by wasm module");
    for (const start of ["_start", "wapc_init"]) {
      const fn = this.instance.exports[start];
      if (typeof fn === "function") (fn as () => void)();
    }
  }

  /** Linear memory size in bytes. */
  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** V8's garbage collector frees the instance. */
  dispose(): void {}

  call(operation: string, payload: Uint8Array): GuestCallOutcome {
    this.guestResponse = null;
    this.guestError = null;
    this.hostResponse = null;
    this.hostError = null;
    const operationBytes = encoder.encode(operation);
    this.invocation = { operation: operationBytes, payload };
    let result: number;
    let trapped = false;
    try {
      const guestCall = this.instance.exports.__guest_call as (opLen: number, msgLen: number) => number;
      result = guestCall(operationBytes.length, payload.length);
    } catch (err) {
      // wasmtime-provider: a trap is reported as the guest error with result 0.
      this.guestError = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      trapped = true;
      result = 0;
    } finally {
      this.invocation = null;
    }
    if (result === 0) {
      const error = this.guestError ?? "No error message set for call failure";
      return trapped ? { ok: false, error, trapped } : { ok: false, error };
    }
    if (this.guestResponse !== null) return { ok: true, payload: this.guestResponse };
    return { ok: false, error: this.guestError ?? "No error message OR response set for call success" };
  }

  // Pointers and lengths are wasm i32s, unsigned in meaning: `>>> 0` keeps addresses past 2 GiB valid.
  // A fresh view each time: memory.grow detaches earlier views.
  private view(ptr: number, len: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, ptr >>> 0, len >>> 0);
  }

  /** A copy of guest memory, safe to keep after the guest runs again. */
  private bytes(ptr: number, len: number): Uint8Array {
    return this.view(ptr, len).slice();
  }

  /** UTF-8 text from guest memory (decoding copies, so no intermediate copy is made). */
  private text(ptr: number, len: number): string {
    return utf8.decode(this.view(ptr, len));
  }

  private write(ptr: number, data: Uint8Array): void {
    new Uint8Array(this.memory.buffer, ptr >>> 0, data.length).set(data);
  }

  private wapcImports(): WebAssembly.ModuleImports {
    return {
      __guest_request: (operationPtr: number, payloadPtr: number): void => {
        const invocation = this.invocation;
        if (invocation === null) return;
        this.write(payloadPtr, invocation.payload);
        this.write(operationPtr, invocation.operation);
      },
      __guest_response: (ptr: number, len: number): void => {
        this.guestResponse = this.bytes(ptr, len);
      },
      __guest_error: (ptr: number, len: number): void => {
        // wapc-rs: String::from_utf8 — invalid UTF-8 is a trap.
        this.guestError = this.text(ptr, len);
      },
      __host_call: (
        bindingPtr: number,
        bindingLen: number,
        namespacePtr: number,
        namespaceLen: number,
        operationPtr: number,
        operationLen: number,
        payloadPtr: number,
        payloadLen: number,
      ): number => {
        this.hostCalls++;
        this.hostResponse = null;
        this.hostError = null;
        const binding = this.text(bindingPtr, bindingLen);
        const namespace = this.text(namespacePtr, namespaceLen);
        const operation = this.text(operationPtr, operationLen);
        const payload = this.bytes(payloadPtr, payloadLen);
        const outcome = this.hostCallback(binding, namespace, operation, payload);
        if (outcome.ok) {
          this.hostResponse = outcome.payload;
          return 1;
        }
        this.hostError = encoder.encode(outcome.error);
        return 0;
      },
      __host_response_len: (): number => this.hostResponse?.length ?? 0,
      __host_response: (ptr: number): void => {
        if (this.hostResponse !== null) this.write(ptr, this.hostResponse);
      },
      __host_error_len: (): number => this.hostError?.length ?? 0,
      __host_error: (ptr: number): void => {
        if (this.hostError !== null) this.write(ptr, this.hostError);
      },
      __console_log: (ptr: number, len: number): void => {
        process.stderr.write(`Guest module: ${this.text(ptr, len)}\n`);
      },
    };
  }
}
