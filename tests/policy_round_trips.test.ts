// Host calls for an index, pinned per case (README "Host calls",
// "`licenses`", "`platforms.inspect`"): every call may be a registry round trip inside policy-server's
// 1–2 s budget, so the counts are part of the contract.

import { evaluate, failure, lookups, success, validateSettings, type Fixtures } from "./support/policy";
import {
  DOI_IMAGE as IMAGE,
  DOI_NAME as NAME,
  DOI_PLATFORMS,
  doiFixtures,
  doiIndex,
  doiPlatformDigest as digestOf,
  LICENSE_KEY as KEY,
  podRequest,
} from "./support/workloads";

/** The index and every platform image's manifest and config, as test fixtures. */
function fixtures(index: string, manifestLicense: (n: number) => string | null, labelLicense: (n: number) => string | null): Fixtures {
  const table: Fixtures = {};
  for (const [key, payload] of doiFixtures(index, manifestLicense, labelLicense)) table[key] = success(payload);
  return table;
}

/** License answers for `fixtures`: every platform declares MIT, or nothing. */
const MIT = (): string => "MIT";
const NONE = (): null => null;

const pod = podRequest({ containers: [{ name: "web", image: IMAGE }] });
const count = (calls: string[], operation: string): number => calls.filter((c) => c.startsWith(`${operation} `)).length;

describe("a Docker-Official-Image-shaped index (8 platforms, attestations skipped)", () => {
  test("licenses on the platform manifests: 1 + 8 manifest calls", () => {
    const { response, calls } = evaluate(
      pod,
      fixtures(doiIndex(), () => "BSD-2-Clause", NONE),
    );
    expect(response.allowed).toBe(true);
    const asked = lookups(calls);
    expect(count(asked, "v1/oci_manifest")).toBe(9);
    expect(count(asked, "v1/oci_manifest_config")).toBe(0);
  });

  test("licenses only in config labels: 2 manifest calls and 8 config calls (N + 2)", () => {
    const { response, calls } = evaluate(
      pod,
      fixtures(doiIndex(), NONE, () => "BSD-2-Clause"),
    );
    expect(response.allowed).toBe(true);
    const asked = lookups(calls);
    expect(asked.slice(0, 3)).toEqual([
      `v1/oci_manifest ${IMAGE}`,
      `v1/oci_manifest ${NAME}@${digestOf(0, "image")}`,
      `v1/oci_manifest_config ${NAME}@${digestOf(0, "image")}`,
    ]);
    expect(asked.slice(3)).toEqual(DOI_PLATFORMS.slice(1).map((_p, n) => `v1/oci_manifest_config ${NAME}@${digestOf(n + 1, "image")}`));
    expect(count(asked, "v1/oci_manifest")).toBe(2);
    expect(count(asked, "v1/oci_manifest_config")).toBe(8);
  });

  test("labels: a platform image without license is still named after the switch to config calls", () => {
    const { response } = evaluate(
      pod,
      fixtures(doiIndex(), NONE, (n) => (n === 5 ? null : "BSD-2-Clause")),
    );
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toBe(
      `container "web" image "${IMAGE}": platform linux/mips64le: no license declared (no "${KEY}" annotation or config label)`,
    );
  });

  test("licenses in the index entries' annotations: exactly 1 call", () => {
    const { response, calls } = evaluate(pod, fixtures(doiIndex({ descriptorLicense: () => "BSD-2-Clause" }), NONE, NONE));
    expect(response.allowed).toBe(true);
    expect(lookups(calls)).toEqual([`v1/oci_manifest ${IMAGE}`]);
  });

  test("an index entry's license is judged like any other", () => {
    const { response, calls } = evaluate(pod, fixtures(doiIndex({ descriptorLicense: (n) => (n === 3 ? "SSPL-1.0" : "MIT") }), NONE, NONE));
    expect(response.status?.message).toBe(
      `container "web" image "${IMAGE}": platform linux/arm64/v8: license "SSPL-1.0" is not OSI approved`,
    );
    expect(calls).toHaveLength(1);
  });

  test("an index entry declaring NOASSERTION does not answer: that platform's manifest is asked", () => {
    const index = doiIndex({ descriptorLicense: (n) => (n === 2 ? "NOASSERTION" : "MIT") });
    const { response, calls } = evaluate(
      pod,
      fixtures(index, () => "Apache-2.0", NONE),
    );
    expect(response.allowed).toBe(true);
    expect(lookups(calls)).toEqual([`v1/oci_manifest ${IMAGE}`, `v1/oci_manifest ${NAME}@${digestOf(2, "image")}`]);
  });

  test("an index entry declaring NOASSERTION, nothing on its platform image: the message says what the entry declares", () => {
    const index = doiIndex({ descriptorLicense: (n) => (n === 2 ? "NOASSERTION" : "MIT") });
    const { response } = evaluate(pod, fixtures(index, NONE, NONE));
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toBe(
      `container "web" image "${IMAGE}": platform linux/arm/v7: no license declared ("${KEY}" annotation is "NOASSERTION", no config label)`,
    );
  });

  test("a required annotation present on every index entry needs no platform manifest", () => {
    const index = JSON.parse(doiIndex({ descriptorLicense: () => "MIT" }));
    for (const entry of index.manifests) entry.annotations["org.opencontainers.image.source"] = "https://github.com/nginx/docker-nginx";
    const settings = { annotations: { required: { "org.opencontainers.image.source": "https://github.com/nginx/*" } } };
    const { response, calls } = evaluate(pod, fixtures(JSON.stringify(index), NONE, NONE), settings);
    expect(response.allowed).toBe(true);
    expect(calls).toHaveLength(1);
  });
});

