// The host's OCI pieces that need no registry: reference normalisation, serde-compatible
// formatting and errors, manifest and digest validation, challenges, credentials, sources, the
// cache and the lookup worker's path. The same host code against real registries is in
// tests/oci_registry_client.test.ts, whose setup starts them.
//
// The lookup worker is the compiled one (dist/host/oci/lookup-worker.js, `make host`).

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { credentialsFor, decodeAuth } from "../host/oci/credentials";
import { anyhowDebug, ChainError } from "../host/oci/errors";
import { formatF64, parseJson, serialiseValue } from "../host/oci/json";
import { decodeManifest, serialiseManifest } from "../host/oci/manifest";
import { CALLBACK_FAILURE_PREFIX, guestErrorText, LookupCache, type LookupResult, performLookup } from "../host/oci/operations";
import { manifestUrlReference, parseReference, resolveRegistry, wholeReference } from "../host/oci/reference";
import { parseChallenges, validateDigest } from "../host/oci/registry-client";
import { parseSources } from "../host/oci/sources";
import { createSyncOciLookup, resolveWorkerPath, type SyncLookupHooks, type SyncOciLookup } from "../host/oci/sync-lookup";
import { MEDIA } from "./registry/push-fixtures";

const ROOT = path.resolve(__dirname, "..");
const WORKER = resolveWorkerPath();
const opened: SyncOciLookup[] = [];

function open(options: { sourcesPath?: string; dockerConfigDir?: string }, hooks: SyncLookupHooks = {}): SyncOciLookup {
  const lookup = createSyncOciLookup(options, { workerPath: WORKER, ...hooks });
  opened.push(lookup);
  return lookup;
}

afterAll(() => {
  for (const lookup of opened) lookup.close();
});

function expectError(result: LookupResult): { ok: false; error: string; message: string } {
  if (result.ok) throw new Error(`lookup succeeded: ${result.payload}`);
  expect(result.error.startsWith(CALLBACK_FAILURE_PREFIX)).toBe(false);
  expect(guestErrorText(result).startsWith("Callback evaluation failure: ")).toBe(true);
  return result;
}

