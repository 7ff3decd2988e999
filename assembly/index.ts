// Entry points of policy.wasm. The host calls `__guest_call` with one of the operations below.

import "./sdk/literals";
import { GuestFunction, handleGuestCall } from "./sdk/wapc";
import {
  protocolVersionResponse, readSettingsPayload, readValidationRequest, SettingsValidationResponse,
} from "./sdk/protocol";
import { fail, ok, Result } from "./sdk/result";
import { readSettings, Settings, SETTINGS_WORDING } from "./policy/settings";
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

function protocolVersion(payload: ArrayBuffer): Result<ArrayBuffer> {
  return ok(protocolVersionResponse());
}

function validate(payload: ArrayBuffer): Result<ArrayBuffer> {
  const read = readValidationRequest(payload);
  const request = read.value;
  if (request == null) return fail<ArrayBuffer>(read.error!);
  const document = request.settings(SETTINGS_WORDING);
  const settings = document.ok ? readSettings(document.value) : fail<Settings>(document.error!);
  if (!settings.ok) return fail<ArrayBuffer>("invalid settings: " + settings.error!);
  return ok(validateRequest(request, settings.value!).toJson());
}

function validateSettings(payload: ArrayBuffer): Result<ArrayBuffer> {
  const document = readSettingsPayload(payload, SETTINGS_WORDING);
  const settings = document.ok ? readSettings(document.value) : fail<Settings>(document.error!);
  const response = settings.ok ? SettingsValidationResponse.accept() : SettingsValidationResponse.reject(settings.error!);
  return ok(response.toJson());
}
