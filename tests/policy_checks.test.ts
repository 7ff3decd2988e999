// The checks beyond licenses: annotations, platforms, image config (root user, env, labels),
// exemptions, lookup-error handling, warn mode and digest pinning, with their host-call costs.

import { evaluate, failure, lookups, success, validateSettings, type Fixtures } from "./support/policy";
import { podRequest, recordedManifest } from "./support/workloads";

const IMAGE = "ghcr.io/acme/payments:1.2.0";
const DIGEST = "sha256:5b2d0c9a3f7e4b1d8c6a0e9f2b4d6c8a1e3f5b7d9c0a2e4f6b8d0c2e4a6f8b0d";

function imageManifest(annotations: Record<string, string | null> = {}): string {
  const m = JSON.parse(recordedManifest("oci_manifest_with_license"));
  for (const [k, v] of Object.entries(annotations)) {
    if (v === null) delete m.annotations[k];
    else m.annotations[k] = v;
  }
  return JSON.stringify(m);
}

interface ConfigChange {
  user?: string | null;
  env?: string[];
  labels?: Record<string, string>;
  architecture?: string;
  variant?: string;
}

function configReply(change: ConfigChange): string {
  const reply = JSON.parse(recordedManifest("manifest_and_config_with_license_label"));
  const inner = reply.config.config;
  if (change.user === null) delete inner.User;
  else if (change.user !== undefined) inner.User = change.user;
  if (change.env) inner.Env = change.env;
  if (change.labels) inner.Labels = change.labels;
  if (change.architecture) reply.config.architecture = change.architecture;
  if (change.variant) reply.config.variant = change.variant;
  return JSON.stringify(reply);
}

function single(config: ConfigChange, annotations: Record<string, string | null> = {}): Fixtures {
  return { [IMAGE]: success(imageManifest(annotations)), [`v1/oci_manifest_config ${IMAGE}`]: success(configReply(config)) };
}

const pod = (securityContext?: Record<string, unknown>, containerContext?: Record<string, unknown>) =>
  podRequest({
    containers: [{ name: "app", image: IMAGE, ...(containerContext ? { securityContext: containerContext } : {}) }],
    ...(securityContext ? { securityContext } : {}),
  });

