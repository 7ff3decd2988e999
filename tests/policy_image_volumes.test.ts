// Every way an image enters a pod is judged (README "What counts as an image of a workload"): image volumes
// (`volumes[].image.reference`) by the license, annotation and label rules, exemptImages,
// onLookupError, enforcement and pinDigest, deduplicated with container images; OCI artifacts
// (config not an image config) by their annotations alone; and ephemeral containers added through
// the pods/ephemeralcontainers subresource (kubectl debug).

import type { JsonObject } from "../host/evaluator";
import { evaluate, failure, lookups, success, type Fixtures } from "./support/policy";
import { imageVolume, podRequest, recordedManifest, workloadRequest } from "./support/workloads";

const MODELS = "ghcr.io/acme/models:1.0";
const APP = "ghcr.io/acme/payments:1.2.0";
const DIGEST = "sha256:7d2f3c5e9a1b4d6f8c0e2a4b6d8f0a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f";
const NO_LICENSE = 'no license declared (no "org.opencontainers.image.licenses" annotation or config label)';

function withLicense(name: string, license: string | null): string {
  const m = JSON.parse(recordedManifest(name));
  if (license === null) delete m.annotations["org.opencontainers.image.licenses"];
  else m.annotations["org.opencontainers.image.licenses"] = license;
  return JSON.stringify(m);
}

const image = (license: string | null) => success(withLicense("oci_manifest_with_license", license));
const artifact = (license: string | null) => success(withLicense("oci_artifact_with_license", license));
const configReply = (labels: Record<string, string>, user = "root", env: string[] = []) => {
  const reply = JSON.parse(recordedManifest("manifest_and_config_with_license_label"));
  reply.config.config.Labels = labels;
  reply.config.config.User = user;
  reply.config.config.Env = env;
  return success(JSON.stringify(reply));
};

/** A pod running `app` and mounting `MODELS` as volume "models". */
const pod = (extra: { containers?: { name: string; image: string }[]; volumes?: JsonObject[] } = {}) =>
  podRequest({ containers: extra.containers ?? [{ name: "app", image: APP }], volumes: extra.volumes ?? [imageVolume("models", MODELS)] });