describe("the per-index cap (19 platform images, from the time budget)", () => {
  test("19 platform images with licenses in labels are inspected: N + 2 calls", () => {
    const { response, calls } = evaluate(pod, fixtures(doiIndex({ platforms: 19 }), NONE, MIT));
    expect(response.allowed).toBe(true);
    expect(calls).toHaveLength(21);
  });

  test("20 are refused with what to do instead, after the index alone", () => {
    const { response, calls } = evaluate(pod, fixtures(doiIndex({ platforms: 20 }), NONE, MIT));
    expect(response.status?.message).toBe(
      `container "web" image "${IMAGE}": the index lists 20 platform images and at most 19 are inspected; declare what is checked on the index or its entries, or narrow platforms.inspect`,
    );
    expect(calls).toHaveLength(1);
  });

  test("platforms.inspect brings a large index under the cap", () => {
    const { response, calls } = evaluate(pod, fixtures(doiIndex({ platforms: 20 }), MIT, NONE), {
      platforms: { inspect: ["linux/amd64"] },
    });
    expect(response.allowed).toBe(true);
    expect(calls).toHaveLength(2);
  });
});

describe("platforms.inspect", () => {
  const inspect = { platforms: { inspect: ["linux/amd64", "linux/arm64"] } };

  test("only the listed platforms' images are judged: 1 + 2 calls", () => {
    // s390x is unlicensed, but not inspected.
    const { response, calls } = evaluate(
      pod,
      fixtures(doiIndex(), (n) => (n === 7 ? null : "MIT"), NONE),
      inspect,
    );
    expect(response.allowed).toBe(true);
    expect(lookups(calls)).toEqual([
      `v1/oci_manifest ${IMAGE}`,
      `v1/oci_manifest ${NAME}@${digestOf(0, "image")}`,
      `v1/oci_manifest ${NAME}@${digestOf(3, "image")}`,
    ]);
  });

  test("an inspected platform without license is rejected", () => {
    const { response } = evaluate(
      pod,
      fixtures(doiIndex(), (n) => (n === 3 ? null : "MIT"), NONE),
      inspect,
    );
    expect(response.status?.message).toBe(
      `container "web" image "${IMAGE}": platform linux/arm64/v8: no license declared (no "${KEY}" annotation or config label)`,
    );
  });

  test("an index offering none of them is rejected: nothing would be judged", () => {
    const { response, calls } = evaluate(pod, fixtures(doiIndex(), MIT, NONE), { platforms: { inspect: ["windows/amd64"] } });
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toBe(
      `container "web" image "${IMAGE}": none of the platforms to inspect (windows/amd64) is in the index (it offers ` +
        "linux/amd64, linux/arm/v5, linux/arm/v7, linux/arm64/v8, linux/386, linux/mips64le, linux/ppc64le, linux/s390x)",
    );
    expect(calls).toHaveLength(1);
  });

  test("required still reads the whole index", () => {
    const { response } = evaluate(pod, fixtures(doiIndex(), MIT, NONE), {
      platforms: { inspect: ["linux/amd64"], required: ["linux/s390x", "linux/riscv64"] },
    });
    expect(response.status?.message).toContain("platform linux/riscv64 is not provided");
    expect(response.status?.message).not.toContain("linux/s390x is not");
  });

  test("a lookup error of an inspected platform is reported with its platform", () => {
    const table = fixtures(doiIndex(), MIT, NONE);
    table[`${NAME}@${digestOf(3, "image")}`] = failure("Fail to interact with OCI registry: timeout");
    const { response } = evaluate(pod, table, inspect);
    expect(response.status?.message).toContain("platform linux/arm64/v8: manifest lookup failed: ");
  });

  test.each([
    [{ platforms: { inspect: ["linux"] } }, 'platforms.inspect[0]: "linux" is not "os/arch" or "os/arch/variant" (lowercase)'],
    [
      { platforms: { inspect: ["linux/amd64", "Linux/arm64"] } },
      'platforms.inspect[1]: "Linux/arm64" is not "os/arch" or "os/arch/variant" (lowercase)',
    ],
    [{ platforms: { inspect: "linux/amd64" } }, "platforms.inspect: must be a list of strings"],
  ])("settings %j are refused", (settings, message) => {
    expect(validateSettings(settings)).toEqual({ valid: false, message });
  });

  test("valid platforms.inspect settings are accepted", () => {
    expect(validateSettings(inspect)).toEqual({ valid: true });
  });
});
