// bin/kwhost prints what `kwctl run` prints and fails like it on invalid settings.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readCustomSection, METADATA_SECTION } from "../host/annotate";
import { ROOT } from "./support/workloads";

const KWHOST = join(ROOT, "bin", "kwhost");
/** A request and the replay session recorded for it: licensed images, then one unlicensed. */
const LICENSED_REQUEST = ["-r", "test_data/pod_with_licensed_image.json"];
const LICENSED_SESSION = ["--replay-host-capabilities-interactions", "test_data/sessions/oci_manifest_pod_with_licensed_image.yml"];
const LICENSED_REPLAY = [...LICENSED_REQUEST, ...LICENSED_SESSION];
const UNLICENSED_REPLAY = [
  "-r",
  "test_data/pod_with_unlicensed_image.json",
  "--replay-host-capabilities-interactions",
  "test_data/sessions/oci_manifest_pod_with_unlicensed_image.yml",
];

function kwhost(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(KWHOST, args, { cwd: ROOT, input, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Exit 1, nothing on stdout and exactly `stderr`. */
function expectFailure(result: ReturnType<typeof kwhost>, stderr: string): void {
  expect(result.status).toBe(1);
  expect(result.stdout).toBe("");
  expect(result.stderr).toBe(stderr);
}

/** `kwhost run policy.wasm -r <the licensed pod> ...args`. */
function runOnLicensedPod(args: string[]): ReturnType<typeof kwhost> {
  return kwhost(["run", "policy.wasm", ...LICENSED_REQUEST, ...args]);
}

describe("kwhost run", () => {
  test("prints one AdmissionResponse line in kwctl's field order", () => {
    const { status, stdout } = kwhost(["run", "policy.wasm", ...UNLICENSED_REPLAY]);
    expect(status).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(Object.keys(JSON.parse(lines[0]))).toEqual(["uid", "allowed", "status", "auditAnnotations", "warnings"]);
    // the audit annotation's value is a JSON object in a string, escaped once, as kwctl prints it
    expect(lines[0]).toContain(
      String.raw`,"auditAnnotations":{"licenses":"{\"ghcr.io/acme/payments:1.2.0\":\"Apache-2.0\",\"ghcr.io/acme/unlicensed:1.0\":null}"},"warnings":null}`,
    );
    expect(JSON.parse(lines[0])).toEqual({
      uid: "1299d386-525b-4032-98ae-1949f69f9cfc",
      allowed: false,
      status: {
        message:
          'container "worker" image "ghcr.io/acme/unlicensed:1.0": no license declared (no "org.opencontainers.image.licenses" annotation or config label)',
      },
      auditAnnotations: { licenses: '{"ghcr.io/acme/payments:1.2.0":"Apache-2.0","ghcr.io/acme/unlicensed:1.0":null}' },
      warnings: null,
    });
  });

  test("invalid settings: nothing on stdout, kwctl's error line and exit 1", () => {
    const { status, stdout, stderr } = runOnLicensedPod(["--settings-json", '{"bogus": 1}', ...LICENSED_SESSION]);
    expect(status).toBe(1);
    expect(stdout).toBe("");
    expect(stderr.trim()).toBe(
      'Error: Provided settings are not valid: "bogus: unknown setting (known: licenses, annotations, platforms, config, exemptImages, onLookupError, enforcement, pinDigest, auditLicenses)"',
    );
  });

  test("settings from a YAML file", () => {
    const dir = mkdtempSync(join(tmpdir(), "kwhost-"));
    writeFileSync(join(dir, "settings.yaml"), "unknownKey:\n  - 1\n");
    const { status, stderr } = runOnLicensedPod(["-s", join(dir, "settings.yaml"), ...LICENSED_SESSION]);
    expect(status).toBe(1);
    expect(stderr).toContain("unknownKey: unknown setting");
  });

  test("the policy may be a file:// URI; remote URIs are refused with a hint", () => {
    const args = [...LICENSED_REPLAY];
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
    const both = runOnLicensedPod(["-s", join(dir, "settings.yaml"), "--settings-json", "{}", ...LICENSED_SESSION]);
    expect(both.status).toBe(1);
    expect(both.stderr).toContain("licenses.unlisted");
    const yaml = runOnLicensedPod(["--settings-json", "licenses: {unlisted: any}", ...LICENSED_SESSION]);
    expect(yaml.status).toBe(1);
    expect(yaml.stderr).toMatch(/^Error: Cannot parse settings JSON: /);
  });

  test("record and replay cannot be combined", () => {
    const { status, stderr } = runOnLicensedPod([
      "--replay-host-capabilities-interactions",
      "a.yml",
      "--record-host-capabilities-interactions",
      "b.yml",
    ]);
    expect(status).toBe(1);
    expect(stderr).toContain("cannot be used together");
  });
});

describe("kwhost --engine", () => {
  const example = [...UNLICENSED_REPLAY];

  test("run prints the same on wasmtime, in kwctl's and policy-server's configurations, as on V8", () => {
    const v8 = kwhost(["run", "policy.wasm", ...example]);
    expect(v8.status).toBe(0);
    expect(v8.stdout).toContain('"allowed":false');
    expect(kwhost(["run", "policy.wasm", "--engine", "wasmtime", ...example])).toEqual(v8);
    expect(kwhost(["run", "policy.wasm", "--engine", "wasmtime", "--fresh-instance", ...example])).toEqual(v8);
  });

  test("bench runs on wasmtime and counts the same host calls", () => {
    const bench = (engine: string[]) =>
      kwhost(["bench", "policy.wasm", ...engine, "--num-samples", "3", "--warm-up-time", "0.1", ...example]);
    const figures = (stdout: string) => stdout.split("\n").slice(1).join("\n");
    const v8 = bench([]);
    const wasmtime = bench(["--engine", "wasmtime", "--fresh-instance"]);
    expect(wasmtime.status).toBe(0);
    expect(wasmtime.stdout).toMatch(/^validate +time: +\[/);
    expect(figures(v8.stdout)).toMatch(/samples: 3, host calls per evaluation: [1-9]/);
    expect(figures(wasmtime.stdout)).toBe(figures(v8.stdout));
  });

  test("an unknown engine is refused, naming the choices", () => {
    const result = kwhost(["run", "policy.wasm", "--engine", "spidermonkey", ...example]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("Allowed choices are v8, wasmtime");
  });
});

describe("kwhost bench", () => {
  const replay = [...LICENSED_REPLAY];

  test("--warm-up-time 0 is allowed: no warm-up, the samples are measured", () => {
    const { status, stdout, stderr } = kwhost(["bench", "policy.wasm", ...replay, "--warm-up-time", "0", "--num-samples", "2"]);
    expect(stderr).toBe("");
    expect(status).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^validate {16}time: {3}\[\S+ (µs|ms) \S+ (µs|ms) \S+ (µs|ms)\]$/);
    expect(lines[1]).toBe("                        samples: 2, host calls per evaluation: 1");
  });

  test.each([
    [["--warm-up-time", "-1"], 'Error: --warm-up-time must be a number of seconds, 0 or more, got "-1"'],
    [["--warm-up-time", ""], 'Error: --warm-up-time must be a number of seconds, 0 or more, got ""'],
    [["--num-samples", "0"], 'Error: --num-samples must be a positive integer, got "0"'],
    [["--num-samples", "2.5"], 'Error: --num-samples must be a positive integer, got "2.5"'],
  ])("%j is refused, naming the flag", (flags, message) => {
    const { status, stdout, stderr } = kwhost(["bench", "policy.wasm", ...replay, ...flags]);
    expect(status).toBe(1);
    expect(stdout).toBe("");
    expect(stderr.trim()).toBe(message);
  });
});

describe("kwhost errors name the file", () => {
  test("a missing or unreadable --sources-path", () => {
    const missing = runOnLicensedPod(["--sources-path", "/nonexistent/sources.yaml"]);
    expectFailure(missing, "Error: Cannot read sources file /nonexistent/sources.yaml: No such file or directory (os error 2)\n");
    const dir = mkdtempSync(join(tmpdir(), "kwhost-"));
    const directory = runOnLicensedPod(["--sources-path", dir]);
    expect(directory.stderr).toBe(`Error: Cannot read sources file ${dir}: Is a directory (os error 21)\n`);
  });

  test("a missing --docker-config-json-path, and one without config.json", () => {
    const missing = runOnLicensedPod(["--docker-config-json-path", "/nonexistent/docker"]);
    expectFailure(missing, "Error: --docker-config-json-path /nonexistent/docker: no such directory\n");
    const dir = mkdtempSync(join(tmpdir(), "kwhost-"));
    const empty = runOnLicensedPod(["--docker-config-json-path", dir]);
    expect(empty.stderr).toBe(`Error: --docker-config-json-path ${dir}: ${join(dir, "config.json")} does not exist\n`);
    writeFileSync(join(dir, "config.json"), "{not json");
    const broken = runOnLicensedPod(["--docker-config-json-path", dir]);
    expect(broken.stderr).toMatch(new RegExp(`^Error: --docker-config-json-path ${dir}: ${join(dir, "config.json")} is not valid JSON: `));
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
    expect(
      WebAssembly.Module.exports(new WebAssembly.Module(wasm))
        .map((e) => e.name)
        .sort(),
    ).toEqual(["__guest_call", "_start", "memory"]);
  });
});