describe("image volumes are judged like images", () => {
  test("a licensed image volume is accepted: one lookup per image", () => {
    const { response, calls } = evaluate(pod(), { [APP]: image("Apache-2.0"), [MODELS]: image("MIT") });
    expect(response.allowed).toBe(true);
    expect(lookups(calls)).toEqual([`v1/oci_manifest ${APP}`, `v1/oci_manifest ${MODELS}`]);
  });

  test("an unlicensed image volume is rejected naming the volume", () => {
    const { response } = evaluate(pod(), {
      [APP]: image("Apache-2.0"),
      [MODELS]: image(null),
      [`v1/oci_manifest_config ${MODELS}`]: configReply({}),
    });
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toBe(`volume "models" image "${MODELS}": ${NO_LICENSE}`);
  });

  test.each([
    ["Deployment", "apps", "deployments", (spec: JsonObject) => ({ spec: { replicas: 2, template: { spec } } })],
    [
      "CronJob",
      "batch",
      "cronjobs",
      (spec: JsonObject) => ({ spec: { schedule: "0 * * * *", jobTemplate: { spec: { template: { spec } } } } }),
    ],
  ])("a %s with an unlicensed image volume is rejected naming the volume", (kind, group, resource, body) => {
    const spec = { containers: [{ name: "app", image: APP }], volumes: [imageVolume("models", MODELS)] };
    const fixtures = { [APP]: image("Apache-2.0"), [MODELS]: image(null), [`v1/oci_manifest_config ${MODELS}`]: configReply({}) };
    const { response } = evaluate(workloadRequest(group, "v1", kind, resource, body(spec)), fixtures);
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toBe(`volume "models" image "${MODELS}": ${NO_LICENSE}`);
  });

  test("an SSPL-1.0 image volume is rejected: not OSI approved", () => {
    const { response } = evaluate(pod(), { [APP]: image("Apache-2.0"), [MODELS]: image("SSPL-1.0") });
    expect(response.status?.message).toBe(`volume "models" image "${MODELS}": license "SSPL-1.0" is not OSI approved`);
  });

  test("required annotations apply to image volumes", () => {
    const settings = { annotations: { required: { "org.opencontainers.image.source": "https://github.com/acme/payments" } } };
    const { response } = evaluate(pod(), { [APP]: image("Apache-2.0"), [MODELS]: artifact("MIT") }, settings);
    expect(response.status?.message).toBe(
      `volume "models" image "${MODELS}": annotation "org.opencontainers.image.source" is "https://github.com/acme/models", which does not match "https://github.com/acme/payments"`,
    );
  });

  test("required config labels apply to image volumes (config looked up)", () => {
    const settings = { config: { requiredLabels: { "org.opencontainers.image.vendor": "Acme" } } };
    const fixtures = {
      [APP]: image("Apache-2.0"),
      [`v1/oci_manifest_config ${APP}`]: configReply({ "org.opencontainers.image.vendor": "Acme" }),
      [MODELS]: image("MIT"),
      [`v1/oci_manifest_config ${MODELS}`]: configReply({}),
    };
    const { response, calls } = evaluate(pod(), fixtures, settings);
    expect(response.status?.message).toBe(`volume "models" image "${MODELS}": config label "org.opencontainers.image.vendor" is missing`);
    expect(calls).toHaveLength(4);
  });

  test("an exempt image volume is neither looked up nor named", () => {
    const { response, calls } = evaluate(pod(), { [APP]: image("Apache-2.0") }, { exemptImages: ["ghcr.io/acme/models:*"] });
    expect(response.allowed).toBe(true);
    expect(lookups(calls)).toEqual([`v1/oci_manifest ${APP}`]);
  });

  test("a failed lookup rejects naming the volume; onLookupError: accept warns instead", () => {
    const fixtures = { [APP]: image("Apache-2.0"), [MODELS]: failure("Fail to interact with OCI registry: Not authorized") };
    const rejected = evaluate(pod(), fixtures).response;
    expect(rejected.allowed).toBe(false);
    expect(rejected.status?.message).toBe(
      `volume "models" image "${MODELS}": manifest lookup failed: Callback evaluation failure: Fail to interact with OCI registry: Not authorized`,
    );
    const accepted = evaluate(pod(), fixtures, { onLookupError: "accept" }).response;
    expect(accepted.allowed).toBe(true);
    expect(accepted.warnings).toEqual([rejected.status?.message]);
  });

  test("enforcement: warn admits and lists the volume's violation", () => {
    const { response } = evaluate(pod(), { [APP]: image("Apache-2.0"), [MODELS]: image("SSPL-1.0") }, { enforcement: "warn" });
    expect(response.allowed).toBe(true);
    expect(response.warnings).toEqual([`volume "models" image "${MODELS}": license "SSPL-1.0" is not OSI approved`]);
  });

  test("an invalid reference is named with the volume", () => {
    const { response, calls } = evaluate(pod({ volumes: [imageVolume("models", "ghcr.io/acme/Models:1.0")] }), {
      [APP]: image("Apache-2.0"),
    });
    expect(response.status?.message).toMatch(/^volume "models" image "ghcr.io\/acme\/Models:1.0": invalid image reference/);
    expect(calls).toHaveLength(1);
  });

  test("clauses come in pod order: containers, then volumes", () => {
    const request = pod({ containers: [{ name: "app", image: "ghcr.io/acme/other:2.0" }] });
    const fixtures = { "ghcr.io/acme/other:2.0": image("SSPL-1.0"), [MODELS]: image("SSPL-1.0") };
    const { response, calls } = evaluate(request, fixtures);
    expect(response.status?.message).toBe(
      'container "app" image "ghcr.io/acme/other:2.0": license "SSPL-1.0" is not OSI approved; ' +
        `volume "models" image "${MODELS}": license "SSPL-1.0" is not OSI approved`,
    );
    expect(lookups(calls)).toEqual(["v1/oci_manifest ghcr.io/acme/other:2.0", `v1/oci_manifest ${MODELS}`]);
  });
});

