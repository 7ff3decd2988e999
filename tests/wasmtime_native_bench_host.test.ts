// The native host that `make bench` measures wasmtime with (host/wasmtime/native/bench_host.c)
// must run the policy as the other hosts do: for each scenario its answer, on wasmtime in both
// configurations, is byte for byte V8's through host/wapc.ts with the same host-call answers.

import { nativeValidateOnce, type NativeReply } from "../host/wasmtime/native";
import type { JsonObject } from "../host/evaluator";
import { sortedJson } from "../host/sorted_json";
import { type HostCallback, WapcInstance } from "../host/wapc";
import { APP_IMAGE, benchPod, benchReplies, podRequest, POLICY_PATH, policyBytes, recordedManifest } from "./support/workloads";

// The error text bench_host.c gives for a host call it has no reply for.
const NO_REPLY = "no reply recorded for this host call";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** "response: " and the guest's response, or "error: " and its error. */
function v8Validate(request: Uint8Array, replies: readonly NativeReply[]): string {
  const host: HostCallback = (_binding, _namespace, operation, payload) => {
    const found = replies.find((r) => r.operation === operation && r.payload === decoder.decode(payload));
    return found ? { ok: true, payload: encoder.encode(found.reply) } : { ok: false, error: NO_REPLY };
  };
  const outcome = new WapcInstance(new WebAssembly.Module(policyBytes()), host).call("validate", request);
  return outcome.ok ? `response: ${decoder.decode(outcome.payload)}` : `error: ${outcome.error}`;
}

const manifestReply = (image: string, name: string): NativeReply => ({
  operation: "v1/oci_manifest",
  payload: JSON.stringify(image),
  reply: recordedManifest(name),
});
const request = (object: JsonObject, settings: JsonObject = {}): Uint8Array => encoder.encode(sortedJson({ request: object, settings }));
const pod = (image: string): JsonObject => podRequest({ containers: [{ name: "app", image }] });

const SCENARIOS: Array<{ name: string; request: Uint8Array; replies: NativeReply[]; expect: RegExp }> = [
  {
    name: "a realistic Pod whose two images declare licenses is accepted",
    request: request(benchPod()),
    replies: [...benchReplies()].map(([image, reply]) => ({ operation: "v1/oci_manifest", payload: JSON.stringify(image), reply })),
    expect: /^response: \{"accepted":true/,
  },
  {
    name: "an image without a license is rejected",
    request: request(pod(APP_IMAGE)),
    replies: [
      manifestReply(APP_IMAGE, "oci_manifest_without_license"),
      {
        operation: "v1/oci_manifest_config",
        payload: JSON.stringify(APP_IMAGE),
        reply: recordedManifest("manifest_and_config_without_license"),
      },
    ],
    expect: /^response: \{"accepted":false.*no license/,
  },
  {
    name: "a failed lookup is rejected with the host's error",
    request: request(pod(APP_IMAGE)),
    replies: [],
    expect: new RegExp(`^response: \\{"accepted":false.*${NO_REPLY}`),
  },
  {
    name: "a license kept in the config labels is found through v1/oci_manifest_config",
    request: request(pod(APP_IMAGE)),
    replies: [
      manifestReply(APP_IMAGE, "oci_manifest_without_license"),
      {
        operation: "v1/oci_manifest_config",
        payload: JSON.stringify(APP_IMAGE),
        reply: recordedManifest("manifest_and_config_with_license_label"),
      },
    ],
    expect: /^response: \{"accepted":true/,
  },
  {
    name: "a malformed request is the guest's error, not a trap",
    request: encoder.encode('{"request": {"object": ['),
    replies: [],
    expect: /^error: cannot decode validation request: unexpected end of input at byte 24$/,
  },
];

describe.each(["policy-server", "kwctl"] as const)("the native wasmtime bench host, %s configuration", (configuration) => {
  test.each(SCENARIOS)("$name: the same bytes as V8", ({ request: bytes, replies, expect: expected }) => {
    const native = nativeValidateOnce(POLICY_PATH, configuration, bytes, replies);
    const answer = native.ok ? `response: ${decoder.decode(native.response)}` : `error: ${native.error}`;
    expect(answer).toMatch(expected);
    expect(answer).toBe(v8Validate(bytes, replies));
  });
});
