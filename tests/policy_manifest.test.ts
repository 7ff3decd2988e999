// The license check on what v1/oci_manifest answers: image manifests and indexes, OCI and Docker
// media types, a missing mediaType, host errors and malformed replies.

import { evaluate, failure, lookups, success } from "./support/policy";
import { podRequest, podSpec, recordedManifest, workloadRequest } from "./support/workloads";

const LICENSED = "ghcr.io/acme/payments:1.2.0";
const UNLICENSED = "ghcr.io/acme/unlicensed:1.0";
const NO_LICENSE = 'no license declared (no "org.opencontainers.image.licenses" annotation or config label)';
/** The unlicensed image: no annotation on the manifest, no label in the config. */
const UNLICENSED_FIXTURES = {
  [UNLICENSED]: success(recordedManifest("oci_manifest_without_license")),
  [`v1/oci_manifest_config ${UNLICENSED}`]: success(recordedManifest("manifest_and_config_without_license")),
};

describe("image manifests", () => {
  test("accepts an OCI image manifest that declares a license", () => {
    const { response, calls } = evaluate(podRequest({ containers: [{ name: "app", image: LICENSED }] }), {
      [LICENSED]: success(recordedManifest("oci_manifest_with_license")),
    });
    expect(response.allowed).toBe(true);
    expect(response.status).toBeUndefined();
    expect(lookups(calls)).toEqual([`v1/oci_manifest ${LICENSED}`]);
  });

  test("rejects an image manifest without license annotation, naming container and image", () => {
    const { response, calls } = evaluate(podRequest({ containers: [{ name: "app", image: UNLICENSED }] }), UNLICENSED_FIXTURES);
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toBe(`container "app" image "${UNLICENSED}": ${NO_LICENSE}`);
    expect(lookups(calls)).toEqual([`v1/oci_manifest ${UNLICENSED}`, `v1/oci_manifest_config ${UNLICENSED}`]);
  });

  test("reads a manifest that has no mediaType", () => {
    const image = "registry.example.com/tools/no-media-type:3";
    const { response } = evaluate(podRequest({ containers: [{ name: "tool", image }] }), {
      [image]: success(recordedManifest("oci_manifest_without_media_type")),
    });
    expect(response.allowed).toBe(true);
  });

  test("reads a Docker schema2 manifest (no annotations, so no license)", () => {
    const image = "docker.io/library/busybox:1.36";
    const { response } = evaluate(podRequest({ containers: [{ name: "sh", image }] }), {
      [image]: success(recordedManifest("docker_schema2_manifest")),
      [`v1/oci_manifest_config ${image}`]: success(recordedManifest("manifest_and_config_docker_schema2")),
    });
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toBe(`container "sh" image "${image}": ${NO_LICENSE}`);
  });

  test("an empty license annotation is no license, and the message says it is empty", () => {
    const m = JSON.parse(recordedManifest("oci_manifest_with_license"));
    m.annotations["org.opencontainers.image.licenses"] = "  ";
    const { response } = evaluate(podRequest({ containers: [{ name: "app", image: LICENSED }] }), {
      [LICENSED]: success(JSON.stringify(m)),
      [`v1/oci_manifest_config ${LICENSED}`]: success(recordedManifest("manifest_and_config_without_license")),
    });
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toBe(
      `container "app" image "${LICENSED}": no license declared ("org.opencontainers.image.licenses" annotation is "", no config label)`,
    );
  });
});

describe("image indexes", () => {
  test("accepts an OCI index whose annotations declare a license", () => {
    const image = "ghcr.io/acme/payments:1.2.0-multiarch";
    const { response, calls } = evaluate(podRequest({ containers: [{ name: "app", image }] }), {
      [image]: success(recordedManifest("oci_index_with_license")),
    });
    expect(response.allowed).toBe(true);
    expect(calls).toHaveLength(1);
  });

  test("an index is told from an image by structure even without mediaType", () => {
    const index = JSON.parse(recordedManifest("oci_index_with_license"));
    delete index.mediaType;
    const image = "ghcr.io/acme/payments:1.2.0-multiarch";
    const { response } = evaluate(podRequest({ containers: [{ name: "app", image }] }), { [image]: success(JSON.stringify(index)) });
    expect(response.allowed).toBe(true);
  });
});

