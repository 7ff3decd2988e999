// License evidence in the audit log (README "`auditLicenses`: the licenses in the audit log"): with
// auditLicenses (default true) every response to a request whose images were looked up carries
// audit_annotations {"licenses": "<JSON object>"}, which kwctl and policy-server print as the
// AdmissionResponse's auditAnnotations.

import type { AdmissionResponse, JsonObject } from "../host/evaluator";
import { evaluate, failure, lookups, success, validateSettings, type Fixtures } from "./support/policy";
import { imageVolume, podRequest, podSpec, recordedManifest, workloadRequest } from "./support/workloads";

const KEY = "org.opencontainers.image.licenses";
const APP = "ghcr.io/acme/payments:1.2.0";
const WORKER = "ghcr.io/acme/worker:2.0";
const UNLICENSED = "ghcr.io/acme/unlicensed:1.0";
const MODELS = "ghcr.io/acme/models:1.0";
const NO_LICENSE = 'no license declared (no "org.opencontainers.image.licenses" annotation or config label)';

/** An image manifest whose license annotation is `license` (absent when null). */
function imageWithLicense(license: string | null): string {
  const m = JSON.parse(recordedManifest("oci_manifest_with_license"));
  if (license === null) delete m.annotations[KEY];
  else m.annotations[KEY] = license;
  return JSON.stringify(m);
}

const licensed = (license: string | null) => success(imageWithLicense(license));
const noConfigLabel = success(recordedManifest("manifest_and_config_without_license"));
const unlicensedFixtures: Fixtures = { [UNLICENSED]: licensed(null), [`v1/oci_manifest_config ${UNLICENSED}`]: noConfigLabel };

/** The `licenses` audit annotation decoded, or undefined when the response has no audit annotations. */
function auditedLicenses(response: AdmissionResponse): unknown {
  const annotations = response.auditAnnotations;
  if (annotations === null) return undefined;
  expect(Object.keys(annotations)).toEqual(["licenses"]);
  return JSON.parse(annotations.licenses);
}

function pod(containers: { name: string; image: string }[], volumes?: JsonObject[]): JsonObject {
  return podRequest({ containers, volumes });
}

function deployment(options: Parameters<typeof podSpec>[0]): JsonObject {
  return workloadRequest("apps", "v1", "Deployment", "deployments", {
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "demo" } },
      template: { metadata: { labels: { app: "demo" } }, spec: podSpec(options) },
    },
  });
}

/** An index of `entries` (platform → descriptor annotations), plus an attestation entry. */
function index(entries: [string, Record<string, string> | undefined][], annotations?: Record<string, string>): string {
  const manifests: JsonObject[] = entries.map(([platform, entryAnnotations], i) => {
    const [os, architecture, variant] = platform.split("/");
    const descriptor: JsonObject = {
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      digest: `sha256:${String(i + 1).repeat(64)}`,
      size: 1611,
      platform: variant ? { architecture, os, variant } : { architecture, os },
    };
    if (entryAnnotations) descriptor.annotations = entryAnnotations;
    return descriptor;
  });
  manifests.push({
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    digest: `sha256:${"a".repeat(64)}`,
    size: 566,
    platform: { architecture: "unknown", os: "unknown" },
    annotations: { "vnd.docker.reference.digest": `sha256:${"1".repeat(64)}`, "vnd.docker.reference.type": "attestation-manifest" },
  });
  const result: JsonObject = { schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests };
  if (annotations) result.annotations = annotations;
  return JSON.stringify(result);
}