describe("config.rejectRootUser", () => {
  const settings = { config: { rejectRootUser: true } };
  test.each([[""], ["0"], ["00"], ["root"], ["0:0"], ["root:wheel"], [null]])("image user %p is root", (user) => {
    const { response } = evaluate(pod(), single({ user }), settings);
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toMatch(/^container "app" image "ghcr.io\/acme\/payments:1.2.0": runs as root \(image user/);
  });
  test.each([["10001"], ["nginx"], ["1000:1000"], ["010"]])("image user %p is not root", (user) => {
    expect(evaluate(pod(), single({ user }), settings).response.allowed).toBe(true);
  });
  test("runAsNonRoot on the pod makes the image user irrelevant", () => {
    expect(evaluate(pod({ runAsNonRoot: true }), single({ user: "" }), settings).response.allowed).toBe(true);
  });
  test("the container's runAsNonRoot: false overrides the pod's true", () => {
    expect(evaluate(pod({ runAsNonRoot: true }, { runAsNonRoot: false }), single({ user: "root" }), settings).response.allowed).toBe(false);
  });
  test("runAsUser decides before runAsNonRoot", () => {
    expect(evaluate(pod({ runAsUser: 1000 }), single({ user: "root" }), settings).response.allowed).toBe(true);
    const { response } = evaluate(pod({ runAsNonRoot: true }, { runAsUser: 0 }), single({ user: "10001" }), settings);
    expect(response.status?.message).toContain("runs as root (securityContext runAsUser: 0)");
  });
  test("off by default: no config lookup when the license sits on the manifest", () => {
    const { response, calls } = evaluate(pod(), single({ user: "root" }));
    expect(response.allowed).toBe(true);
    expect(calls).toHaveLength(1);
  });
});

describe("config.forbiddenEnv and config.requiredLabels", () => {
  test("a forbidden variable name is reported without its value", () => {
    const { response } = evaluate(pod(), single({ env: ["PATH=/usr/bin", "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG"] }), {
      config: { forbiddenEnv: ["AWS_*", "*_TOKEN"] },
    });
    expect(response.status?.message).toBe(
      `container "app" image "${IMAGE}": environment variable "AWS_SECRET_ACCESS_KEY" is set in the image (forbidden by "AWS_*")`,
    );
    expect(response.status?.message).not.toContain("wJalr");
  });
  test("required labels: missing and mismatching values", () => {
    const { response } = evaluate(pod(), single({ labels: { "org.opencontainers.image.vendor": "Evil Corp" } }), {
      config: { requiredLabels: { "org.opencontainers.image.vendor": "Acme*", "org.opencontainers.image.source": "*" } },
    });
    expect(response.status?.message!.split("; ")).toEqual([
      // the host sends settings with sorted keys (serde_json without preserve_order)
      `container "app" image "${IMAGE}": config label "org.opencontainers.image.source" is missing`,
      `container "app" image "${IMAGE}": config label "org.opencontainers.image.vendor" is "Evil Corp", which does not match "Acme*"`,
    ]);
  });
});

test('"*" needs a non-empty value, for labels and annotations alike', () => {
  const { response } = evaluate(pod(), single({ labels: { "org.opencontainers.image.vendor": "" } }, { "com.acme.team": "" }), {
    annotations: { required: { "com.acme.team": "*" } },
    config: { requiredLabels: { "org.opencontainers.image.vendor": "*" } },
  });
  expect(response.status?.message!.split("; ")).toEqual([
    `container "app" image "${IMAGE}": annotation "com.acme.team" is empty`,
    `container "app" image "${IMAGE}": config label "org.opencontainers.image.vendor" is empty`,
  ]);
});

describe("annotations.required", () => {
  test("present, glob-matching annotations pass with one host call", () => {
    const { response, calls } = evaluate(pod(), single({}), {
      annotations: {
        required: { "org.opencontainers.image.source": "https://github.com/acme/*", "org.opencontainers.image.revision": "*" },
      },
    });
    expect(response.allowed).toBe(true);
    expect(calls).toHaveLength(1);
  });
  test("a missing or mismatching annotation is named", () => {
    const { response } = evaluate(pod(), single({}, { "org.opencontainers.image.source": "https://gitlab.com/x" }), {
      annotations: { required: { "org.opencontainers.image.source": "https://github.com/acme/*", "com.acme.team": "*" } },
    });
    expect(response.status?.message!.split("; ")).toEqual([
      `container "app" image "${IMAGE}": annotation "com.acme.team" is missing`,
      `container "app" image "${IMAGE}": annotation "org.opencontainers.image.source" is "https://gitlab.com/x", which does not match "https://github.com/acme/*"`,
    ]);
  });
});

describe("annotation keys are compared as text, however the manifest writes them", () => {
  const required = { annotations: { required: { "équipe.acme.com": "paiements" } } };
  const withKey = (json: (text: string) => string): Fixtures => ({
    [IMAGE]: success(json(imageManifest({ "équipe.acme.com": "paiements" }))),
  });
  test("a non-ASCII key written as UTF-8 or as a \\u escape is found", () => {
    expect(
      evaluate(
        pod(),
        withKey((text) => text),
        required,
      ).response.allowed,
    ).toBe(true);
    const escaped = withKey((text) => text.replace('"équipe.acme.com"', '"\\u00e9quipe.acme.com"'));
    expect(evaluate(pod(), escaped, required).response.allowed).toBe(true);
  });
  test.each(["Ã©quipe", "Ã©quipe.acme.com"])('%s, whose code units equal the UTF-8 bytes of an "é" key, does not match it', (key) => {
    // "Ã©" is U+00C3 U+00A9: two code units with the values of the two UTF-8 bytes of "é".
    // Short and long keys are compared by different code (one by one, eight at a time).
    const manifest: Fixtures = { [IMAGE]: success(imageManifest({ équipe: "paiements", "équipe.acme.com": "paiements" })) };
    const { response } = evaluate(pod(), manifest, { annotations: { required: { [key]: "*" } } });
    expect(response.status?.message).toBe(`container "app" image "${IMAGE}": annotation "${key}" is missing`);
  });
});

describe("platforms.required", () => {
  const INDEX = "docker.io/library/nginx:1.27.2";
  const index = () => ({ [INDEX]: success(recordedManifest("oci_index_docker_official_image")) });
  test("linux/arm64 matches the arm64 v8 entry; attestation entries do not count", () => {
    const fixtures: Fixtures = { ...index() };
    for (const entry of JSON.parse(recordedManifest("oci_index_docker_official_image")).manifests) {
      fixtures[`docker.io/library/nginx@${entry.digest}`] = success(imageManifest({ "org.opencontainers.image.licenses": "BSD-2-Clause" }));
    }
    const settings = { platforms: { required: ["linux/amd64", "linux/arm64", "linux/arm/v7"] } };
    expect(evaluate(podRequest({ containers: [{ name: "web", image: INDEX }] }), fixtures, settings).response).toMatchObject({
      allowed: true,
    });
    const { response } = evaluate(podRequest({ containers: [{ name: "web", image: INDEX }] }), fixtures, {
      platforms: { required: ["unknown/unknown"] },
    });
    expect(response.status?.message).toContain("platform unknown/unknown is not provided");
  });
  test("a platform the index lacks is reported with what it offers", () => {
    const { response } = evaluate(podRequest({ containers: [{ name: "web", image: INDEX }] }), index(), {
      platforms: { required: ["linux/s390x"] },
    });
    expect(response.status?.message).toContain(
      "platform linux/s390x is not provided (the index offers linux/amd64, linux/arm/v7, linux/arm64/v8)",
    );
  });
  test("a single-platform image must be the one required platform (from its config)", () => {
    const { response } = evaluate(pod(), single({ architecture: "amd64" }), { platforms: { required: ["linux/amd64", "linux/arm64"] } });
    expect(response.status?.message).toBe(
      `container "app" image "${IMAGE}": platform linux/arm64 is not provided (single-platform image for linux/amd64)`,
    );
    expect(
      evaluate(pod(), single({ architecture: "arm64", variant: "v8" }), { platforms: { required: ["linux/arm64"] } }).response.allowed,
    ).toBe(true);
  });
});

describe("exemptImages", () => {
  test("exempt images are not looked up and not named; patterns match the normalised reference", () => {
    const { response, calls } = evaluate(
      podRequest({
        containers: [
          { name: "sh", image: "busybox:1.36" },
          { name: "app", image: IMAGE },
        ],
      }),
      { [IMAGE]: success(imageManifest()) },
      { exemptImages: ["docker.io/library/*"] },
    );
    expect(response.allowed).toBe(true);
    expect(lookups(calls)).toEqual([`v1/oci_manifest ${IMAGE}`]);
  });
  test("docker.io.evil.com never matches a docker.io pattern", () => {
    const image = "docker.io.evil.com/library/busybox:1.36";
    const { response, calls } = evaluate(
      podRequest({ containers: [{ name: "sh", image }] }),
      { [image]: failure("nope") },
      { exemptImages: ["docker.io/*"] },
    );
    expect(response.allowed).toBe(false);
    expect(calls).toHaveLength(1);
  });
});

describe("onLookupError and enforcement", () => {
  test("onLookupError: accept admits with a warning naming image and host error", () => {
    const { response } = evaluate(
      pod(),
      { [IMAGE]: failure("Fail to interact with OCI registry: timed out") },
      { onLookupError: "accept" },
    );
    expect(response.allowed).toBe(true);
    expect(response.warnings).toEqual([
      `container "app" image "${IMAGE}": manifest lookup failed: Callback evaluation failure: Fail to interact with OCI registry: timed out`,
    ]);
  });
  test("enforcement: warn admits and lists every violation", () => {
    const { response } = evaluate(pod(), single({ user: "root", env: ["GITHUB_TOKEN=x"] }), {
      enforcement: "warn",
      config: { rejectRootUser: true, forbiddenEnv: ["*_TOKEN"] },
    });
    expect(response.allowed).toBe(true);
    expect(response.status).toBeUndefined();
    expect(response.warnings).toHaveLength(2);
  });
  test("a failed config lookup needed by several checks is one clause, before the clauses that come after it", () => {
    const fixtures = {
      [IMAGE]: success(imageManifest({ "org.opencontainers.image.licenses": null, "a.required": null })),
      [`v1/oci_manifest_config ${IMAGE}`]: failure("registry down"),
    };
    const { response, calls } = evaluate(pod(), fixtures, {
      annotations: { required: { "a.required": "*" } },
      platforms: { required: ["linux/amd64"] },
      config: { rejectRootUser: true, forbiddenEnv: ["*_TOKEN"], requiredLabels: { team: "*" } },
    });
    expect(lookups(calls)).toEqual([`v1/oci_manifest ${IMAGE}`, `v1/oci_manifest_config ${IMAGE}`]);
    expect(response.status?.message).toBe(
      `container "app" image "${IMAGE}": config lookup failed: Callback evaluation failure: registry down; ` +
        `container "app" image "${IMAGE}": annotation "a.required" is missing`,
    );
  });
  test("warn + lookup error (reject) still admits, the error among the warnings", () => {
    const { response } = evaluate(pod(), { [IMAGE]: failure("boom") }, { enforcement: "warn" });
    expect(response.allowed).toBe(true);
    expect(response.warnings![0]).toContain("boom");
  });
});

describe("pinDigest", () => {
  const pinned = (extra: Fixtures = {}): Fixtures => ({
    [`v1/manifest_digest ${IMAGE}`]: success(JSON.stringify({ digest: DIGEST })),
    [`ghcr.io/acme/payments@${DIGEST}`]: success(imageManifest()),
    ...extra,
  });
  test("resolves the digest first, inspects by digest and patches the image", () => {
    const { response, calls } = evaluate(pod(), pinned(), { pinDigest: true });
    expect(lookups(calls)).toEqual([`v1/manifest_digest ${IMAGE}`, `v1/oci_manifest ghcr.io/acme/payments@${DIGEST}`]);
    expect(response.allowed).toBe(true);
    expect(response.patchType).toBe("JSONPatch");
    expect(JSON.parse(Buffer.from(response.patch!, "base64").toString())).toEqual([
      { op: "replace", path: "/spec/containers/0/image", value: `${IMAGE}@${DIGEST}` },
    ]);
  });
  test("one image spelled two ways, one spelling twice: one lookup of each kind, every use pinned as it is spelled", () => {
    const containers = [
      { name: "short", image: "nginx:1.27" },
      { name: "full", image: "docker.io/library/nginx:1.27" },
      { name: "short-again", image: "nginx:1.27" },
    ];
    const { response, calls } = evaluate(
      podRequest({ containers }),
      {
        [`v1/manifest_digest nginx:1.27`]: success(JSON.stringify({ digest: DIGEST })),
        [`nginx@${DIGEST}`]: success(imageManifest()),
      },
      { pinDigest: true },
    );
    expect(lookups(calls)).toEqual([`v1/manifest_digest nginx:1.27`, `v1/oci_manifest nginx@${DIGEST}`]);
    expect(response.allowed).toBe(true);
    const patch = JSON.parse(Buffer.from(response.patch!, "base64").toString()) as { path: string }[];
    expect(patch.sort((a, b) => (a.path < b.path ? -1 : 1))).toEqual([
      { op: "replace", path: "/spec/containers/0/image", value: `nginx:1.27@${DIGEST}` },
      { op: "replace", path: "/spec/containers/1/image", value: `docker.io/library/nginx:1.27@${DIGEST}` },
      { op: "replace", path: "/spec/containers/2/image", value: `nginx:1.27@${DIGEST}` },
    ]);
  });
  test("an already pinned image is left as written, no digest lookup", () => {
    const image = `ghcr.io/acme/payments:1.2.0@${DIGEST}`;
    const { response, calls } = evaluate(
      podRequest({ containers: [{ name: "app", image }] }),
      { [image]: success(imageManifest()) },
      { pinDigest: true },
    );
    expect(response.patch).toBeUndefined();
    expect(calls).toHaveLength(1);
  });
  test("exempt images are neither checked nor pinned", () => {
    const { response, calls } = evaluate(pod(), {}, { pinDigest: true, exemptImages: ["ghcr.io/acme/*"] });
    expect(response.allowed).toBe(true);
    expect(response.patch).toBeUndefined();
    expect(calls).toHaveLength(0);
  });
  test("a rejected request carries no patch", () => {
    const { response } = evaluate(
      pod(),
      pinned({ [`ghcr.io/acme/payments@${DIGEST}`]: success(imageManifest({ "org.opencontainers.image.licenses": "SSPL-1.0" })) }),
      { pinDigest: true },
    );
    expect(response.allowed).toBe(false);
    expect(response.patch).toBeUndefined();
  });
});

describe("settings validation of the other checks", () => {
  test.each([
    [{ annotations: { required: { "a.b": 3 } } }, 'annotations.required["a.b"]: must be a string (a glob pattern)'],
    [{ annotations: { required: { "a.b": "x\\" } } }, 'annotations.required["a.b"]: pattern "x\\" ends with a lone "\\"'],
    [{ platforms: { required: ["linux"] } }, 'platforms.required[0]: "linux" is not "os/arch" or "os/arch/variant" (lowercase)'],
    [{ platforms: { required: "linux/amd64" } }, "platforms.required: must be a list of strings"],
    [{ config: { rejectRootUser: "true" } }, "config.rejectRootUser: must be true or false"],
    [{ config: { forbiddenEnv: ["AWS_\\"] } }, 'config.forbiddenEnv[0]: pattern "AWS_\\" ends with a lone "\\"'],
    [{ config: { requiredLabels: [] } }, "config.requiredLabels: must be an object mapping keys to glob patterns"],
    [{ exemptImages: [null] }, "exemptImages[0]: must be a string"],
    [{ onLookupError: "ignore" }, 'onLookupError: "ignore" is not one of reject, accept'],
    [{ enforcement: "audit" }, 'enforcement: "audit" is not one of deny, warn'],
    [{ pinDigest: 1 }, "pinDigest: must be true or false"],
  ])("%j is refused", (settings, message) => {
    expect(validateSettings(settings)).toEqual({ valid: false, message });
  });
  test("the full example settings document is accepted", () => {
    expect(
      validateSettings({
        licenses: { required: true, unlisted: "osi-approved", allow: [], deny: [], allowDeprecated: true },
        annotations: { required: { "org.opencontainers.image.source": "https://github.com/acme/*" } },
        platforms: { required: ["linux/amd64", "linux/arm64"] },
        config: {
          rejectRootUser: true,
          forbiddenEnv: ["*_TOKEN", "AWS_SECRET_*"],
          requiredLabels: { "org.opencontainers.image.vendor": "Acme*" },
        },
        exemptImages: ["registry.k8s.io/*"],
        onLookupError: "reject",
        enforcement: "deny",
        pinDigest: false,
      }),
    ).toEqual({ valid: true });
  });
});