describe("host errors and malformed replies", () => {
  test("a failed lookup rejects, naming the image and the host's error", () => {
    const image = "ghcr.io/acme/missing:404";
    const error =
      'Fail to interact with OCI registry: Registry error: url https://ghcr.io/v2/acme/missing/manifests/404, envelope: OCI API errors: [OciError { code: ManifestUnknown, message: "manifest unknown", detail: Null }]';
    const { response } = evaluate(podRequest({ containers: [{ name: "app", image }] }), { [image]: failure(error) });
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toBe(
      `container "app" image "${image}": manifest lookup failed: Callback evaluation failure: ${error}`,
    );
  });

  test.each([
    ["not JSON", "<html>502 Bad Gateway</html>"],
    ["a JSON string", '"sha256:abc"'],
    ["an object of neither shape", '{"schemaVersion":2}'],
    [
      "annotations of the wrong type",
      JSON.stringify({ ...JSON.parse(recordedManifest("oci_manifest_with_license")), annotations: ["MIT"] }),
    ],
    [
      "a license that is not a string",
      JSON.stringify({
        ...JSON.parse(recordedManifest("oci_manifest_with_license")),
        annotations: { "org.opencontainers.image.licenses": 7 },
      }),
    ],
    ["layers that are not descriptors", JSON.stringify({ ...JSON.parse(recordedManifest("oci_manifest_with_license")), layers: [1, 2] })],
    [
      "an unsupported media type",
      JSON.stringify({
        ...JSON.parse(recordedManifest("oci_manifest_with_license")),
        mediaType: "application/vnd.docker.distribution.manifest.v1+prettyjws",
      }),
    ],
    ["schemaVersion 1", JSON.stringify({ ...JSON.parse(recordedManifest("oci_manifest_with_license")), schemaVersion: 1 })],
  ])("a reply that is %s never admits the image", (_what, payload) => {
    const { response } = evaluate(podRequest({ containers: [{ name: "app", image: LICENSED }] }), { [LICENSED]: success(payload) });
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toMatch(
      new RegExp(`^container "app" image "${LICENSED.replace(/[.]/g, "\\.")}": manifest lookup failed: host reply`),
    );
    expect(response.status?.code).toBeUndefined();
  });
});

describe("containers of a Pod", () => {
  test("checks containers, initContainers and ephemeralContainers, one clause each", () => {
    const { response } = evaluate(
      podRequest({
        initContainers: [{ name: "migrate", image: UNLICENSED }],
        containers: [
          { name: "app", image: LICENSED },
          { name: "sidecar", image: UNLICENSED },
        ],
        ephemeralContainers: [{ name: "debug", image: "docker.io/library/busybox:1.36" }],
      }),
      {
        [LICENSED]: success(recordedManifest("oci_manifest_with_license")),
        ...UNLICENSED_FIXTURES,
        "docker.io/library/busybox:1.36": success(recordedManifest("docker_schema2_manifest")),
        "v1/oci_manifest_config docker.io/library/busybox:1.36": success(recordedManifest("manifest_and_config_docker_schema2")),
      },
    );
    expect(response.allowed).toBe(false);
    const clauses = response.status!.message!.split("; ");
    expect(clauses).toHaveLength(3);
    expect(clauses[0]).toContain(`container "migrate" image "${UNLICENSED}"`);
    expect(clauses[1]).toContain(`container "sidecar" image "${UNLICENSED}"`);
    expect(clauses[2]).toContain(`container "debug" image "docker.io/library/busybox:1.36"`);
    expect(response.status!.message).not.toContain(`"app"`);
  });

  test("looks each distinct image up once", () => {
    const { response, calls } = evaluate(
      podRequest({
        containers: [
          { name: "a", image: UNLICENSED },
          { name: "b", image: UNLICENSED },
          { name: "c", image: LICENSED },
        ],
      }),
      { [LICENSED]: success(recordedManifest("oci_manifest_with_license")), ...UNLICENSED_FIXTURES },
    );
    expect(lookups(calls)).toEqual([
      `v1/oci_manifest ${UNLICENSED}`,
      `v1/oci_manifest_config ${UNLICENSED}`,
      `v1/oci_manifest ${LICENSED}`,
    ]);
    expect(response.status!.message!.split("; ")).toHaveLength(2);
  });

  test("a DELETE is accepted without lookups", () => {
    const request = podRequest({ containers: [{ name: "app", image: UNLICENSED }], operation: "DELETE" });
    request.oldObject = request.object;
    delete request.object;
    const { response, calls } = evaluate(request, {});
    expect(response.allowed).toBe(true);
    expect(calls).toHaveLength(0);
  });

  test("a kind that carries no pod template is accepted without lookups", () => {
    const { response, calls } = evaluate(workloadRequest("", "v1", "ConfigMap", "configmaps", { data: { image: UNLICENSED } }), {});
    expect(response.allowed).toBe(true);
    expect(calls).toHaveLength(0);
  });

  test("a Deployment's pod template is checked", () => {
    const request = workloadRequest("apps", "v1", "Deployment", "deployments", {
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "x" } },
        template: { metadata: { labels: { app: "x" } }, spec: podSpec({ containers: [{ name: "app", image: UNLICENSED }] }) },
      },
    });
    const { response } = evaluate(request, UNLICENSED_FIXTURES);
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toBe(`container "app" image "${UNLICENSED}": ${NO_LICENSE}`);
  });

  test("a container arg ending in a backslash does not hide the containers after it", () => {
    const request = podRequest({
      containers: [
        { name: "win", image: LICENSED },
        { name: "app", image: UNLICENSED },
      ],
    });
    const containers = (request.object as { spec: { containers: Array<Record<string, unknown>> } }).spec.containers;
    containers[0].args = ["C:\\data\\"];
    containers[0].env = [{ name: "PATH_SUFFIX", value: "\\" }];
    const { response, calls } = evaluate(request, {
      [LICENSED]: success(recordedManifest("oci_manifest_with_license")),
      ...UNLICENSED_FIXTURES,
    });
    expect(calls).toHaveLength(3);
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toContain(`container "app"`);
  });

  test("non-ASCII in names and host errors gives valid UTF-8 JSON", () => {
    const image = "ghcr.io/acme/emoji:1";
    const { response } = evaluate(podRequest({ containers: [{ name: "ünïcødé-😀", image }] }), {
      [image]: failure("registry said 🚫 \ud800 no"),
    });
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toBe(
      `container "ünïcødé-😀" image "${image}": manifest lookup failed: Callback evaluation failure: registry said 🚫 \ufffd no`,
    );
  });

  test("an invalid reference is rejected without a lookup, echoed as valid UTF-8", () => {
    const image = "ghcr.io/acme/emoji:😀";
    const { response, calls } = evaluate(podRequest({ containers: [{ name: "app", image }] }), {});
    expect(calls).toHaveLength(0);
    expect(response.status?.message).toBe(`container "app" image "${image}": invalid image reference "${image}": invalid tag "😀"`);
  });
});

