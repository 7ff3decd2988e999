// Kubewarden's guest protocol: what `validate` receives and what `validate` / `validate_settings`
// answer. Wire names follow policy-sdk-rust src/response.rs and src/settings.rs (snake_case).

import { JsonValue, parseJson } from "./json/reader";
import { JsonWriter } from "./json/writer";
import { FieldReader, Wording } from "./fields";
import { readWorkload, Workload } from "./kubernetes";
import { fail, ok, Result } from "./result";

/** `{"request": <AdmissionRequest>, "settings": {…}}`, as policy-evaluator builds it. */
export class ValidationRequest {
  constructor(
    private request: JsonValue,
    private settingsValue: JsonValue,
  ) {}

  /** The workload the admission request is about (see readWorkload). */
  workload(): Result<Workload | null> {
    return readWorkload(this.request);
  }

  /** The settings object, read with the policy's `wording` (see settingsFields). */
  settings(wording: Wording): Result<FieldReader | null> {
    return settingsFields(this.settingsValue, wording);
  }
}

/** Reads the `validate` payload; a malformed one is an error value naming what is wrong. */
export function readValidationRequest(payload: ArrayBuffer): Result<ValidationRequest> {
  const parsed = parseJson(payload);
  const root = parsed.value;
  if (root == null) return fail<ValidationRequest>("cannot decode validation request: " + parsed.error!);
  if (!root.isObject) return fail<ValidationRequest>("cannot decode validation request: not a JSON object");
  const request = root.get("request");
  if (request == null || !request.isObject) {
    return fail<ValidationRequest>("cannot decode validation request: \"request\" is missing or not an object");
  }
  let settings = root.get("settings");
  if (settings == null || settings.isNull) {
    // policy-evaluator always sends an object; treat an absent one as {}.
    settings = parseJson(String.UTF8.encode("{}")).value!;
  }
  return ok(new ValidationRequest(request, settings));
}

/**
 * A settings document: null when it is JSON null (policy-evaluator's PolicySettings takes that
 * for "no settings": the defaults), else a reader of the object; anything else is an error.
 */
function settingsFields(value: JsonValue, wording: Wording): Result<FieldReader | null> {
  if (value.isNull) return ok<FieldReader | null>(null);
  if (!value.isObject) return fail<FieldReader | null>("settings" + wording.separator + wording.notObject);
  return ok<FieldReader | null>(FieldReader.of(value, "", wording));
}

/** Reads the `validate_settings` payload (the settings document itself). */
export function readSettingsPayload(payload: ArrayBuffer, wording: Wording): Result<FieldReader | null> {
  const parsed = parseJson(payload);
  const root = parsed.value;
  if (root == null) return fail<FieldReader | null>("settings" + wording.separator + "not valid JSON: " + parsed.error!);
  return settingsFields(root, wording);
}

/** A JSON object of string (or null) values with sorted keys, as text: an audit annotation's value. */
export function jsonObjectText(entries: Map<string, string | null>): string {
  return new JsonWriter(64).sortedObject(entries).toString();
}

export class ValidationResponse {
  accepted: bool = true;
  message: string | null = null;
  code: i32 = 0;
  /** the whole mutated object as JSON text, or null when the policy does not mutate */
  mutatedObject: string | null = null;
  /** written with sorted keys */
  auditAnnotations: Map<string, string> | null = null;
  warnings: string[] | null = null;

  static accept(): ValidationResponse {
    return new ValidationResponse();
  }

  static reject(message: string, code: i32 = 0): ValidationResponse {
    const r = new ValidationResponse();
    r.accepted = false;
    r.message = message;
    r.code = code;
    return r;
  }

  toJson(): ArrayBuffer {
    const w = new JsonWriter(256);
    w.beginObject();
    w.key("accepted").bool(this.accepted).optionalString("message", this.message);
    if (this.code > 0 && this.code <= 0xffff) w.key("code").integer(this.code);
    const mutated = this.mutatedObject;
    if (mutated != null) w.key("mutated_object").raw(mutated);
    const annotations = this.auditAnnotations;
    if (annotations != null) w.key("audit_annotations").sortedObject(annotations);
    const warnings = this.warnings;
    if (warnings != null) {
      w.key("warnings").beginArray();
      for (let i = 0; i < warnings.length; i++) w.string(warnings[i]);
      w.endArray();
    }
    w.endObject();
    return w.toBytes();
  }
}

export class SettingsValidationResponse {
  constructor(
    public valid: bool,
    public message: string | null = null,
  ) {}

  static accept(): SettingsValidationResponse {
    return new SettingsValidationResponse(true);
  }

  static reject(message: string): SettingsValidationResponse {
    return new SettingsValidationResponse(false, message);
  }

  toJson(): ArrayBuffer {
    return new JsonWriter(64).beginObject().key("valid").bool(this.valid).optionalString("message", this.message).endObject().toBytes();
  }
}

/** The `protocol_version` answer: the JSON string "v1" (policy-sdk-rust ProtocolVersion::V1). */
export function protocolVersionResponse(): ArrayBuffer {
  return String.UTF8.encode('"v1"');
}