describe("the licenses annotation", () => {
  test("an accepted Pod carries its image's license, exactly as kwctl prints it", () => {
    const { response } = evaluate(pod([{ name: "app", image: APP }]), { [APP]: licensed("Apache-2.0") });
    expect(response.allowed).toBe(true);
    expect(response.auditAnnotations).toEqual({ licenses: `{"${APP}":"Apache-2.0"}` });
  });

  test("a rejected Pod carries them too: null for the image that declares none", () => {
    const { response } = evaluate(
      pod([
        { name: "app", image: APP },
        { name: "worker", image: UNLICENSED },
      ]),
      {
        [APP]: licensed("Apache-2.0"),
        ...unlicensedFixtures,
      },
    );
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toBe(`container "worker" image "${UNLICENSED}": ${NO_LICENSE}`);
    expect(response.auditAnnotations).toEqual({ licenses: `{"${APP}":"Apache-2.0","${UNLICENSED}":null}` });
  });

  test("an accepted Deployment carries the licenses of all its images (init, containers, image volumes), keys sorted", () => {
    const request = deployment({
      initContainers: [{ name: "migrate", image: WORKER }],
      containers: [
        { name: "app", image: APP },
        { name: "sidecar", image: "docker.io/acme/sidecar:3" },
      ],
      volumes: [imageVolume("models", MODELS)],
    });
    const { response } = evaluate(request, {
      [WORKER]: licensed("MIT"),
      [APP]: licensed("Apache-2.0"),
      "docker.io/acme/sidecar:3": licensed("BSD-3-Clause"),
      [MODELS]: success(recordedManifest("oci_artifact_with_license")),
    });
    expect(response.allowed).toBe(true);
    expect(response.auditAnnotations).toEqual({
      licenses: `{"docker.io/acme/sidecar:3":"BSD-3-Clause","${MODELS}":"Apache-2.0","${APP}":"Apache-2.0","${WORKER}":"MIT"}`,
    });
  });

  test("a rejected Deployment carries the licenses of all its images", () => {
    const request = deployment({
      containers: [
        { name: "app", image: APP },
        { name: "worker", image: WORKER },
      ],
    });
    const { response } = evaluate(request, { [APP]: licensed("Apache-2.0"), [WORKER]: licensed("SSPL-1.0") });
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toBe(`container "worker" image "${WORKER}": license "SSPL-1.0" is not OSI approved`);
    expect(response.auditAnnotations).toEqual({ licenses: `{"${APP}":"Apache-2.0","${WORKER}":"SSPL-1.0"}` });
  });

  test("warn mode: accepted with warnings, and the licenses recorded", () => {
    const { response } = evaluate(pod([{ name: "worker", image: WORKER }]), { [WORKER]: licensed("SSPL-1.0") }, { enforcement: "warn" });
    expect(response.allowed).toBe(true);
    expect(response.warnings).toEqual([`container "worker" image "${WORKER}": license "SSPL-1.0" is not OSI approved`]);
    expect(response.auditAnnotations).toEqual({ licenses: `{"${WORKER}":"SSPL-1.0"}` });
  });

  test("auditLicenses: false emits no audit annotations, accepted or rejected", () => {
    const accepted = evaluate(pod([{ name: "app", image: APP }]), { [APP]: licensed("Apache-2.0") }, { auditLicenses: false });
    expect(accepted.response.allowed).toBe(true);
    expect(accepted.response.auditAnnotations).toBeNull();
    const rejected = evaluate(pod([{ name: "worker", image: UNLICENSED }]), unlicensedFixtures, { auditLicenses: false });
    expect(rejected.response.allowed).toBe(false);
    expect(rejected.response.auditAnnotations).toBeNull();
  });

  test("the audit costs no host call of its own", () => {
    const withAudit = evaluate(pod([{ name: "worker", image: UNLICENSED }]), unlicensedFixtures);
    const without = evaluate(pod([{ name: "worker", image: UNLICENSED }]), unlicensedFixtures, { auditLicenses: false });
    expect(lookups(withAudit.calls)).toEqual([`v1/oci_manifest ${UNLICENSED}`, `v1/oci_manifest_config ${UNLICENSED}`]);
    expect(lookups(without.calls)).toEqual(lookups(withAudit.calls));
  });
});

