// License semantics through the whole policy: where licenses are found (index, platform
// manifests, config labels), how they are judged under the settings, and what it costs in host calls.

import { evaluate, lookups, success, validateSettings } from "./support/policy";
import { podRequest, recordedManifest } from "./support/workloads";

const KEY = "org.opencontainers.image.licenses";

/** An image manifest fixture whose license annotation is `license` (absent when null). */
function imageWithLicense(license: string | null, base = "oci_manifest_with_license"): string {
  const m = JSON.parse(recordedManifest(base));
  if (license === null) delete m.annotations[KEY];
  else m.annotations[KEY] = license;
  return JSON.stringify(m);
}

function configWithLabel(license: string | null): string {
  const reply = JSON.parse(recordedManifest("manifest_and_config_with_license_label"));
  if (license === null) delete reply.config.config.Labels[KEY];
  else reply.config.config.Labels[KEY] = license;
  return JSON.stringify(reply);
}

const IMAGE = "ghcr.io/acme/payments:1.2.0";

function judge(license: string, settings = {}): string | undefined {
  const { response } = evaluate(
    podRequest({ containers: [{ name: "app", image: IMAGE }] }),
    { [IMAGE]: success(imageWithLicense(license)) },
    settings,
  );
  return response.allowed ? undefined : response.status?.message;
}

describe("judging the declared license with settings {}", () => {
  test("MIT is accepted", () => expect(judge("MIT")).toBeUndefined());
  test("SSPL-1.0 is rejected as not OSI approved", () => {
    expect(judge("SSPL-1.0")).toBe(`container "app" image "${IMAGE}": license "SSPL-1.0" is not OSI approved`);
  });
  test("Apache-2.0 OR SSPL-1.0 is accepted", () => expect(judge("Apache-2.0 OR SSPL-1.0")).toBeUndefined());
  test("Apache-2.0 AND SSPL-1.0 is rejected, naming the failing license", () => {
    expect(judge("Apache-2.0 AND SSPL-1.0")).toContain('license "SSPL-1.0" is not OSI approved');
  });
  test("UNLICENSED is not a known SPDX id", () => expect(judge("UNLICENSED")).toContain('"UNLICENSED"'));
  test("an invalid expression says where", () => expect(judge("MIT AND")).toMatch(/invalid.*column/));
  test("NOASSERTION counts as no license (then the config is asked)", () => {
    const { response, calls } = evaluate(podRequest({ containers: [{ name: "app", image: IMAGE }] }), {
      [IMAGE]: success(imageWithLicense("NOASSERTION")),
      [`v1/oci_manifest_config ${IMAGE}`]: success(configWithLabel(null)),
    });
    expect(response.status?.message).toContain("no license declared");
    expect(calls).toHaveLength(2);
  });
});

describe("a license annotation or label that is present but declares none says so", () => {
  const request = () => podRequest({ containers: [{ name: "app", image: IMAGE }] });
  const rejection = (annotation: string | null, label: string | null): string | undefined =>
    evaluate(request(), {
      [IMAGE]: success(imageWithLicense(annotation)),
      [`v1/oci_manifest_config ${IMAGE}`]: success(configWithLabel(label)),
    }).response.status?.message;

  test.each([
    ["NOASSERTION", `"${KEY}" annotation is "NOASSERTION"`],
    ["NONE", `"${KEY}" annotation is "NONE"`],
    ["", `"${KEY}" annotation is ""`],
    ["   ", `"${KEY}" annotation is ""`],
    [" NOASSERTION ", `"${KEY}" annotation is "NOASSERTION"`],
  ])("annotation %j, no config label", (annotation, said) => {
    expect(rejection(annotation, null)).toBe(`container "app" image "${IMAGE}": no license declared (${said}, no config label)`);
  });

  test("no annotation, a config label NOASSERTION", () => {
    expect(rejection(null, "NOASSERTION")).toBe(
      `container "app" image "${IMAGE}": no license declared (no "${KEY}" annotation, config label is "NOASSERTION")`,
    );
  });

  test("both present, both declaring none", () => {
    expect(rejection("NONE", "")).toBe(
      `container "app" image "${IMAGE}": no license declared ("${KEY}" annotation is "NONE", config label is "")`,
    );
  });

  test("absent everywhere: the message stays as it was", () => {
    expect(rejection(null, null)).toBe(`container "app" image "${IMAGE}": no license declared (no "${KEY}" annotation or config label)`);
  });

  test("a NOASSERTION annotation with a licensed config label is accepted", () => {
    expect(rejection("NOASSERTION", "MIT")).toBeUndefined();
  });

  test("licenses.required: false forgives NOASSERTION", () => {
    const { response } = evaluate(
      request(),
      {
        [IMAGE]: success(imageWithLicense("NOASSERTION")),
        [`v1/oci_manifest_config ${IMAGE}`]: success(configWithLabel("NONE")),
      },
      { licenses: { required: false } },
    );
    expect(response.allowed).toBe(true);
  });
});