describe("pinDigest rewrites the volume's reference in place", () => {
  const pinned = (workload: JsonObject, path: string) => {
    const fixtures: Fixtures = {
      [`v1/manifest_digest ${MODELS}`]: success(JSON.stringify({ digest: DIGEST })),
      [`ghcr.io/acme/models@${DIGEST}`]: image("MIT"),
    };
    const { response, calls } = evaluate(workload, fixtures, { pinDigest: true });
    expect(lookups(calls)).toEqual([`v1/manifest_digest ${MODELS}`, `v1/oci_manifest ghcr.io/acme/models@${DIGEST}`]);
    expect(response.allowed).toBe(true);
    // the mutated object differs in nothing else: the patch is this one replacement
    expect(JSON.parse(Buffer.from(response.patch!, "base64").toString())).toEqual([{ op: "replace", path, value: `${MODELS}@${DIGEST}` }]);
  };
  test("a Pod", () => {
    pinned(
      podRequest({ containers: [], volumes: [{ name: "cache", emptyDir: {} }, imageVolume("models", MODELS, "Always")] }),
      "/spec/volumes/1/image/reference",
    );
  });
  test("a Deployment", () => {
    const spec = { containers: [], volumes: [imageVolume("models", MODELS)] };
    pinned(
      workloadRequest("apps", "v1", "Deployment", "deployments", { spec: { template: { spec } } }),
      "/spec/template/spec/volumes/0/image/reference",
    );
  });
  test("a container and a volume sharing an image: one digest lookup, both pinned", () => {
    const request = pod({ containers: [{ name: "app", image: MODELS }] });
    const fixtures: Fixtures = {
      [`v1/manifest_digest ${MODELS}`]: success(JSON.stringify({ digest: DIGEST })),
      [`ghcr.io/acme/models@${DIGEST}`]: image("MIT"),
    };
    const { response, calls } = evaluate(request, fixtures, { pinDigest: true });
    expect(calls).toHaveLength(2);
    const patch = JSON.parse(Buffer.from(response.patch!, "base64").toString()) as { path: string }[];
    expect(patch.sort((x, y) => x.path.localeCompare(y.path))).toEqual([
      { op: "replace", path: "/spec/containers/0/image", value: `${MODELS}@${DIGEST}` },
      { op: "replace", path: "/spec/volumes/0/image/reference", value: `${MODELS}@${DIGEST}` },
    ]);
  });
});

describe("one lookup per distinct image, container or volume", () => {
  test("an unlicensed image both run and mounted: one lookup, both named", () => {
    const request = pod({ containers: [{ name: "app", image: MODELS }] });
    const { response, calls } = evaluate(request, { [MODELS]: image(null), [`v1/oci_manifest_config ${MODELS}`]: configReply({}) });
    expect(lookups(calls)).toEqual([`v1/oci_manifest ${MODELS}`, `v1/oci_manifest_config ${MODELS}`]);
    expect(response.status?.message).toBe(
      `container "app" image "${MODELS}": ${NO_LICENSE}; volume "models" image "${MODELS}": ${NO_LICENSE}`,
    );
  });

  test("the same image written differently is one image", () => {
    const request = pod({
      containers: [{ name: "app", image: "docker.io/library/nginx:1.27" }],
      volumes: [imageVolume("static", "nginx:1.27")],
    });
    const { calls } = evaluate(request, { "docker.io/library/nginx:1.27": image("BSD-2-Clause") });
    expect(lookups(calls)).toEqual(["v1/oci_manifest docker.io/library/nginx:1.27"]);
  });
});

describe("checks about running a process do not apply to volumes", () => {
  const processSettings = { config: { rejectRootUser: true, forbiddenEnv: ["AWS_SECRET_*"] }, platforms: { required: ["linux/arm64"] } };

  test("a volume-only image: no config lookup, no root, env or platform clause", () => {
    const { response, calls } = evaluate(pod({ containers: [] }), { [MODELS]: image("MIT") }, processSettings);
    expect(response.allowed).toBe(true);
    expect(lookups(calls)).toEqual([`v1/oci_manifest ${MODELS}`]);
  });

  test("shared with a container: the container is judged for them, the volume is not", () => {
    const request = pod({ containers: [{ name: "app", image: MODELS }] });
    const fixtures = { [MODELS]: image("MIT"), [`v1/oci_manifest_config ${MODELS}`]: configReply({}, "root", ["AWS_SECRET_ACCESS_KEY=x"]) };
    const { response } = evaluate(request, fixtures, processSettings);
    const clauses = response.status!.message!.split("; ");
    expect(clauses.length).toBeGreaterThan(0);
    for (const clause of clauses) expect(clause).toMatch(/^container "app" image /);
    expect(response.status?.message).toContain("runs as root");
    expect(response.status?.message).toContain('environment variable "AWS_SECRET_ACCESS_KEY"');
    expect(response.status?.message).toContain("platform linux/arm64 is not provided");
  });

  test("a failed config lookup needed only by a container's checks is not the volume's", () => {
    const request = pod({ containers: [{ name: "app", image: MODELS }] });
    const fixtures = { [MODELS]: image("MIT"), [`v1/oci_manifest_config ${MODELS}`]: failure("registry down") };
    const { response } = evaluate(request, fixtures, { config: { rejectRootUser: true } });
    expect(response.status?.message).toBe(
      `container "app" image "${MODELS}": config lookup failed: Callback evaluation failure: registry down`,
    );
  });
});