describe("every workload kind", () => {
  const template = (containers: Array<{ name: string; image: string }>) => ({
    metadata: { labels: { app: "x" } },
    spec: podSpec({ containers }),
  });
  const body = (kind: string, containers: Array<{ name: string; image: string }>): Record<string, unknown> => {
    if (kind === "Pod") return { spec: podSpec({ containers }) };
    if (kind === "CronJob") return { spec: { schedule: "*/5 * * * *", jobTemplate: { spec: { template: template(containers) } } } };
    return { spec: { selector: { matchLabels: { app: "x" } }, template: template(containers) } };
  };
  test.each([
    ["", "Pod", "pods"],
    ["apps", "Deployment", "deployments"],
    ["apps", "ReplicaSet", "replicasets"],
    ["apps", "StatefulSet", "statefulsets"],
    ["apps", "DaemonSet", "daemonsets"],
    ["", "ReplicationController", "replicationcontrollers"],
    ["batch", "Job", "jobs"],
    ["batch", "CronJob", "cronjobs"],
  ])("%s/%s: its pod template's images are checked", (group, kind, resource) => {
    const request = workloadRequest(group, "v1", kind, resource, body(kind, [{ name: "app", image: UNLICENSED }]));
    const { response, calls } = evaluate(request, UNLICENSED_FIXTURES);
    expect(response.status?.message).toBe(`container "app" image "${UNLICENSED}": ${NO_LICENSE}`);
    expect(calls).toHaveLength(2);
  });

  test("a Deployment in another API group is not a workload", () => {
    const request = workloadRequest(
      "example.com",
      "v1",
      "Deployment",
      "deployments",
      body("Deployment", [{ name: "app", image: UNLICENSED }]),
    );
    const { response, calls } = evaluate(request, {});
    expect(response.allowed).toBe(true);
    expect(calls).toHaveLength(0);
  });

  test("a workload without pod template is rejected with the path, not trapped", () => {
    const request = workloadRequest("apps", "v1", "Deployment", "deployments", { spec: { replicas: 1 } });
    const { response } = evaluate(request, {});
    expect(response.allowed).toBe(false);
    expect(response.status).toEqual({ message: "cannot read the workload: request.object.spec.template is missing", code: 400 });
  });
});