describe("reference normalisation (oci-spec-rs rules)", () => {
  test.each([
    ["nginx", "docker.io", "library/nginx", "latest", undefined, "docker.io/library/nginx:latest"],
    ["nginx:1.27", "docker.io", "library/nginx", "1.27", undefined, "docker.io/library/nginx:1.27"],
    ["index.docker.io/library/nginx:1.27", "docker.io", "library/nginx", "1.27", undefined, "docker.io/library/nginx:1.27"],
    ["index.docker.io/nginx", "docker.io", "library/nginx", "latest", undefined, "docker.io/library/nginx:latest"],
    ["bitnami/nginx", "docker.io", "bitnami/nginx", "latest", undefined, "docker.io/bitnami/nginx:latest"],
    ["localhost/x", "localhost", "x", "latest", undefined, "localhost/x:latest"],
    ["localhost:5000/x", "localhost:5000", "x", "latest", undefined, "localhost:5000/x:latest"],
    ["127.0.0.1:5000/a/b:v1", "127.0.0.1:5000", "a/b", "v1", undefined, "127.0.0.1:5000/a/b:v1"],
    ["test.com:5000", "docker.io", "library/test.com", "5000", undefined, "docker.io/library/test.com:5000"],
    ["foo_bar.com:8080", "docker.io", "library/foo_bar.com", "8080", undefined, "docker.io/library/foo_bar.com:8080"],
    [
      "sub-dom1.foo.com/bar/baz/quux:some-long-tag",
      "sub-dom1.foo.com",
      "bar/baz/quux",
      "some-long-tag",
      undefined,
      "sub-dom1.foo.com/bar/baz/quux:some-long-tag",
    ],
    ["lowercase:Uppercase", "docker.io", "library/lowercase", "Uppercase", undefined, "docker.io/library/lowercase:Uppercase"],
    ["a/b__c-d--e.f:v_1", "docker.io", "a/b__c-d--e.f", "v_1", undefined, "docker.io/a/b__c-d--e.f:v_1"],
    [
      `ghcr.io/a/b@sha256:${"a".repeat(64)}`,
      "ghcr.io",
      "a/b",
      undefined,
      `sha256:${"a".repeat(64)}`,
      `ghcr.io/a/b@sha256:${"a".repeat(64)}`,
    ],
    [
      `ghcr.io/a/b:1.0@sha512:${"b".repeat(128)}`,
      "ghcr.io",
      "a/b",
      "1.0",
      `sha512:${"b".repeat(128)}`,
      `ghcr.io/a/b:1.0@sha512:${"b".repeat(128)}`,
    ],
    [
      `x@sha384:${"c".repeat(96)}`,
      "docker.io",
      "library/x",
      undefined,
      `sha384:${"c".repeat(96)}`,
      `docker.io/library/x@sha384:${"c".repeat(96)}`,
    ],
  ])("%s", (input, registry, repository, tag, digest, whole) => {
    const parsed = parseReference(input);
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect(parsed.reference).toEqual({
      registry,
      repository,
      ...(tag === undefined ? {} : { tag }),
      ...(digest === undefined ? {} : { digest }),
    });
    expect(wholeReference(parsed.reference)).toBe(whole);
  });

  test("Docker Hub's API host and the URL reference (the digest wins over the tag)", () => {
    const hub = parseReference("busybox");
    const tagged = parseReference(`ghcr.io/a/b:1.0@sha256:${"a".repeat(64)}`);
    if (!hub.ok || !tagged.ok) throw new Error("parse failed");
    expect(resolveRegistry(hub.reference)).toBe("index.docker.io");
    expect(manifestUrlReference(hub.reference)).toBe("latest");
    expect(resolveRegistry(tagged.reference)).toBe("ghcr.io");
    expect(manifestUrlReference(tagged.reference)).toBe(`sha256:${"a".repeat(64)}`);
  });

  test.each([
    ["", "repository name must have at least one component"],
    [":justtag", "invalid reference format"],
    [`@sha256:${"f".repeat(64)}`, "invalid reference format"],
    ["repo@sha256:ffffffffffffffffffffffffffffffffff", "invalid checksum digest length"],
    [`validname@invaliddigest:${"f".repeat(64)}`, "unsupported digest algorithm"],
    [`x@sha256:${"f".repeat(63)}`, "invalid checksum digest length"],
    ["Uppercase:tag", "invalid reference format"],
    ["test:5000/Uppercase/lowercase:tag", "invalid reference format"],
    ["aa/asdf$$^/aa", "invalid reference format"],
    ["a//b", "invalid reference format"],
    [`a:${"t".repeat(129)}`, "invalid reference format"],
    [`a/${"a".repeat(256)}`, "repository name must not be more than 255 characters"],
  ])("%j is rejected: %s", (input, message) => {
    const parsed = parseReference(input);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.message).toBe(message);
  });

  test("long hostile input is rejected quickly (no catastrophic backtracking)", () => {
    const started = Date.now();
    for (const input of [`${"a".repeat(20000)}!`, `${"a-".repeat(10000)}!`, `${"a.".repeat(10000)}/b!`]) {
      expect(parseReference(input).ok).toBe(false);
    }
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test("an image the first parse accepts but whose normal form is invalid fails like policy-fetcher", async () => {
    // "Foo" is taken for a domain, then "docker.io/Foo/bar:latest" does not parse again.
    const result = await performLookup(null as never, "v1/oci_manifest", "Foo/bar");
    expect(expectError(result)).toEqual({
      ok: false,
      error: "Invalid OCI image reference: invalid reference format\n\nCaused by:\n    invalid reference format",
      message: "Invalid OCI image reference: invalid reference format",
    });
    expect(expectError(await performLookup(null as never, "v1/manifest_digest", "UPPER"))).toEqual({
      ok: false,
      error: "invalid reference format",
      message: "invalid reference format",
    });
  });
});

describe("serde-compatible formatting and errors (no registry)", () => {
  test.each([
    [1, "1.0"],
    [-0, "-0.0"],
    [0.5, "0.5"],
    [1e21, "1e21"],
    [1.5e-7, "1.5e-7"],
    [123456789012345680000, "1.2345678901234568e20"],
    [0.0001, "0.0001"],
    [1e16, "1e16"],
    [1234.5, "1234.5"],
    [Number.NaN, "null"],
  ])("f64 %p prints as %s", (value, text) => {
    expect(formatF64(value)).toBe(text);
  });

  test("serde_json::Value: keys sorted recursively by code point, integers exact", () => {
    const value = parseJson('{"b":[{"z":1,"a":2}],"\u{1F600}":1,"\uFF21":2,"a":18446744073709551615,"c":-9223372036854775808,"d":-0}');
    expect(serialiseValue(value)).toBe(
      '{"a":18446744073709551615,"b":[{"a":2,"z":1}],"c":-9223372036854775808,"d":-0.0,"\uFF21":2,"\u{1F600}":1}',
    );
  });

  test("manifest validation errors", () => {
    const bytes = (o: unknown): Buffer => Buffer.from(JSON.stringify(o));
    const config = { mediaType: MEDIA.ociConfig, digest: `sha256:${"a".repeat(64)}`, size: 2 };
    const message = (o: unknown): string => {
      try {
        decodeManifest(typeof o === "string" ? Buffer.from(o) : bytes(o));
      } catch (err) {
        return (err as Error).message;
      }
      return "no error";
    };
    expect(message({ schemaVersion: 1, name: "x", fsLayers: [] })).toBe("Unsupported schema version: 1");
    expect(message({ schemaVersion: 2, mediaType: "application/vnd.example+json", config, layers: [] })).toBe(
      "Unsupported media type: application/vnd.example+json",
    );
    expect(message({ schemaVersion: 2, mediaType: MEDIA.ociManifest })).toBe(
      "Failed to parse manifest as Versioned object: data did not match any variant of untagged enum OciManifest",
    );
    expect(message("not json")).toMatch(/^Failed to parse manifest: expected ident at line 1 column 2$/);
    expect(message({ mediaType: MEDIA.ociManifest })).toMatch(/^Failed to parse manifest: missing field `schemaVersion`/);
    // a missing mediaType is fine; the shape decides
    const noMediaType = decodeManifest(bytes({ schemaVersion: 2, config, layers: [], annotations: { b: "2", a: "1" }, extra: 1 }));
    expect(serialiseManifest(noMediaType)).toBe(
      `{"schemaVersion":2,"config":${JSON.stringify(config)},"layers":[],"annotations":{"a":"1","b":"2"}}`,
    );
    // oci-spec's Arch round trip turns "armbe" into "arm64be"
    const index = decodeManifest(bytes({ schemaVersion: 2, manifests: [{ ...config, platform: { architecture: "armbe", os: "linux" } }] }));
    expect(serialiseManifest(index)).toContain('"platform":{"architecture":"arm64be","os":"linux"}');
  });

  test("digest validation", () => {
    const body = Buffer.from("{}");
    const good = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
    expect(validateDigest(body, undefined, undefined)).toBe(good);
    expect(validateDigest(body, good, good)).toBe(good);
    const bad = `sha256:${"0".repeat(64)}`;
    expect(() => validateDigest(body, bad, undefined)).toThrow(`Digest error: Invalid digest. Expected ${bad}, got ${good}`);
    expect(() => validateDigest(body, "nocolon", undefined)).toThrow("Digest error: Missing digest algorithm");
    expect(() => validateDigest(body, "md5:abc", undefined)).toThrow("Digest error: Unsupported digest algorithm: md5");
  });

  test("anyhow's Debug form", () => {
    expect(anyhowDebug(new ChainError("top"))).toBe("top");
    expect(anyhowDebug(new ChainError("inner").wrap("outer: "))).toBe("outer: inner\n\nCaused by:\n    inner");
    expect(anyhowDebug(new ChainError("a", ["b", "c\nd"]))).toBe("a\n\nCaused by:\n    0: b\n    1: c\n       d");
  });

  test("WWW-Authenticate challenges", () => {
    const challenges = parseChallenges(
      'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a:pull", Basic realm="x y"',
    );
    expect(challenges.map((c) => [c.scheme, Object.fromEntries(c.params)])).toEqual([
      ["Bearer", { realm: "https://auth.example/token", service: "registry.example", scope: "repository:a:pull" }],
      ["Basic", { realm: "x y" }],
    ]);
  });

  test("docker config credentials", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kwhost-docker-"));
    const b64 = (s: string): string => Buffer.from(s).toString("base64");
    fs.writeFileSync(
      path.join(dir, "config.json"),
      JSON.stringify({
        auths: {
          "https://index.docker.io/v1/": { auth: b64("hub:pw") },
          "ghcr.io": { identitytoken: "tok" },
          "quay.io": { username: "q", password: "p:w" },
          "127.0.0.1:5000": { auth: b64("local:a:b").replace(/=+$/, "") },
          "broken.example": { auth: "!!!" },
        },
      }),
    );
    expect(credentialsFor(dir, "docker.io")).toEqual({ kind: "basic", username: "hub", password: "pw" });
    expect(credentialsFor(dir, "ghcr.io")).toEqual({ kind: "anonymous" });
    expect(credentialsFor(dir, "quay.io")).toEqual({ kind: "basic", username: "q", password: "p:w" });
    expect(credentialsFor(dir, "127.0.0.1:5000")).toEqual({ kind: "basic", username: "local", password: "a:b" });
    expect(credentialsFor(dir, "broken.example")).toEqual({ kind: "anonymous" });
    expect(credentialsFor(dir, "other.example")).toEqual({ kind: "anonymous" });
    expect(credentialsFor(path.join(dir, "missing"), "docker.io")).toEqual({ kind: "anonymous" });
    expect(decodeAuth(b64("nocolon"))).toBeUndefined();
    fs.rmSync(dir, { recursive: true });
  });

  test("sources file errors are kwctl's, naming the file", () => {
    expect(() => createSyncOciLookup({ sourcesPath: "/nonexistent/sources.yaml" }, { workerPath: WORKER })).toThrow(
      "Cannot read sources file /nonexistent/sources.yaml: No such file or directory (os error 2)",
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kwhost-sources-"));
    const broken = path.join(dir, "sources.yaml");
    fs.writeFileSync(broken, "insecure_sources: 5\n");
    expect(() => createSyncOciLookup({ sourcesPath: broken }, { workerPath: WORKER })).toThrow(
      `sources file ${broken}: insecure_sources: invalid type: number \`5\`, expected a sequence`,
    );
    fs.writeFileSync(broken, 'source_authorities:\n  "h:1":\n    - type: Path\n      path: /nonexistent/ca.pem\n');
    expect(() => createSyncOciLookup({ sourcesPath: broken }, { workerPath: WORKER })).toThrow(
      `sources file ${broken}: source_authorities.h:1[0]: Cannot read certificate from file /nonexistent/ca.pem: No such file or directory (os error 2)`,
    );
    fs.rmSync(dir, { recursive: true });
    expect(() => parseSources('source_authorities:\n  "h:1":\n    - type: Data\n      data: "not a certificate"\n')).toThrow(
      "Invalid certificate: Raw certificate is not in PEM nor in DER encoding",
    );
    expect(() => parseSources('source_authorities:\n  "h:1":\n    - type: Url\n')).toThrow("unknown variant `Url`");
    expect(parseSources("insecure_sources: [a, 'b:5000']\n").insecureSources).toEqual(new Set(["a", "b:5000"]));
    expect(parseSources("").insecureSources.size).toBe(0);
  });

  test("the cache keeps successes for 60 s, keyed by operation and exact image string", () => {
    let now = 1_000_000;
    const cache = new LookupCache(60_000, () => now);
    cache.set("v1/oci_manifest", "busybox", "{}");
    expect(cache.get("v1/oci_manifest", "busybox")).toBe("{}");
    expect(cache.get("v1/oci_manifest", "docker.io/library/busybox:latest")).toBeUndefined();
    expect(cache.get("v1/manifest_digest", "busybox")).toBeUndefined();
    now += 59_999;
    expect(cache.get("v1/oci_manifest", "busybox")).toBe("{}");
    now += 1;
    expect(cache.get("v1/oci_manifest", "busybox")).toBeUndefined();
  });

  test("the worker path: dist/ by default, KWHOST_OCI_WORKER overrides", () => {
    const saved = process.env.KWHOST_OCI_WORKER;
    try {
      process.env.KWHOST_OCI_WORKER = WORKER;
      expect(resolveWorkerPath()).toBe(WORKER);
      delete process.env.KWHOST_OCI_WORKER;
      const built = path.join(ROOT, "dist", "host", "oci", "lookup-worker.js");
      if (fs.existsSync(built)) expect(resolveWorkerPath()).toBe(built);
      else expect(() => resolveWorkerPath()).toThrow("npx tsc -p tsconfig.build.json");
    } finally {
      if (saved === undefined) delete process.env.KWHOST_OCI_WORKER;
      else process.env.KWHOST_OCI_WORKER = saved;
    }
  });

  test("a worker that cannot load fails the lookup instead of blocking", () => {
    const bogus = path.join(os.tmpdir(), `kwhost-bogus-worker-${process.pid}.js`);
    fs.writeFileSync(bogus, "throw new Error('boom');\n");
    const lookup = open({}, { workerPath: bogus, timeoutMs: 30_000 });
    const started = Date.now();
    const result = expectError(lookup.lookup("v1/oci_manifest", "127.0.0.1:1/x:1"));
    expect(result.error).toContain("the OCI lookup worker failed");
    expect(result.error).toContain("boom");
    expect(Date.now() - started).toBeLessThan(20_000);
    fs.rmSync(bogus);
  });
});
