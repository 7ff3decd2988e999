// A second, minimal waPC host written straight from wapc-rs and policy-evaluator
// (https://github.com/wapc/wapc-rs, https://github.com/kubewarden/kubewarden-controller), sharing no code
// with host/: no WASI at all, a fresh instance for every call (policy-server), strict FIFO replay
// of the kwctl session files, its own ValidationResponse check. Every bundled scenario must give
// the same verdict and message through it as through kwhost, so the policy does not lean on
// anything peculiar to this repo's host.

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { policyWasm, ROOT } from "./support/workloads";

type Exchange = { request: string; response: { type: string; payload?: string; message?: string } };

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sorted((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** Runs one waPC operation on a new instance; host calls are answered from `session` in order. */
function guestCall(module: WebAssembly.Module, operation: string, payload: Buffer, session: Exchange[]): { ok: boolean; text: string } {
  // assigned once the instance exists; the import closures below read it after that
  // eslint-disable-next-line prefer-const
  let memory!: WebAssembly.Memory;
  const mem = () => new Uint8Array(memory.buffer);
  const read = (ptr: number, len: number) => Buffer.from(mem().subarray(ptr >>> 0, (ptr >>> 0) + (len >>> 0)));
  const op = Buffer.from(operation);
  let response: Buffer | null = null;
  let error: Buffer | null = null;
  let hostResponse = Buffer.alloc(0);
  let hostError = Buffer.alloc(0);
  const wapc = {
    __guest_request: (opPtr: number, ptr: number) => {
      mem().set(payload, ptr);
      mem().set(op, opPtr);
    },
    __guest_response: (ptr: number, len: number) => {
      response = read(ptr, len);
    },
    __guest_error: (ptr: number, len: number) => {
      error = read(ptr, len);
    },
    __host_call: (bp: number, bl: number, np: number, nl: number, op2: number, ol: number, pp: number, pl: number) => {
      const [binding, namespace, name] = [read(bp, bl), read(np, nl), read(op2, ol)].map(String);
      const image = JSON.parse(read(pp, pl).toString()) as string;
      const tag = {
        "v1/oci_manifest": "OciManifest",
        "v1/manifest_digest": "OciManifestDigest",
        "v1/oci_manifest_config": "OciManifestAndConfig",
      }[name];
      const next = session.shift();
      const expected =
        next === undefined ? null : (parse(next.request.replace(/^!(\w+)\n/, "tag: $1\n")) as { tag: string; image: string });
      if (binding !== "kubewarden" || namespace !== "oci" || next === undefined || expected?.tag !== tag || expected?.image !== image) {
        hostError = Buffer.from(`Callback evaluation failure: unexpected request ${namespace}/${name} ${image}`);
        return 0;
      }
      if (next.response.type === "Success") {
        hostResponse = Buffer.from(next.response.payload!);
        return 1;
      }
      hostError = Buffer.from(`Callback evaluation failure: ${next.response.message}`);
      return 0;
    },
    __host_response_len: () => hostResponse.length,
    __host_response: (ptr: number) => mem().set(hostResponse, ptr),
    __host_error_len: () => hostError.length,
    __host_error: (ptr: number) => mem().set(hostError, ptr),
    __console_log: () => {},
  };
  const instance = new WebAssembly.Instance(module, { wapc });
  memory = instance.exports.memory as WebAssembly.Memory;
  // wapc-rs REQUIRED_STARTS: `_start`, then `wapc_init`, when exported
  for (const start of ["_start", "wapc_init"]) (instance.exports[start] as (() => void) | undefined)?.();
  const status = (instance.exports.__guest_call as (a: number, b: number) => number)(op.length, payload.length);
  const out: Buffer | null = status !== 0 ? response : error;
  return { ok: status !== 0 && response !== null, text: out === null ? "" : new TextDecoder("utf-8", { fatal: true }).decode(out) };
}

const policyModule = new WebAssembly.Module(new Uint8Array(policyWasm()));
// The bundled scenarios: request, session, settings (as the bats tests use them).
const scenarios: Array<[string, string, string | null]> = [
  ["pod_with_unlicensed_image.json", "oci_manifest_pod_with_unlicensed_image.yml", null],
  ["pod_with_licensed_image.json", "oci_manifest_pod_with_licensed_image.yml", null],
  ["pod_with_licensed_image.json", "oci_manifest_lookup_error.yml", null],
  ["pod_with_licensed_image.json", "oci_manifest_lookup_error.yml", "accept_lookup_errors.yaml"],
  ["pod_with_licensed_image.json", "oci_manifest_pin_digest.yml", "pin_digest.yaml"],
  ["pod_with_sspl_image.json", "oci_manifest_sspl_image.yml", null],
  ["pod_with_sspl_image.json", "oci_manifest_sspl_image.yml", "strict_allow_list.yaml"],
  ["pod_with_dual_licensed_image.json", "oci_manifest_dual_licensed_image.yml", null],
  ["pod_with_multiarch_image.json", "oci_manifest_multiarch_image.yml", null],
  ["pod_with_multiarch_image.json", "oci_manifest_multiarch_image.yml", "multiarch_platforms.yaml"],
  ["pod_with_license_label_image.json", "oci_manifest_license_label_image.yml", "deny_gpl.yaml"],
  ["pod_with_root_image.json", "oci_manifest_root_image.yml", "root_and_secrets.yaml"],
  ["pod_with_root_image.json", "oci_manifest_root_image.yml", "warn_only.yaml"],
  ["pod_with_amd64_only_image.json", "oci_manifest_amd64_only_image.yml", "multiarch_platforms.yaml"],
  ["pod_with_exempt_image.json", "oci_manifest_pod_with_licensed_image.yml", "exempt_docker_library.yaml"],
  ["pod_with_unlicensed_image_volume.json", "oci_manifest_unlicensed_image_volume.yml", null],
  ["deployment_with_unlicensed_image_volume.json", "oci_manifest_unlicensed_image_volume.yml", null],
  ["cronjob_with_unlicensed_image_volume.json", "oci_manifest_unlicensed_image_volume.yml", null],
  ["pod_with_artifact_volume.json", "oci_manifest_artifact_volume.yml", null],
  ["pod_with_artifact_volume.json", "oci_manifest_pin_digest_artifact_volume.yml", "pin_digest.yaml"],
  ["pod_debug_ephemeral_container.json", "oci_manifest_pod_with_unlicensed_image.yml", null],
];

describe("an independent minimal host agrees with kwhost", () => {
  test.each(scenarios)("%s with %s (settings %s)", (requestFile, sessionFile, settingsFile) => {
    const request = JSON.parse(readFileSync(join(ROOT, "test_data", requestFile), "utf8"));
    const settings =
      settingsFile === null ? {} : (parse(readFileSync(join(ROOT, "test_data", "settings", settingsFile), "utf8")) as object);
    const session = parse(readFileSync(join(ROOT, "test_data", "sessions", sessionFile), "utf8")) as Exchange[];

    const settingsReply = guestCall(policyModule, "validate_settings", Buffer.from(JSON.stringify(sorted(settings))), []);
    expect(JSON.parse(settingsReply.text)).toEqual({ valid: true });
    const reply = guestCall(policyModule, "validate", Buffer.from(JSON.stringify(sorted({ request, settings }))), session);
    expect(reply.ok).toBe(true);
    const verdict = JSON.parse(reply.text) as { accepted: boolean; message?: string; warnings?: string[]; mutated_object?: unknown };
    expect(typeof verdict.accepted).toBe("boolean");
    expect(session).toEqual([]); // every recorded exchange was asked for, in order

    const args = [
      "run",
      "policy.wasm",
      "-r",
      join("test_data", requestFile),
      "--replay-host-capabilities-interactions",
      join("test_data", "sessions", sessionFile),
    ];
    if (settingsFile !== null) args.push("-s", join("test_data", "settings", settingsFile));
    const kwhost = spawnSync(join(ROOT, "bin", "kwhost"), args, { cwd: ROOT, encoding: "utf8" });
    const admission = JSON.parse(kwhost.stdout) as {
      allowed: boolean;
      status?: { message?: string };
      warnings: string[] | null;
      patch?: string;
    };
    expect(admission.allowed).toBe(verdict.accepted);
    expect(admission.status?.message).toBe(verdict.message);
    expect(admission.warnings).toEqual(verdict.warnings ?? null);
    expect(admission.patch !== undefined).toBe(verdict.mutated_object !== undefined);
  });
});
