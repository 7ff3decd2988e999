// bin/kwhost prints what `kwctl run` prints and fails like it on invalid settings.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readCustomSection, METADATA_SECTION } from "../host/annotate";
import { ROOT } from "./helpers/policy";

const KWHOST = join(ROOT, "bin", "kwhost");

function kwhost(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(KWHOST, args, { cwd: ROOT, input, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("kwhost run", () => {
  test("prints one AdmissionResponse line in kwctl's field order", () => {
    const { status, stdout } = kwhost(["run", "policy.wasm", "-r", "test_data/pod_with_unlicensed_image.json",
      "--replay-host-capabilities-interactions", "test_data/sessions/oci_manifest_pod_with_unlicensed_image.yml"]);
    expect(status).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(Object.keys(JSON.parse(lines[0]))).toEqual(["uid", "allowed", "status", "auditAnnotations", "warnings"]);
    // the audit annotation's value is a JSON object in a string, escaped once, as kwctl prints it
    expect(lines[0]).toContain(String.raw`,"auditAnnotations":{"licenses":"{\"ghcr.io/acme/payments:1.2.0\":\"Apache-2.0\",\"ghcr.io/acme/unlicensed:1.0\":null}"},"warnings":null}`);
    expect(JSON.parse(lines[0])).toEqual({
      uid: "1299d386-525b-4032-98ae-1949f69f9cfc",
      allowed: false,
      status: { message: 'container "worker" image "ghcr.io/acme/unlicensed:1.0": no license declared (no "org.opencontainers.image.licenses" annotation or config label)' },
      auditAnnotations: { licenses: '{"ghcr.io/acme/payments:1.2.0":"Apache-2.0","ghcr.io/acme/unlicensed:1.0":null}' },
      warnings: null,
    });
  });

  test("invalid settings: nothing on stdout, kwctl's error line and exit 1", () => {
    const { status, stdout, stderr } = kwhost(["run", "policy.wasm", "-r", "test_data/pod_with_licensed_image.json", "--settings-json", '{"bogus": 1}',
      "--replay-host-capabilities-interactions", "test_data/sessions/oci_manifest_pod_with_licensed_image.yml"]);
    expect(status).toBe(1);
    expect(stdout).toBe("");
    expect(stderr.trim()).toBe('Error: Provided settings are not valid: "bogus: unknown setting (known: licenses, annotations, platforms, config, exemptImages, onLookupError, enforcement, pinDigest, auditLicenses)"');
  });

  test("settings from a YAML file", () => {
    const dir = mkdtempSync(join(tmpdir(), "kwhost-"));
    writeFileSync(join(dir, "settings.yaml"), "unknownKey:\n  - 1\n");
    const { status, stderr } = kwhost(["run", "policy.wasm", "-r", "test_data/pod_with_licensed_image.json", "-s", join(dir, "settings.yaml"),
      "--replay-host-capabilities-interactions", "test_data/sessions/oci_manifest_pod_with_licensed_image.yml"]);
    expect(status).toBe(1);
    expect(stderr).toContain("unknownKey: unknown setting");
  });

  test("the policy may be a file:// URI; remote URIs are refused with a hint", () => {
    const args = ["-r", "test_data/pod_with_licensed_image.json", "--replay-host-capabilities-interactions", "test_data/sessions/oci_manifest_pod_with_licensed_image.yml"];
    const local = kwhost(["run", `file://${join(ROOT, "policy.wasm")}`, ...args]);
    expect(local.status).toBe(0);
    expect(JSON.parse(local.stdout).allowed).toBe(true);
    const remote = kwhost(["run", "registry://ghcr.io/acme/policies/image-metadata:v0.1.0", ...args]);
    expect(remote.status).toBe(1);
    expect(remote.stderr).toContain("kwctl pull");
  });

  test("--settings-path wins over --settings-json, which must be JSON", () => {
    const dir = mkdtempSync(join(tmpdir(), "kwhost-"));
    writeFileSync(join(dir, "settings.yaml"), "licenses:\n  unlisted: osi\n");
    const replay = ["--replay-host-capabilities-interactions", "test_data/sessions/oci_manifest_pod_with_licensed_image.yml"];
    const both = kwhost(["run", "policy.wasm", "-r", "test_data/pod_with_licensed_image.json", "-s", join(dir, "settings.yaml"), "--settings-json", "{}", ...replay]);
    expect(both.status).toBe(1);
    expect(both.stderr).toContain("licenses.unlisted");
    const yaml = kwhost(["run", "policy.wasm", "-r", "test_data/pod_with_licensed_image.json", "--settings-json", "licenses: {unlisted: any}", ...replay]);
    expect(yaml.status).toBe(1);
    expect(yaml.stderr).toMatch(/^Error: Cannot parse settings JSON: /);
  });

  test("record and replay cannot be combined", () => {
    const { status, stderr } = kwhost(["run", "policy.wasm", "-r", "test_data/pod_with_licensed_image.json",
      "--replay-host-capabilities-interactions", "a.yml", "--record-host-capabilities-interactions", "b.yml"]);
    expect(status).toBe(1);
    expect(stderr).toContain("cannot be used together");
  });
});

describe("kwhost annotate", () => {
  test("writes the metadata, with protocolVersion from the policy, into io.kubewarden.metadata", () => {
    const out = join(mkdtempSync(join(tmpdir(), "kwhost-")), "annotated.wasm");
    const { status, stderr } = kwhost(["annotate", "-m", "policy-metadata.yml", "-u", "README.md", "-o", out, "policy.wasm"]);
    expect(stderr).toBe("");
    expect(status).toBe(0);
    const wasm = readFileSync(out);
    const metadata = JSON.parse(readCustomSection(wasm, METADATA_SECTION)!.toString("utf8"));
    expect(metadata.protocolVersion).toBe("v1");
    expect(metadata.executionMode).toBe("kubewarden-wapc");
    expect(metadata.annotations["io.kubewarden.policy.usage"]).toBe(readFileSync(join(ROOT, "README.md"), "utf8"));
    expect(metadata.hostCapabilities).toContain("oci/v1/oci_manifest");
    // The annotated module still loads and keeps its exports.
    expect(WebAssembly.Module.exports(new WebAssembly.Module(wasm)).map((e) => e.name).sort()).toEqual(["__guest_call", "_start", "memory"]);
  });
});
