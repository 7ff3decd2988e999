// The SDK's reading of workloads (assembly/sdk/kubernetes.ts) through the AssemblyScript harness
// tests/assembly/kubernetes_harness.ts: containers of every list and image volumes
// (`volumes[].image`, https://kubernetes.io/docs/concepts/storage/volumes/#image) of every kind.
import { AsHarness, compileHarness } from "./support/as_harness";
import { imageVolume, podRequest, workloadRequest } from "./support/workloads";
import type { JsonObject } from "../host/evaluator";

let h: AsHarness;

beforeAll(() => {
  compileHarness("tests/assembly/kubernetes_harness.ts", "build/test/kubernetes_harness.wasm");
  h = AsHarness.load("build/test/kubernetes_harness.wasm");
});

const describeWorkload = (request: JsonObject) => h.str("describeWorkload", JSON.stringify(request));
const podSpecWithVolumes = (volumes: unknown[]): JsonObject => ({ containers: [{ name: "app", image: "ghcr.io/acme/app:1.0" }], volumes });

describe("image volumes", () => {
  test("only volumes with an image source are read, with name, reference, pullPolicy and position", () => {
    const request = podRequest({
      containers: [{ name: "app", image: "ghcr.io/acme/app:1.0" }],
      volumes: [
        { name: "cache", emptyDir: {} },
        imageVolume("models", "ghcr.io/acme/models:1.0", "Always"),
        { name: "config", configMap: { name: "app-config" } },
        { name: "plugins", image: { reference: "ghcr.io/acme/plugins@sha256:" + "a".repeat(64) } },
      ],
    });
    expect(describeWorkload(request)).toBe(
      [
        "container containers[0] app ghcr.io/acme/app:1.0",
        'volume [1] models ghcr.io/acme/models:1.0 Always "ghcr.io/acme/models:1.0"',
        `volume [3] plugins ghcr.io/acme/plugins@sha256:${"a".repeat(64)} - "ghcr.io/acme/plugins@sha256:${"a".repeat(64)}"`,
      ].join("\n"),
    );
  });

  test.each([
    ["Deployment", "apps", "deployments", (spec: JsonObject) => ({ spec: { template: { spec } } })],
    ["StatefulSet", "apps", "statefulsets", (spec: JsonObject) => ({ spec: { template: { spec } } })],
    ["DaemonSet", "apps", "daemonsets", (spec: JsonObject) => ({ spec: { template: { spec } } })],
    ["ReplicaSet", "apps", "replicasets", (spec: JsonObject) => ({ spec: { template: { spec } } })],
    ["Job", "batch", "jobs", (spec: JsonObject) => ({ spec: { template: { spec } } })],
    ["CronJob", "batch", "cronjobs", (spec: JsonObject) => ({ spec: { jobTemplate: { spec: { template: { spec } } } } })],
    ["ReplicationController", "", "replicationcontrollers", (spec: JsonObject) => ({ spec: { template: { spec } } })],
  ])("%s: the pod template's image volumes", (kind, group, resource, body) => {
    const request = workloadRequest(
      group,
      "v1",
      kind,
      resource,
      body(podSpecWithVolumes([imageVolume("models", "ghcr.io/acme/models:1.0")])),
    );
    expect(describeWorkload(request)).toContain('volume [0] models ghcr.io/acme/models:1.0 IfNotPresent "ghcr.io/acme/models:1.0"');
  });

  test("a reference with escapes keeps its JSON token for rewriting in place", () => {
    const request = podRequest({ containers: [], volumes: [{ name: "m", image: { reference: "ghcr.io/acme/m\\u006fdels:1.0" } }] });
    // JSON.stringify keeps the backslash escaped, so the token holds the escape sequence as text
    expect(describeWorkload(request)).toBe('volume [0] m ghcr.io/acme/m\\u006fdels:1.0 - "ghcr.io/acme/m\\\\u006fdels:1.0"');
  });

  test("a nameless image volume is named by its position", () => {
    const request = podRequest({ containers: [], volumes: [{ emptyDir: {} }, { image: { reference: "ghcr.io/acme/models:1.0" } }] });
    expect(describeWorkload(request)).toBe('volume [1] #1 ghcr.io/acme/models:1.0 - "ghcr.io/acme/models:1.0"');
  });

  test.each([
    [{ volumes: {} }, "request.object.spec.volumes is not an array"],
    [{ volumes: ["models"] }, "request.object.spec.volumes[0] is not an object"],
    [{ volumes: [{ name: "m", image: "ghcr.io/acme/models:1.0" }] }, "request.object.spec.volumes[0].image is not an object"],
    [{ volumes: [{ name: "m", image: {} }] }, "request.object.spec.volumes[0].image.reference is missing"],
    [{ volumes: [{ name: "m", image: { reference: 7 } }] }, "request.object.spec.volumes[0].image.reference is not a string"],
    [{ volumes: [{ name: "m", image: { reference: "" } }] }, "request.object.spec.volumes[0].image.reference is empty"],
    [
      { volumes: [{ name: "m", image: { reference: "a:1", pullPolicy: true } }] },
      "request.object.spec.volumes[0].image.pullPolicy is not a string",
    ],
    [{ volumes: [{ name: 3, image: { reference: "a:1" } }] }, "request.object.spec.volumes[0].name is not a string"],
  ])("a wrongly typed volume %j is reported: %s", (extra, message) => {
    const request = workloadRequest("", "v1", "Pod", "pods", { spec: { containers: [], ...extra } });
    expect(describeWorkload(request)).toBe(`error: ${message}`);
  });

  test("a null image source is another kind of volume", () => {
    const request = podRequest({ containers: [], volumes: [{ name: "m", image: null, emptyDir: {} }] });
    expect(describeWorkload(request)).toBe("");
  });

  test("DELETE and other kinds give no workload", () => {
    expect(describeWorkload(podRequest({ containers: [], volumes: [imageVolume("m", "a:1")], operation: "DELETE" }))).toBe("none");
    expect(describeWorkload(workloadRequest("", "v1", "ConfigMap", "configmaps", { data: {} }))).toBe("none");
  });
});

describe("containers", () => {
  test("init, regular and ephemeral containers, in that order", () => {
    const request = podRequest({
      containers: [{ name: "app", image: "a:1" }],
      initContainers: [{ name: "init", image: "b:1" }],
      ephemeralContainers: [{ name: "debugger", image: "c:1" }],
    });
    expect(describeWorkload(request)).toBe(
      ["container initContainers[0] init b:1", "container containers[0] app a:1", "container ephemeralContainers[0] debugger c:1"].join(
        "\n",
      ),
    );
  });
});

// Member names are compared 16 characters at a time, longer ones 8 at a time
// (assembly/sdk/json/reader.ts): a list is read under its exact name only, whichever character
// of its name differs.
describe("container lists are read under their exact names only", () => {
  test.each(["containers", "initContainers", "ephemeralContainers"])("%s", (field) => {
    const pod = (name: string): JsonObject =>
      workloadRequest("", "v1", "Pod", "pods", { spec: { [name]: [{ name: "app", image: "ghcr.io/acme/app:1.0" }] } });
    expect(describeWorkload(pod(field))).toBe(`container ${field}[0] app ghcr.io/acme/app:1.0`);
    for (let i = 0; i < field.length; i++) {
      const other = field.slice(0, i) + (field[i] === "x" ? "y" : "x") + field.slice(i + 1);
      expect([other, describeWorkload(pod(other))]).toEqual([other, ""]);
    }
  });
});