describe("what an image declares", () => {
  test.each([
    ["absent", null],
    ["empty", ""],
    ["NOASSERTION", "NOASSERTION"],
    ["NONE", "NONE"],
  ])("a license annotation %s (and no config label) is null", (_what, license) => {
    const { response } = evaluate(pod([{ name: "app", image: APP }]), {
      [APP]: licensed(license),
      [`v1/oci_manifest_config ${APP}`]: noConfigLabel,
    });
    expect(response.allowed).toBe(false);
    expect(response.auditAnnotations).toEqual({ licenses: `{"${APP}":null}` });
  });

  test("the expression is recorded verbatim (case, spacing, parentheses)", () => {
    const expression = "(apache-2.0  or mit) and BSD-2-Clause";
    const { response } = evaluate(pod([{ name: "app", image: APP }]), { [APP]: licensed(expression) });
    expect(response.auditAnnotations).toEqual({ licenses: JSON.stringify({ [APP]: expression }) });
  });

  test("a license found in the config label is recorded", () => {
    const { response } = evaluate(pod([{ name: "app", image: APP }]), {
      [APP]: licensed(null),
      [`v1/oci_manifest_config ${APP}`]: success(recordedManifest("manifest_and_config_with_license_label")),
    });
    const label = JSON.parse(recordedManifest("manifest_and_config_with_license_label")).config.config.Labels[KEY];
    expect(response.allowed).toBe(true);
    expect(response.auditAnnotations).toEqual({ licenses: JSON.stringify({ [APP]: label }) });
  });

  test("an artifact volume without license annotation is null", () => {
    const { response } = evaluate(pod([{ name: "app", image: APP }], [imageVolume("models", MODELS)]), {
      [APP]: licensed("MIT"),
      [MODELS]: success(recordedManifest("oci_artifact_without_license")),
    });
    expect(response.allowed).toBe(false);
    expect(response.auditAnnotations).toEqual({ licenses: `{"${MODELS}":null,"${APP}":"MIT"}` });
  });

  test("an index that declares a license: that expression", () => {
    const image = "ghcr.io/acme/multi:1";
    const { response, calls } = evaluate(pod([{ name: "app", image }]), {
      [image]: success(
        index(
          [
            ["linux/amd64", { [KEY]: "GPL-3.0-only" }],
            ["linux/arm64/v8", undefined],
          ],
          { [KEY]: "Apache-2.0 OR MIT" },
        ),
      ),
    });
    expect(calls).toHaveLength(1);
    expect(response.auditAnnotations).toEqual({ licenses: `{"${image}":"Apache-2.0 OR MIT"}` });
  });

  test("platform images that agree: the one expression", () => {
    const image = "ghcr.io/acme/multi:1";
    const { response, calls } = evaluate(pod([{ name: "app", image }]), {
      [image]: success(
        index([
          ["linux/amd64", { [KEY]: "MIT" }],
          ["linux/arm64/v8", { [KEY]: "MIT" }],
        ]),
      ),
    });
    expect(calls).toHaveLength(1);
    expect(response.auditAnnotations).toEqual({ licenses: `{"${image}":"MIT"}` });
  });

  test("platform images that all declare none: null", () => {
    const image = "ghcr.io/acme/multi:1";
    const fixtures: Fixtures = {
      [image]: success(
        index([
          ["linux/amd64", { [KEY]: "NOASSERTION" }],
          ["linux/arm64/v8", undefined],
        ]),
      ),
    };
    for (const digit of ["1", "2"]) {
      fixtures[`ghcr.io/acme/multi@sha256:${digit.repeat(64)}`] = licensed(null);
      fixtures[`v1/oci_manifest_config ghcr.io/acme/multi@sha256:${digit.repeat(64)}`] = noConfigLabel;
    }
    const { response } = evaluate(pod([{ name: "app", image }]), fixtures);
    expect(response.allowed).toBe(false);
    expect(response.auditAnnotations).toEqual({ licenses: `{"${image}":null}` });
  });

  test("platform images that differ: per platform in index order, NONE for one that declares none", () => {
    const image = "ghcr.io/acme/multi:1";
    const armDigest = `sha256:${"2".repeat(64)}`;
    const { response } = evaluate(pod([{ name: "app", image }]), {
      [image]: success(
        index([
          ["linux/amd64", { [KEY]: "MIT" }],
          ["linux/arm64/v8", undefined],
          ["linux/s390x", { [KEY]: "Apache-2.0" }],
        ]),
      ),
      // the arm64 entry's manifest declares nothing; nor does its config
      [`ghcr.io/acme/multi@${armDigest}`]: licensed("NONE"),
      [`v1/oci_manifest_config ghcr.io/acme/multi@${armDigest}`]: noConfigLabel,
    });
    expect(response.allowed).toBe(false);
    expect(response.auditAnnotations).toEqual({
      licenses: `{"${image}":"linux/amd64: MIT; linux/arm64/v8: NONE; linux/s390x: Apache-2.0"}`,
    });
  });

  test("platforms.inspect narrows what is recorded to the judged platforms", () => {
    const image = "ghcr.io/acme/multi:1";
    const { response } = evaluate(
      pod([{ name: "app", image }]),
      {
        [image]: success(
          index([
            ["linux/amd64", { [KEY]: "MIT" }],
            ["linux/arm64/v8", { [KEY]: "Apache-2.0" }],
          ]),
        ),
      },
      { platforms: { inspect: ["linux/arm64"] } },
    );
    expect(response.auditAnnotations).toEqual({ licenses: `{"${image}":"Apache-2.0"}` });
  });
});