describe("settings change the verdict", () => {
  test("deny wins over allow", () => {
    expect(judge("MIT", { licenses: { allow: ["MIT"], deny: ["mit"] } })).toContain('"MIT"');
  });
  test("unlisted: none is a strict allow list", () => {
    expect(judge("Apache-2.0", { licenses: { unlisted: "none", allow: ["MIT"] } })).toContain('"Apache-2.0"');
    expect(judge("MIT", { licenses: { unlisted: "none", allow: ["MIT"] } })).toBeUndefined();
  });
  test("LicenseRef passes only through allow", () => {
    expect(judge("LicenseRef-acme-eula")).toContain('"LicenseRef-acme-eula"');
    expect(judge("LicenseRef-acme-eula", { licenses: { allow: ["LicenseRef-acme-eula"] } })).toBeUndefined();
  });
  test("required: false forgives a missing license but still judges a declared one", () => {
    const settings = { licenses: { required: false } };
    const { response } = evaluate(
      podRequest({ containers: [{ name: "app", image: IMAGE }] }),
      {
        [IMAGE]: success(imageWithLicense(null)),
        [`v1/oci_manifest_config ${IMAGE}`]: success(configWithLabel(null)),
      },
      settings,
    );
    expect(response.allowed).toBe(true);
    expect(judge("SSPL-1.0", settings)).toContain("not OSI approved");
  });
  test("allowDeprecated: false rejects GPL-2.0+", () => {
    expect(judge("GPL-2.0+")).toBeUndefined();
    expect(judge("GPL-2.0+", { licenses: { allowDeprecated: false } })).toContain("deprecated");
  });
});

describe("where licenses are found", () => {
  test("an index without license: each runnable platform image is fetched by digest once, attestations never", () => {
    const image = "docker.io/library/nginx:1.27.2";
    const index = JSON.parse(recordedManifest("oci_index_docker_official_image"));
    const platforms = index.manifests.filter((e: { platform: { os: string } }) => e.platform.os !== "unknown");
    const fixtures = { [image]: success(JSON.stringify(index)) } as Record<string, ReturnType<typeof success>>;
    for (const entry of platforms) fixtures[`docker.io/library/nginx@${entry.digest}`] = success(imageWithLicense("BSD-2-Clause"));
    const { response, calls } = evaluate(podRequest({ containers: [{ name: "web", image }] }), fixtures);
    expect(response.allowed).toBe(true);
    expect(lookups(calls)).toEqual([
      `v1/oci_manifest ${image}`,
      ...platforms.map((e: { digest: string }) => `v1/oci_manifest docker.io/library/nginx@${e.digest}`),
    ]);
    expect(calls).toHaveLength(1 + 3);
  });

  test("one platform image without acceptable license rejects, naming the platform", () => {
    const image = "nginx:1.27.2";
    const index = JSON.parse(recordedManifest("oci_index_docker_official_image"));
    const platforms = index.manifests.filter((e: { platform: { os: string } }) => e.platform.os !== "unknown");
    const fixtures = { [image]: success(JSON.stringify(index)) } as Record<string, ReturnType<typeof success>>;
    platforms.forEach((entry: { digest: string }, i: number) => {
      fixtures[`nginx@${entry.digest}`] = success(imageWithLicense(i === 1 ? "SSPL-1.0" : "MIT"));
    });
    const { response } = evaluate(podRequest({ containers: [{ name: "web", image }] }), fixtures);
    expect(response.status?.message).toBe(
      `container "web" image "${image}": platform linux/arm/v7: license "SSPL-1.0" is not OSI approved`,
    );
  });

  test("an index that declares a license costs one call", () => {
    const image = "ghcr.io/acme/payments:1.2.0-multiarch";
    const { response, calls } = evaluate(podRequest({ containers: [{ name: "app", image }] }), {
      [image]: success(recordedManifest("oci_index_with_license")),
    });
    expect(response.allowed).toBe(true);
    expect(calls).toHaveLength(1);
  });

  test("a license found only as config label (docker/metadata-action) is judged", () => {
    const { response, calls } = evaluate(
      podRequest({ containers: [{ name: "app", image: IMAGE }] }),
      {
        [IMAGE]: success(imageWithLicense(null)),
        [`v1/oci_manifest_config ${IMAGE}`]: success(configWithLabel("GPL-3.0-only")),
      },
      { licenses: { unlisted: "none", allow: ["MIT"] } },
    );
    expect(response.status?.message).toContain('license "GPL-3.0-only"');
    expect(lookups(calls)).toEqual([`v1/oci_manifest ${IMAGE}`, `v1/oci_manifest_config ${IMAGE}`]);
  });

  test("the manifest annotation is preferred over the config label (no config lookup)", () => {
    const { response, calls } = evaluate(podRequest({ containers: [{ name: "app", image: IMAGE }] }), {
      [IMAGE]: success(imageWithLicense("MIT")),
      [`v1/oci_manifest_config ${IMAGE}`]: success(configWithLabel("SSPL-1.0")),
    });
    expect(response.allowed).toBe(true);
    expect(calls).toHaveLength(1);
  });

  test("a Docker manifest list: platform images by digest, licenses from their config labels (N + 2 calls)", () => {
    const image = "registry.example.com:5000/team/tool:2";
    const list = JSON.parse(recordedManifest("docker_manifest_list"));
    const fixtures = { [image]: success(JSON.stringify(list)) } as Record<string, ReturnType<typeof success>>;
    for (const entry of list.manifests) {
      const ref = `registry.example.com:5000/team/tool@${entry.digest}`;
      fixtures[ref] = success(recordedManifest("docker_schema2_manifest"));
      fixtures[`v1/oci_manifest_config ${ref}`] = success(configWithLabel("Apache-2.0"));
    }
    const { response, calls } = evaluate(podRequest({ containers: [{ name: "tool", image }] }), fixtures);
    expect(response.allowed).toBe(true);
    // The first platform image's manifest, then its config; the others through the config call alone.
    expect(calls).toHaveLength(list.manifests.length + 2);
  });

  test("the same image spelled two ways is looked up once", () => {
    const { calls } = evaluate(
      podRequest({
        containers: [
          { name: "a", image: "nginx" },
          { name: "b", image: "docker.io/library/nginx:latest" },
        ],
      }),
      {
        nginx: success(imageWithLicense("BSD-2-Clause")),
      },
    );
    expect(lookups(calls)).toEqual(["v1/oci_manifest nginx"]);
  });
});

