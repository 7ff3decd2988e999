// waPC guest ABI: the only place that declares imports. The module imports nothing but these
// (module "wapc"); the real host links only waPC and WASI preview1 and refuses anything else.
// ABI: wapc/wapc-rs crates/wapc-guest/src/protocol.rs; __host_call returns 1 on success, 0 on error.

import { arenaBeginCall, arenaEndCall, textBuffer, uninitializedBuffer } from "./arena";
import { fail, ok, Result } from "./result";

@external("wapc", "__guest_request")
declare function __guest_request(operationPtr: usize, payloadPtr: usize): void;
@external("wapc", "__guest_response")
declare function __guest_response(ptr: usize, len: usize): void;
@external("wapc", "__guest_error")
declare function __guest_error(ptr: usize, len: usize): void;
@external("wapc", "__host_call")
declare function __host_call(
  bindingPtr: usize, bindingLen: usize,
  namespacePtr: usize, namespaceLen: usize,
  operationPtr: usize, operationLen: usize,
  payloadPtr: usize, payloadLen: usize,
): u32;
@external("wapc", "__host_response_len")
declare function __host_response_len(): usize;
@external("wapc", "__host_response")
declare function __host_response(ptr: usize): void;
@external("wapc", "__host_error_len")
declare function __host_error_len(): usize;
@external("wapc", "__host_error")
declare function __host_error(ptr: usize): void;

/** What a guest function hands back: response bytes, or an error message for __guest_error. */
export type GuestFunction = (payload: ArrayBuffer) => Result<ArrayBuffer>;

/**
 * Body of the exported `__guest_call`: reads the invocation, runs the handler chosen by
 * `route`, hands its bytes to the host. Returns 1 on success, 0 on error, as wapc-guest does.
 */
export function handleGuestCall(
  operationLen: usize,
  payloadLen: usize,
  route: (operation: string) => GuestFunction | null,
): u32 {
  // Everything this call allocates is released when it returns (see arena.ts).
  arenaBeginCall();
  // The host writes both buffers in full: no need to zero them first.
  const operationBytes = uninitializedBuffer(<i32>operationLen);
  const payload = textBuffer(<i32>payloadLen);
  __guest_request(changetype<usize>(operationBytes), changetype<usize>(payload));
  const operation = String.UTF8.decode(operationBytes);
  const handler = route(operation);
  let status: u32 = 0;
  if (handler == null) reportGuestError("No handler registered for function " + operation);
  else status = respond(handler(payload));
  // The host has copied the reply (or the error): nothing of this call is needed any more, so an
  // instance reused for many calls (kwctl) keeps a constant footprint.
  arenaEndCall();
  return status;
}

function respond(result: Result<ArrayBuffer>): u32 {
  const response = result.value;
  if (response != null) {
    __guest_response(changetype<usize>(response), <usize>response.byteLength);
    return 1;
  }
  const error = result.error;
  reportGuestError(error == null ? "guest function returned neither a response nor an error" : error);
  return 0;
}

function reportGuestError(message: string): void {
  // REPLACE: the host decodes the error with String::from_utf8 and traps on invalid UTF-8.
  const bytes = String.UTF8.encode(message, false, String.UTF8.ErrorMode.REPLACE);
  __guest_error(changetype<usize>(bytes), <usize>bytes.byteLength);
}

/**
 * Host capability names (binding, namespace, operation) are passed as pointers to length-prefixed
 * UTF-8 bytes in a data segment: `memory.data<u8>([length, ...utf8])`. kwctl annotate looks for
 * the capabilities a policy uses by searching its data segments for these byte strings and warns
 * when they differ from the metadata's `hostCapabilities`; AssemblyScript string literals are
 * UTF-16 and would never be found. It also spares encoding the names on every call.
 */
export type Utf8Name = usize;

/** The binding of every Kubewarden host capability. */
export const KUBEWARDEN_BINDING: Utf8Name = memory.data<u8>([10, 0x6b, 0x75, 0x62, 0x65, 0x77, 0x61, 0x72, 0x64, 0x65, 0x6e]);

/**
 * Calls a host capability (`binding`, `namespace`, `operation`: Utf8Name) with `payload` bytes:
 * the host's reply bytes, or its error text. Never a trap.
 */
export function hostCall(binding: Utf8Name, namespace: Utf8Name, operation: Utf8Name, payload: ArrayBuffer): Result<ArrayBuffer> {
  const status = __host_call(
    binding + 1, <usize>load<u8>(binding),
    namespace + 1, <usize>load<u8>(namespace),
    operation + 1, <usize>load<u8>(operation),
    changetype<usize>(payload), <usize>payload.byteLength,
  );
  if (status == 1) {
    const length = __host_response_len();
    const response = textBuffer(<i32>length);
    if (length > 0) __host_response(changetype<usize>(response));
    return ok(response);
  }
  const length = __host_error_len();
  const errorBytes = uninitializedBuffer(<i32>length);
  if (length > 0) __host_error(changetype<usize>(errorBytes));
  const text = length > 0 ? String.UTF8.decode(errorBytes) : "host call failed without an error message";
  return fail<ArrayBuffer>(text);
}

/**
 * Replacement for AssemblyScript's `abort` (asconfig `use: abort=…`): the real host provides no
 * `env.abort`. Reports the message through __guest_error, then traps. The policy code is written
 * so that this never runs; it is the last line of defence, not error handling.
 */
export function guestAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  let text = "policy aborted: " + (message == null ? "(no message)" : message);
  if (fileName != null) text += " at " + fileName + ":" + line.toString() + ":" + column.toString();
  reportGuestError(text);
  unreachable();
}
