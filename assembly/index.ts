// Entry points of policy.wasm. The host calls `__guest_call` with one of the operations below.

import { GuestFunction, GuestResult, handleGuestCall } from "./sdk/wapc";
import {
  protocolVersionResponse, readValidationRequest, SettingsValidationResponse,
} from "./sdk/protocol";
import { parseJson } from "./sdk/json/reader";
import { readSettings } from "./policy/settings";
import { validateRequest } from "./policy/validate";

export function __guest_call(operationLen: usize, payloadLen: usize): u32 {
  return handleGuestCall(operationLen, payloadLen, route);
}

function route(operation: string): GuestFunction | null {
  if (operation == "validate") return validate;
  if (operation == "validate_settings") return validateSettings;
  if (operation == "protocol_version") return protocolVersion;
  return null;
}

function protocolVersion(payload: ArrayBuffer): GuestResult {
  return GuestResult.ok(protocolVersionResponse());
}

function validate(payload: ArrayBuffer): GuestResult {
  const read = readValidationRequest(payload);
  const request = read.value;
  if (request == null) return GuestResult.fail(read.error!);
  const settings = readSettings(request.settings);
  if (settings.settings == null) return GuestResult.fail("invalid settings: " + settings.error!);
  return GuestResult.ok(validateRequest(request.request, settings.settings!).toJson());
}

function validateSettings(payload: ArrayBuffer): GuestResult {
  const parsed = parseJson(payload);
  const root = parsed.value;
  if (root == null) return GuestResult.ok(SettingsValidationResponse.reject("settings: not valid JSON: " + parsed.error!).toJson());
  const settings = readSettings(root);
  if (settings.settings == null) return GuestResult.ok(SettingsValidationResponse.reject(settings.error!).toJson());
  return GuestResult.ok(SettingsValidationResponse.accept().toJson());
}