describe("OCI artifacts (config not an image config) are judged by their annotations", () => {
  const ARTIFACT_NO_LABELS = 'an artifact with config media type "application/vnd.oci.empty.v1+json" has no config labels';

  test("a licensed artifact: accepted with one lookup, no config lookup", () => {
    const { response, calls } = evaluate(pod({ containers: [] }), { [MODELS]: artifact("Apache-2.0") });
    expect(response.allowed).toBe(true);
    expect(lookups(calls)).toEqual([`v1/oci_manifest ${MODELS}`]);
  });

  test("an artifact without license annotation: rejected without a config lookup", () => {
    const { response, calls } = evaluate(pod({ containers: [] }), { [MODELS]: artifact(null) });
    expect(response.status?.message).toBe(
      `volume "models" image "${MODELS}": no license declared (no "org.opencontainers.image.licenses" annotation; ${ARTIFACT_NO_LABELS})`,
    );
    expect(calls).toHaveLength(1);
  });

  test("an artifact whose license annotation is NOASSERTION says so", () => {
    expect(evaluate(pod({ containers: [] }), { [MODELS]: artifact("NOASSERTION") }).response.status?.message).toBe(
      `volume "models" image "${MODELS}": no license declared ("org.opencontainers.image.licenses" annotation is "NOASSERTION"; ` +
        'an artifact with config media type "application/vnd.oci.empty.v1+json" has no config labels)',
    );
  });

  test("licenses.required: false forgives it; NOASSERTION counts as none", () => {
    expect(
      evaluate(pod({ containers: [] }), { [MODELS]: artifact("NOASSERTION") }, { licenses: { required: false } }).response.allowed,
    ).toBe(true);
    expect(evaluate(pod({ containers: [] }), { [MODELS]: artifact("NOASSERTION") }).response.allowed).toBe(false);
  });

  test("a required config label is missing from an artifact, without a config lookup", () => {
    const settings = { config: { requiredLabels: { "org.opencontainers.image.vendor": "*" } } };
    const { response, calls } = evaluate(pod({ containers: [] }), { [MODELS]: artifact("Apache-2.0") }, settings);
    expect(response.status?.message).toBe(
      `volume "models" image "${MODELS}": config label "org.opencontainers.image.vendor" is missing (${ARTIFACT_NO_LABELS})`,
    );
    expect(calls).toHaveLength(1);
  });

  test("an artifact run as a container cannot pass the checks about running a process", () => {
    const request = pod({ containers: [{ name: "app", image: MODELS }], volumes: [] });
    const { response, calls } = evaluate(request, { [MODELS]: artifact("Apache-2.0") }, { config: { rejectRootUser: true } });
    expect(response.status?.message).toBe(
      `container "app" image "${MODELS}": is an artifact (config media type "application/vnd.oci.empty.v1+json"), not an image a container can run`,
    );
    expect(calls).toHaveLength(1);
  });
});

describe("kubectl debug: ephemeral containers through the pods/ephemeralcontainers subresource", () => {
  test("an UPDATE of the subresource judges the ephemeral container", () => {
    const request = podRequest({
      containers: [{ name: "app", image: APP }],
      ephemeralContainers: [{ name: "debugger-7x2kq", image: "ghcr.io/x/unlicensed:1.0" }],
      operation: "UPDATE",
    });
    request.subResource = "ephemeralcontainers";
    request.requestSubResource = "ephemeralcontainers";
    request.options = { kind: "UpdateOptions", apiVersion: "meta.k8s.io/v1" };
    const fixtures = {
      [APP]: image("Apache-2.0"),
      "ghcr.io/x/unlicensed:1.0": image(null),
      "v1/oci_manifest_config ghcr.io/x/unlicensed:1.0": configReply({}),
    };
    const { response } = evaluate(request, fixtures);
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toBe(`container "debugger-7x2kq" image "ghcr.io/x/unlicensed:1.0": ${NO_LICENSE}`);
  });
});