describe("which images are recorded", () => {
  test("one entry per distinct image, under the reference first written in the pod spec", () => {
    const { response, calls } = evaluate(
      pod([
        { name: "a", image: "nginx" },
        { name: "b", image: "docker.io/library/nginx:latest" },
        { name: "c", image: "nginx" },
      ]),
      {
        nginx: licensed("BSD-2-Clause"),
      },
    );
    expect(calls).toHaveLength(1);
    expect(response.auditAnnotations).toEqual({ licenses: '{"nginx":"BSD-2-Clause"}' });
  });

  test("exempt images and failed lookups are left out", () => {
    const { response } = evaluate(
      pod([
        { name: "pause", image: "registry.k8s.io/pause:3.10" },
        { name: "app", image: APP },
        { name: "worker", image: WORKER },
      ]),
      {
        [APP]: licensed("MIT"),
        [WORKER]: failure("registry unreachable"),
      },
      { exemptImages: ["registry.k8s.io/*"], onLookupError: "accept" },
    );
    expect(response.allowed).toBe(true);
    expect(response.auditAnnotations).toEqual({ licenses: `{"${APP}":"MIT"}` });
  });

  test("no judged image: no licenses annotation", () => {
    const exempt = evaluate(pod([{ name: "pause", image: "registry.k8s.io/pause:3.10" }]), {}, { exemptImages: ["registry.k8s.io/*"] });
    expect(exempt.response.allowed).toBe(true);
    expect(exempt.response.auditAnnotations).toBeNull();
    const failed = evaluate(pod([{ name: "worker", image: WORKER }]), { [WORKER]: failure("registry unreachable") });
    expect(failed.response.allowed).toBe(false);
    expect(failed.response.auditAnnotations).toBeNull();
    const unparsable = evaluate(pod([{ name: "bad", image: "UPPER/Case:1" }]), {});
    expect(unparsable.response.allowed).toBe(false);
    expect(unparsable.response.auditAnnotations).toBeNull();
  });

  test("a DELETE (no lookups) has no audit annotations", () => {
    const { response, calls } = evaluate(podRequest({ containers: [{ name: "app", image: APP }], operation: "DELETE" }), {});
    expect(calls).toHaveLength(0);
    expect(response.auditAnnotations).toBeNull();
  });
});

describe("the value is valid JSON in valid UTF-8 whatever the image declares", () => {
  test("quotes, backslashes, control characters, non-BMP characters survive; a lone surrogate becomes U+FFFD", () => {
    const expression = 'LicenseRef-"quoted"\\path\n\t😀';
    // The host reply carries a lone surrogate as a JSON escape, which no UTF-8 writer can keep.
    const reply = imageWithLicense("PLACEHOLDER").replace("PLACEHOLDER", `${JSON.stringify(expression).slice(1, -1)}\\ud800`);
    const image = "ghcr.io/acme/odd:1";
    const { response } = evaluate(pod([{ name: "app", image }]), { [image]: success(reply) }, { licenses: { unlisted: "any" } });
    expect(auditedLicenses(response)).toEqual({ [image]: `${expression}\ufffd` });
  });

  test("a long run of control characters (a six-byte escape each, twice over) survives between wide characters", () => {
    const expression = `LicenseRef-€${"\u0001\u001f".repeat(150)}é${"\u0007".repeat(37)}😀`;
    const reply = imageWithLicense("PLACEHOLDER").replace("PLACEHOLDER", JSON.stringify(expression).slice(1, -1));
    const image = "ghcr.io/acme/controls:1";
    const { response } = evaluate(pod([{ name: "app", image }]), { [image]: success(reply) }, { licenses: { unlisted: "any" } });
    expect(auditedLicenses(response)).toEqual({ [image]: expression });
  });
});

describe("settings", () => {
  test("auditLicenses must be a boolean", () => {
    expect(validateSettings({ auditLicenses: "yes" })).toEqual({ valid: false, message: "auditLicenses: must be true or false" });
    expect(validateSettings({ auditLicenses: 1 })).toEqual({ valid: false, message: "auditLicenses: must be true or false" });
    expect(validateSettings({ auditLicenses: false })).toEqual({ valid: true });
    expect(validateSettings({ auditLicenses: true })).toEqual({ valid: true });
  });

  test("null means the default (true)", () => {
    const { response } = evaluate(pod([{ name: "app", image: APP }]), { [APP]: licensed("MIT") }, {
      auditLicenses: null,
    } as unknown as JsonObject);
    expect(response.auditAnnotations).toEqual({ licenses: `{"${APP}":"MIT"}` });
  });
});