describe("license settings validation", () => {
  test.each([
    [{ licenses: [] }, "licenses: must be an object"],
    [{ licenses: { required: "yes" } }, "licenses.required: must be true or false"],
    [{ licenses: { unlisted: "osi" } }, 'licenses.unlisted: "osi" is not one of osi-approved, fsf-libre, osi-or-fsf, any, none'],
    [{ licenses: { allow: "MIT" } }, "licenses.allow: must be a list of strings"],
    [{ licenses: { deny: [1] } }, "licenses.deny[0]: must be a string"],
    [{ licenses: { colour: 1 } }, "licenses.colour: unknown setting (known: required, unlisted, allow, deny, allowDeprecated)"],
  ])("%j is refused: %s", (settings, message) => {
    expect(validateSettings(settings)).toEqual({ valid: false, message });
  });

  test("an unknown id in allow is refused with its path", () => {
    const result = validateSettings({ licenses: { allow: ["MIT", "Apachee-2.0"] } });
    expect(result.valid).toBe(false);
    expect(result.message).toMatch(/^licenses\.allow\[1\]: .*"Apachee-2.0"/);
  });

  test("a complete license configuration is accepted", () => {
    expect(
      validateSettings({
        licenses: {
          required: true,
          unlisted: "osi-or-fsf",
          allow: ["LicenseRef-acme", "Classpath-exception-2.0"],
          deny: ["AGPL-3.0-only"],
          allowDeprecated: false,
        },
      }),
    ).toEqual({ valid: true });
  });
});

describe("nested indexes", () => {
  test("an index entry that is itself an index is followed one level", () => {
    const image = "ghcr.io/acme/nested:1";
    const inner = JSON.parse(recordedManifest("oci_index_docker_official_image"));
    const innerDigest = "sha256:" + "ab".repeat(32);
    const outer = {
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [{ mediaType: "application/vnd.oci.image.index.v1+json", digest: innerDigest, size: 1234 }],
    };
    const fixtures = {
      [image]: success(JSON.stringify(outer)),
      [`ghcr.io/acme/nested@${innerDigest}`]: success(JSON.stringify(inner)),
    } as Record<string, ReturnType<typeof success>>;
    const platforms = inner.manifests.filter((e: { platform: { os: string } }) => e.platform.os !== "unknown");
    for (const entry of platforms) fixtures[`ghcr.io/acme/nested@${entry.digest}`] = success(imageWithLicense("MIT"));
    const { response, calls } = evaluate(podRequest({ containers: [{ name: "app", image }] }), fixtures, {
      platforms: { required: ["linux/arm64"] },
    });
    expect(response).toMatchObject({ allowed: true });
    expect(calls).toHaveLength(2 + platforms.length);
  });
});
