// The registry side of the host's OCI capabilities against real registries on 127.0.0.1:
// Debian's docker-registry (distribution 2.8) started by tests/registry/start-registry.sh
// (plain HTTP; HTTPS with a test CA and htpasswd; bearer tokens), images built and pushed with
// buildah, umoci and skopeo by tests/registry/push-fixtures.ts. The cases that need no registry
// are in tests/oci_host_units.test.ts.
//
// The lookup worker is compiled from the current sources into the run's state directory
// (.registry/jest-<pid>-<time>, removed afterwards), so this suite does not depend on an earlier
// `tsc` build.

import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createAsyncOciLookup } from "../host/oci/engine";
import { CALLBACK_FAILURE_PREFIX, guestErrorText, type LookupResult } from "../host/oci/operations";
import { hostPlatform } from "../host/oci/registry-client";
import { createSyncOciLookup, type SyncLookupHooks, type SyncOciLookup } from "../host/oci/sync-lookup";
import {
  type FixtureSummary,
  LICENSE_KEY,
  MEDIA,
  type PushedManifest,
  pushFixtures,
  readState,
  type RegistryState,
} from "./registry/push-fixtures";

const ROOT = path.resolve(__dirname, "..");
const SCRIPTS = path.join(__dirname, "registry");
// One state directory per run (concurrent runs must not restart each other's registries).
const RUNS_DIR = path.join(ROOT, ".registry");
const STATE_DIR = path.join(RUNS_DIR, `jest-${process.pid}-${Date.now()}`);
const OWNER_FILE = "owner.pid";
const scriptEnv = { ...process.env, REGISTRY_STATE_DIR: STATE_DIR };
const WORKER_BUILD = path.join(STATE_DIR, "build");
const WORKER = path.join(WORKER_BUILD, "host", "oci", "lookup-worker.js");

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Stops and removes what earlier runs left behind when they died before their afterAll. */
function sweepStaleRuns(): void {
  if (!fs.existsSync(RUNS_DIR)) return;
  for (const name of fs.readdirSync(RUNS_DIR)) {
    if (!name.startsWith("jest-")) continue;
    const dir = path.join(RUNS_DIR, name);
    const owner = Number.parseInt(fs.existsSync(path.join(dir, OWNER_FILE)) ? fs.readFileSync(path.join(dir, OWNER_FILE), "utf8") : "", 10);
    if (Number.isInteger(owner) && alive(owner)) continue;
    execFileSync("bash", [path.join(SCRIPTS, "stop-registry.sh")], {
      env: { ...process.env, REGISTRY_STATE_DIR: dir },
      stdio: "ignore",
      timeout: 60_000,
    });
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

let state: RegistryState;
let fixtures: FixtureSummary;
const opened: SyncOciLookup[] = [];

function open(options: { sourcesPath?: string; dockerConfigDir?: string }, hooks: SyncLookupHooks = {}): SyncOciLookup {
  const lookup = createSyncOciLookup(options, { workerPath: WORKER, ...hooks });
  opened.push(lookup);
  return lookup;
}

/** sources + credentials for every registry */
let full: SyncOciLookup;

beforeAll(async () => {
  sweepStaleRuns();
  fs.mkdirSync(STATE_DIR, { recursive: true });
  fs.writeFileSync(path.join(STATE_DIR, OWNER_FILE), String(process.pid));
  execFileSync("bash", [path.join(SCRIPTS, "start-registry.sh")], {
    env: scriptEnv,
    stdio: ["ignore", "ignore", "inherit"],
    timeout: 540_000,
  });
  execFileSync(
    process.execPath,
    [require.resolve("typescript/bin/tsc"), "-p", path.join(SCRIPTS, "tsconfig.json"), "--outDir", WORKER_BUILD, "--sourceMap", "false"],
    { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"], timeout: 120_000 },
  );
  state = readState(STATE_DIR);
  fixtures = await pushFixtures(state);
  full = open({ sourcesPath: state.sourcesPath, dockerConfigDir: state.dockerConfigDir });
}, 600_000);

afterAll(() => {
  for (const lookup of opened) lookup.close();
  execFileSync("bash", [path.join(SCRIPTS, "stop-registry.sh")], { env: scriptEnv, stdio: "inherit", timeout: 60_000 });
  fs.rmSync(STATE_DIR, { recursive: true, force: true });
  try {
    fs.rmdirSync(RUNS_DIR); // only when no other run or manual registry uses it
  } catch {
    // not empty
  }
}, 90_000);

// --- expectations written from oci-client's re-serialisation (src/manifest.rs of
// https://github.com/oras-project/rust-oci-client), independently of host/oci ----

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const byCodePoint = (a: string, b: string): number => {
  const x = [...a].map((c) => c.codePointAt(0) as number);
  const y = [...b].map((c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
};

function sortedKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort(byCodePoint)
      .map((k) => [k, sortedKeys(value[k])]),
  );
}

function pick(source: JsonObject, fields: ReadonlyArray<[string, ((v: Json) => Json)?]>): JsonObject {
  const out: JsonObject = {};
  for (const [field, map] of fields) {
    const value = source[field];
    if (value === undefined || value === null) continue;
    out[field] = map === undefined ? value : map(value);
  }
  return out;
}

const annotations = (v: Json): Json => sortedKeys(v);
const descriptor = (v: Json): Json =>
  pick(v as JsonObject, [["mediaType"], ["digest"], ["size"], ["urls"], ["annotations", annotations], ["artifactType"]]);
const platform = (v: Json): Json =>
  pick(v as JsonObject, [["architecture"], ["os"], ["os.version"], ["os.features"], ["variant"], ["features"]]);
const indexEntry = (v: Json): Json =>
  pick(v as JsonObject, [["mediaType"], ["digest"], ["size"], ["platform", platform], ["annotations", annotations], ["artifactType"]]);

/** The host's re-serialisation of a registry body. */
function rewritten(body: string): string {
  const raw = JSON.parse(body) as JsonObject;
  const out =
    "config" in raw
      ? pick(raw, [
          ["schemaVersion"],
          ["mediaType"],
          ["config", descriptor],
          ["layers", (v) => (v as Json[]).map(descriptor)],
          ["subject", descriptor],
          ["artifactType"],
          ["annotations", annotations],
        ])
      : pick(raw, [
          ["schemaVersion"],
          ["mediaType"],
          ["manifests", (v) => (v as Json[]).map(indexEntry)],
          ["artifactType"],
          ["annotations", annotations],
        ]);
  return JSON.stringify(out);
}

function expectOk(result: LookupResult): string {
  if (!result.ok) throw new Error(`lookup failed: ${result.error}`);
  return result.payload;
}

function expectError(result: LookupResult): { ok: false; error: string; message: string } {
  if (result.ok) throw new Error(`lookup succeeded: ${result.payload}`);
  expect(result.error.startsWith(CALLBACK_FAILURE_PREFIX)).toBe(false);
  expect(guestErrorText(result).startsWith("Callback evaluation failure: ")).toBe(true);
  return result;
}

const image = (name: string): PushedManifest => fixtures.images[name];
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const hostPlatformName = (): string => (hostPlatform().architecture === "arm64" ? "linux/arm64/v8" : "linux/amd64");

// --- against the registries ----------------------------------------------------------------------

const IMAGES = ["licensed", "unlicensed", "docker-image", "config-labels", "quirks", "models"];
const INDEXES = ["multiarch", "docker-list", "quirks-index", "foreign"];

describe("v1/oci_manifest", () => {
  test.each([...IMAGES, ...INDEXES])("%s by tag and by digest is the registry body re-serialised", (name) => {
    const pushed = image(name);
    const expected = rewritten(pushed.body);
    expect(expectOk(full.lookup("v1/oci_manifest", pushed.ref))).toBe(expected);
    expect(expectOk(full.lookup("v1/oci_manifest", pushed.refByDigest))).toBe(expected);
    // umoci leaves the optional mediaType out (unlicensed), and the host does not add it
    expect(JSON.parse(expected).mediaType ?? MEDIA.ociManifest).toBe(pushed.mediaType);
  });

  test("index children by digest are image manifests", () => {
    for (const name of ["multiarch", "docker-list"]) {
      for (const child of image(name).children ?? []) {
        const payload = expectOk(full.lookup("v1/oci_manifest", child.refByDigest));
        expect(payload).toBe(rewritten(child.body));
        expect(JSON.parse(payload)).toHaveProperty("layers");
      }
    }
  });

  test("shapes: OCI and Docker media types kept, index shape preserved, unknown fields dropped", () => {
    const multiarch = JSON.parse(expectOk(full.lookup("v1/oci_manifest", image("multiarch").ref)));
    expect(Object.keys(multiarch)).toEqual(["schemaVersion", "mediaType", "manifests"]);
    expect(multiarch.mediaType).toBe(MEDIA.ociIndex);
    expect(multiarch.annotations).toBeUndefined();
    expect(multiarch.manifests.map((m: { platform: object }) => m.platform)).toEqual([
      { architecture: "amd64", os: "linux" },
      { architecture: "arm64", os: "linux", variant: "v8" },
      { architecture: "unknown", os: "unknown" },
      { architecture: "unknown", os: "unknown" },
    ]);
    expect(multiarch.manifests[2].annotations["vnd.docker.reference.type"]).toBe("attestation-manifest");
    expect(Object.keys(multiarch.manifests[2])).toEqual(["mediaType", "digest", "size", "platform", "annotations"]);

    expect(JSON.parse(expectOk(full.lookup("v1/oci_manifest", image("unlicensed").ref)))).not.toHaveProperty("mediaType");

    const dockerImage = JSON.parse(expectOk(full.lookup("v1/oci_manifest", image("docker-image").ref)));
    expect(dockerImage.mediaType).toBe(MEDIA.dockerManifest);
    expect(dockerImage.config.mediaType).toBe(MEDIA.dockerConfig);
    expect(JSON.parse(expectOk(full.lookup("v1/oci_manifest", image("docker-list").ref))).mediaType).toBe(MEDIA.dockerList);

    const quirks = expectOk(full.lookup("v1/oci_manifest", image("quirks").ref));
    const parsed = JSON.parse(quirks);
    expect(Object.keys(parsed)).toEqual(["schemaVersion", "mediaType", "config", "layers", "subject", "artifactType", "annotations"]);
    expect(Object.keys(parsed.config)).toEqual(["mediaType", "digest", "size"]); // platform and data dropped
    expect(quirks).not.toContain("x-kwhost-unknown");
    expect(Object.keys(parsed.annotations)).toEqual(["a.first", LICENSE_KEY, "zz.last", "\uFF21.fullwidth", "\u{1F600}.emoji"]);

    const quirksIndex = JSON.parse(expectOk(full.lookup("v1/oci_manifest", image("quirks-index").ref)));
    expect(Object.keys(quirksIndex)).toEqual(["schemaVersion", "mediaType", "manifests", "artifactType", "annotations"]); // subject dropped
    expect(quirksIndex.manifests[0].platform).toEqual({
      architecture: "amd64",
      os: "linux",
      "os.version": "10.0.17763.1",
      "os.features": ["win32k"],
      variant: "v1",
      features: ["sse4"],
    });
    expect(Object.keys(quirksIndex.manifests[0].platform)).toEqual([
      "architecture",
      "os",
      "os.version",
      "os.features",
      "variant",
      "features",
    ]);
    expect(Object.keys(quirksIndex.manifests[0].annotations)).toEqual(["a.first", "b.second"]);
  });

  test("a tag and a digest together: the digest is fetched", () => {
    const licensed = image("licensed");
    const payload = expectOk(full.lookup("v1/oci_manifest", `${licensed.host}/${licensed.repository}:no-such-tag@${licensed.digest}`));
    expect(payload).toBe(rewritten(licensed.body));
  });

  test("unknown tag and unknown repository", () => {
    const { host } = state.plain;
    const tag = expectError(full.lookup("v1/oci_manifest", `${host}/fixtures/licensed:nope`));
    const url = `http://${host}/v2/fixtures/licensed/manifests/nope`;
    const display = `Fail to interact with OCI registry: Registry error: url ${url}, envelope: OCI API errors: [OCI API error: manifest unknown]`;
    expect(tag.message).toBe(display);
    expect(tag.error).toBe(
      `${display}\n\nCaused by:\n    Registry error: url ${url}, envelope: OCI API errors: [OCI API error: manifest unknown]`,
    );
    const repo = expectError(full.lookup("v1/oci_manifest", `${host}/fixtures/missing:1.0`));
    // distribution 2.8 answers MANIFEST_UNKNOWN for a repository it does not know, too
    expect(repo.message).toMatch(
      /^Fail to interact with OCI registry: Registry error: url http:\/\/[^ ]+\/v2\/fixtures\/missing\/manifests\/1\.0, envelope: OCI API errors: \[/,
    );
  });
});

describe("v1/manifest_digest", () => {
  test.each([...IMAGES, ...INDEXES])("%s: the pushed digest, by tag and by digest", (name) => {
    const pushed = image(name);
    expect(expectOk(full.lookup("v1/manifest_digest", pushed.ref))).toBe(`{"digest":"${pushed.digest}"}`);
    expect(expectOk(full.lookup("v1/manifest_digest", pushed.refByDigest))).toBe(`{"digest":"${pushed.digest}"}`);
  });

  test("unknown tag", () => {
    const result = expectError(full.lookup("v1/manifest_digest", `${state.plain.host}/fixtures/licensed:nope`));
    expect(result.message).toContain("manifest unknown");
  });
});

describe("v1/oci_manifest_config", () => {
  const expectedPayload = (manifest: PushedManifest): string =>
    `{"manifest":${rewritten(manifest.body)},"digest":"${manifest.digest}","config":${JSON.stringify(sortedKeys(JSON.parse(manifest.config?.body ?? "null") as Json))}}`;

  test.each(["licensed", "unlicensed", "docker-image", "config-labels"])(
    "%s: manifest, its digest and the config (keys sorted)",
    (name) => {
      expect(expectOk(full.lookup("v1/oci_manifest_config", image(name).ref))).toBe(expectedPayload(image(name)));
      expect(expectOk(full.lookup("v1/oci_manifest_config", image(name).refByDigest))).toBe(expectedPayload(image(name)));
    },
  );

  test.each(["multiarch", "docker-list"])("%s: the index resolves to the host platform's manifest", (name) => {
    const chosen = (image(name).children ?? []).find((c) => c.platform === hostPlatformName());
    if (chosen === undefined) throw new Error(`no ${hostPlatformName()} child`);
    const payload = expectOk(full.lookup("v1/oci_manifest_config", image(name).ref));
    expect(payload).toBe(expectedPayload(chosen));
    const parsed = JSON.parse(payload);
    expect(parsed.digest).not.toBe(image(name).digest);
    expect(parsed.config.architecture).toBe(hostPlatform().architecture);
  });

  test("platform selection ignores the variant (linux/arm64 picks arm64/v8)", () => {
    const arm = open({ sourcesPath: state.sourcesPath }, { platform: { os: "linux", architecture: "arm64" } });
    const multiarch = image("multiarch");
    const arm64 = (multiarch.children ?? []).find((c) => c.platform === "linux/arm64/v8") as PushedManifest;
    const parsed = JSON.parse(expectOk(arm.lookup("v1/oci_manifest_config", multiarch.ref)));
    expect(parsed.digest).toBe(arm64.digest);
    expect(parsed.manifest.annotations[LICENSE_KEY]).toBe("MIT");
    expect(parsed.config).toMatchObject({ architecture: "arm64", variant: "v8", os: "linux" });
  });

  test("config details reach the policy: labels, user, environment", () => {
    const config = JSON.parse(expectOk(full.lookup("v1/oci_manifest_config", image("config-labels").ref))).config;
    expect(config.config.User).toBe("root");
    expect(config.config.Labels[LICENSE_KEY]).toBe("GPL-3.0-only");
    expect(config.config.Env).toContain("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    expect(config.rootfs).toEqual({ type: "layers", diff_ids: [expect.stringMatching(/^sha256:[0-9a-f]{64}$/)] });
    expect(config.history).toHaveLength(1); // buildah writes one entry per commit
  });

  test("numbers come out as serde_json writes them", () => {
    const payload = expectOk(full.lookup("v1/oci_manifest_config", image("quirks").ref));
    expect(payload).toContain(
      '"x-numbers":{"big":18446744073709551615,"exp":1e21,"float":1.0,"huge":1.8446744073709552e19,"list":[0.5,100,100.0],"neg":-42,"negzero":-0.0,"nested":{"a":null,"b":true},"small":1.5e-7}',
    );
  });

  test("an index without the host platform", () => {
    const result = expectError(full.lookup("v1/oci_manifest_config", image("foreign").ref));
    const display =
      "Fail to interact with OCI registry: Image manifest not found: no entry found in image index manifest matching client's default platform";
    expect(result.message).toBe(display);
    expect(result.error).toBe(
      `${display}\n\nCaused by:\n    Image manifest not found: no entry found in image index manifest matching client's default platform`,
    );
  });
});

describe("sources and credentials", () => {
  const secureRef = (): string => image("secure:licensed").ref;
  const emptySources = (): string => {
    const file = path.join(STATE_DIR, "empty-sources.yaml");
    fs.writeFileSync(file, "");
    return file;
  };

  test("TLS with the sources file's CA and Basic credentials from the docker config", () => {
    expect(expectOk(full.lookup("v1/oci_manifest", secureRef()))).toBe(rewritten(image("secure:licensed").body));
    expect(expectOk(full.lookup("v1/manifest_digest", secureRef()))).toBe(`{"digest":"${image("secure:licensed").digest}"}`);
    expect(JSON.parse(expectOk(full.lookup("v1/oci_manifest_config", secureRef()))).config.os).toBe("linux");
  });

  test("without credentials: Not authorized", () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "kwhost-nocreds-"));
    const lookup = open({ sourcesPath: state.sourcesPath, dockerConfigDir: empty });
    const result = expectError(lookup.lookup("v1/oci_manifest", secureRef()));
    const url = `https://${state.secure.host}/v2/fixtures/licensed/manifests/1.0`;
    expect(result.message).toBe(`Fail to interact with OCI registry: Not authorized: url ${url}`);
    fs.rmSync(empty, { recursive: true });
  });

  test("without the CA: the TLS handshake fails", () => {
    const lookup = open({ sourcesPath: emptySources(), dockerConfigDir: state.dockerConfigDir });
    const result = expectError(lookup.lookup("v1/oci_manifest", secureRef()));
    expect(result.message).toBe(
      `Fail to interact with OCI registry: error sending request for url (https://${state.secure.host}/v2/fixtures/licensed/manifests/1.0)`,
    );
    expect(result.error).toContain("client error (Connect)");
    expect(result.error).toContain("invalid peer certificate");
  });

  test("the CA given inline (type: Data)", () => {
    const file = path.join(STATE_DIR, "data-sources.yaml");
    const pem = fs
      .readFileSync(state.caFile, "utf8")
      .trim()
      .split("\n")
      .map((l) => `        ${l}`)
      .join("\n");
    fs.writeFileSync(file, `source_authorities:\n  "${state.secure.host}":\n    - type: Data\n      data: |\n${pem}\n`);
    const lookup = open({ sourcesPath: file, dockerConfigDir: state.dockerConfigDir });
    expectOk(lookup.lookup("v1/oci_manifest", secureRef()));
  });

  test("an insecure source falls back to HTTPS without verification", () => {
    const file = path.join(STATE_DIR, "insecure-sources.yaml");
    fs.writeFileSync(file, `insecure_sources: ["${state.secure.host}"]\n`);
    const lookup = open({ sourcesPath: file, dockerConfigDir: state.dockerConfigDir });
    expectOk(lookup.lookup("v1/oci_manifest", secureRef()));
  });

  test("a plain-HTTP registry needs insecure_sources", () => {
    const lookup = open({ sourcesPath: emptySources(), dockerConfigDir: state.dockerConfigDir });
    const result = expectError(lookup.lookup("v1/oci_manifest", image("licensed").ref));
    expect(result.message).toContain(`error sending request for url (https://${state.plain.host}/`);
  });

  test("bearer tokens: anonymous pull, and credentials for private repositories", () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "kwhost-nocreds-"));
    const anonymous = open({ sourcesPath: state.sourcesPath, dockerConfigDir: empty });
    expect(expectOk(anonymous.lookup("v1/oci_manifest", image("token:licensed").ref))).toBe(rewritten(image("token:licensed").body));
    const denied = expectError(anonymous.lookup("v1/oci_manifest", image("token:private").ref));
    expect(denied.message).toBe(
      `Fail to interact with OCI registry: Not authorized: url http://${state.token.host}/v2/private/licensed/manifests/1.0`,
    );
    expect(expectOk(full.lookup("v1/oci_manifest", image("token:private").ref))).toBe(rewritten(image("token:private").body));
    expect(expectOk(full.lookup("v1/manifest_digest", image("token:private").ref))).toBe(`{"digest":"${image("token:private").digest}"}`);
    expect(JSON.parse(expectOk(full.lookup("v1/oci_manifest_config", image("token:private").ref))).digest).toBe(
      image("token:private").digest,
    );
    fs.rmSync(empty, { recursive: true });
  });

  test("an unreachable registry", () => {
    const result = expectError(full.lookup("v1/oci_manifest", "127.0.0.1:1/fixtures/x:1"));
    expect(result.error).toBe(
      "Fail to interact with OCI registry: error sending request for url (https://127.0.0.1:1/v2/fixtures/x/manifests/1)\n\n" +
        "Caused by:\n    0: error sending request for url (https://127.0.0.1:1/v2/fixtures/x/manifests/1)\n" +
        "    1: client error (Connect)\n    2: tcp connect error\n    3: Connection refused (os error 111)",
    );
  });
});

describe("kwhost's account of a failed lookup (the policy's error stays the real host's)", () => {
  const emptySources = (): string => {
    const file = path.join(STATE_DIR, "empty-sources.yaml");
    fs.writeFileSync(file, "");
    return file;
  };
  const summaryOf = (result: LookupResult): string | undefined => (result.ok ? undefined : result.summary);

  test("a plain-HTTP registry missing from insecure_sources", () => {
    const sources = emptySources();
    const ref = image("licensed").ref;
    const result = open({ sourcesPath: sources, dockerConfigDir: state.dockerConfigDir }).lookup("v1/oci_manifest", ref);
    expect(expectError(result).message).toBe(
      `Fail to interact with OCI registry: error sending request for url (https://${state.plain.host}/v2/fixtures/licensed/manifests/1.0)`,
    );
    expect(summaryOf(result)).toBe(
      `lookup of image "${ref}" at registry ${state.plain.host} failed: error sending request for url (https://${state.plain.host}/v2/fixtures/licensed/manifests/1.0): ` +
        `received corrupt message of type InvalidContentType; fix: the registry answers plain HTTP: add "${state.plain.host}" to insecure_sources in the sources file ${sources}`,
    );
  });

  test("TLS without its CA in source_authorities", () => {
    const sources = emptySources();
    const ref = image("secure:licensed").ref;
    const summary = summaryOf(open({ sourcesPath: sources, dockerConfigDir: state.dockerConfigDir }).lookup("v1/oci_manifest", ref));
    expect(summary).toMatch(
      new RegExp(
        `^lookup of image "${escapeRegExp(ref)}" at registry ${escapeRegExp(state.secure.host)} failed: error sending request for url \\(https://[^)]+\\): invalid peer certificate: [^;]+; ` +
          `fix: add the registry's CA certificate under source_authorities\\."${escapeRegExp(state.secure.host)}" in the sources file ${escapeRegExp(sources)}$`,
      ),
    );
  });

  test("401 without credentials for that registry", () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "kwhost-nocreds-"));
    const ref = image("secure:licensed").ref;
    const summary = summaryOf(open({ sourcesPath: state.sourcesPath, dockerConfigDir: empty }).lookup("v1/oci_manifest", ref));
    expect(summary).toBe(
      `lookup of image "${ref}" at registry ${state.secure.host} failed: Not authorized: url https://${state.secure.host}/v2/fixtures/licensed/manifests/1.0; ` +
        `fix: no credentials for "${state.secure.host}" in ${path.join(empty, "config.json")}: add them (e.g. docker login ${state.secure.host}) ` +
        "or pass the directory of a config.json that has them with --docker-config-json-path",
    );
    fs.rmSync(empty, { recursive: true });
  });

  test("401 with credentials the registry refuses", () => {
    const wrong = fs.mkdtempSync(path.join(os.tmpdir(), "kwhost-wrongcreds-"));
    const auth = Buffer.from(`${state.username}:not-the-password`).toString("base64");
    fs.writeFileSync(path.join(wrong, "config.json"), JSON.stringify({ auths: { [state.secure.host]: { auth } } }));
    const summary = summaryOf(
      open({ sourcesPath: state.sourcesPath, dockerConfigDir: wrong }).lookup("v1/oci_manifest", image("secure:licensed").ref),
    );
    expect(summary).toContain(
      `; fix: the registry refused the credentials for "${state.secure.host}" in ${path.join(wrong, "config.json")}`,
    );
    fs.rmSync(wrong, { recursive: true });
  });

  test("a cause without a known fix: image, registry and cause only", () => {
    const ref = `${state.plain.host}/fixtures/licensed:nope`;
    const summary = summaryOf(full.lookup("v1/oci_manifest", ref));
    expect(summary).toBe(
      `lookup of image "${ref}" at registry ${state.plain.host} failed: ` +
        `Registry error: url http://${state.plain.host}/v2/fixtures/licensed/manifests/nope, envelope: OCI API errors: [OCI API error: manifest unknown]`,
    );
    expect(summary).not.toContain("fix:");
    expect(summaryOf(full.lookup("v1/oci_manifest", "UPPER/case"))).toBe('lookup of image "UPPER/case" failed: invalid reference format');
  });
});

describe("registry request counts", () => {
  test("an insecure plain-HTTP source: the HTTPS attempts before plain HTTP are counted apart", () => {
    const lookup = open({ sourcesPath: state.sourcesPath, dockerConfigDir: state.dockerConfigDir });
    expectOk(lookup.lookup("v1/oci_manifest", image("licensed").ref));
    // Each attempt sends GET /v2/ (the auth probe) and GET the manifest (a failed probe means an
    // anonymous request): over HTTPS verified, then HTTPS unverified, no registry answers (the TLS
    // handshake with a plain-HTTP server fails), so 2 fallback attempts with 4 unanswered
    // requests; then over plain HTTP the registry answers both.
    expect(lookup.stats()).toEqual({ registryRequests: 2, fallbackAttempts: 2, unansweredRequests: 4, cacheHits: 0 });
  });

  test("a TLS source with its CA: no fallback, every request answered", () => {
    const lookup = open({ sourcesPath: state.sourcesPath, dockerConfigDir: state.dockerConfigDir });
    expectOk(lookup.lookup("v1/oci_manifest", image("secure:licensed").ref));
    const stats = lookup.stats();
    expect(stats.registryRequests).toBeGreaterThanOrEqual(2);
    expect(stats).toEqual({ registryRequests: stats.registryRequests, fallbackAttempts: 0, unansweredRequests: 0, cacheHits: 0 });
  });

  test("an unreachable registry: the request is unanswered, not a registry request", () => {
    const lookup = open({ sourcesPath: state.sourcesPath, dockerConfigDir: state.dockerConfigDir });
    expectError(lookup.lookup("v1/oci_manifest", "127.0.0.1:1/fixtures/x:1"));
    // GET /v2/ and GET the manifest, both refused
    expect(lookup.stats()).toEqual({ registryRequests: 0, fallbackAttempts: 0, unansweredRequests: 2, cacheHits: 0 });
  });
});

describe("bin/kwhost against the registries", () => {
  const KWHOST = path.join(ROOT, "bin", "kwhost");
  const kwhost = (args: string[]): { status: number | null; stdout: string; stderr: string } => {
    const result = spawnSync(KWHOST, args, { cwd: ROOT, encoding: "utf8", env: { ...process.env, KWHOST_OCI_WORKER: WORKER } });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  const podFile = (ref: string): string => {
    const request = JSON.parse(fs.readFileSync(path.join(ROOT, "test_data", "pod_with_licensed_image.json"), "utf8"));
    request.object.spec.containers = [{ name: "app", image: ref }];
    const file = path.join(STATE_DIR, `pod-${Math.random().toString(36).slice(2)}.json`);
    fs.writeFileSync(file, JSON.stringify(request));
    return file;
  };

  test("a failed lookup: kwctl's JSON line on stdout, one summary line on stderr, --verbose adds the chain", () => {
    const sources = path.join(STATE_DIR, "empty-sources.yaml");
    fs.writeFileSync(sources, "");
    const ref = image("licensed").ref;
    const args = ["run", "policy.wasm", "-r", podFile(ref), "--sources-path", sources];
    const plain = kwhost(args);
    expect(plain.status).toBe(0);
    const lines = plain.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    const response = JSON.parse(lines[0]);
    expect(Object.keys(response)).toEqual(["uid", "allowed", "status", "auditAnnotations", "warnings"]);
    expect(response.status.message).toContain(
      `container "app" image "${ref}": manifest lookup failed: Callback evaluation failure: Fail to interact with OCI registry: error sending request for url (https://${state.plain.host}/`,
    );
    expect(plain.stderr).toBe(
      `kwhost: lookup of image "${ref}" at registry ${state.plain.host} failed: error sending request for url (https://${state.plain.host}/v2/fixtures/licensed/manifests/1.0): ` +
        `received corrupt message of type InvalidContentType; fix: the registry answers plain HTTP: add "${state.plain.host}" to insecure_sources in the sources file ${sources}\n`,
    );
    const verbose = kwhost([...args, "--verbose"]);
    expect(verbose.stdout).toBe(plain.stdout);
    expect(verbose.stderr).toContain(plain.stderr);
    expect(verbose.stderr).toContain(
      "kwhost: the policy received: Callback evaluation failure: Fail to interact with OCI registry: error sending request for url (https://" +
        `${state.plain.host}/v2/fixtures/licensed/manifests/1.0)\n\nCaused by:\n`,
    );
    expect(verbose.stderr).toContain("received corrupt message of type InvalidContentType");
  });

  test("a missing sources file and a missing docker config directory are errors naming the path", () => {
    const request = podFile(image("licensed").ref);
    const missingSources = kwhost(["run", "policy.wasm", "-r", request, "--sources-path", path.join(STATE_DIR, "no-such-sources.yaml")]);
    expect(missingSources.status).toBe(1);
    expect(missingSources.stdout).toBe("");
    expect(missingSources.stderr).toBe(
      `Error: Cannot read sources file ${path.join(STATE_DIR, "no-such-sources.yaml")}: No such file or directory (os error 2)\n`,
    );
    const withDockerConfig = (dir: string) =>
      kwhost(["run", "policy.wasm", "-r", request, "--sources-path", state.sourcesPath, "--docker-config-json-path", dir]);
    const missingDir = path.join(STATE_DIR, "no-such-docker-config");
    const missingConfig = withDockerConfig(missingDir);
    expect(missingConfig.status).toBe(1);
    expect(missingConfig.stdout).toBe("");
    expect(missingConfig.stderr).toBe(`Error: --docker-config-json-path ${missingDir}: no such directory\n`);
    const emptyDir = fs.mkdtempSync(path.join(os.tmpdir(), "kwhost-noconfig-"));
    expect(withDockerConfig(emptyDir).stderr).toBe(
      `Error: --docker-config-json-path ${emptyDir}: ${path.join(emptyDir, "config.json")} does not exist\n`,
    );
    const configFile = path.join(state.dockerConfigDir, "config.json");
    expect(withDockerConfig(configFile).stderr).toBe(
      `Error: --docker-config-json-path ${configFile}: not a directory; give the directory that holds it: --docker-config-json-path ${state.dockerConfigDir}\n`,
    );
    fs.rmSync(emptyDir, { recursive: true });
  });

  test("bench with an insecure plain-HTTP source and --warm-up-time 0: fallback attempts reported apart", () => {
    const result = kwhost([
      "bench",
      "policy.wasm",
      "-r",
      podFile(image("licensed").ref),
      "--sources-path",
      state.sourcesPath,
      "--num-samples",
      "3",
      "--warm-up-time",
      "0",
    ]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^validate {16}time: {3}\[/);
    expect(lines.slice(1)).toEqual([
      "                        samples: 3, host calls per evaluation: 1",
      "                        registry requests: 2 for the first evaluation, 0 for the 3 cached lookups after it",
      "                        not counted above: 2 fallback attempts (HTTPS tried before plain HTTP) and 4 requests without an answer for the first evaluation, 0 and 0 after it",
    ]);
  });
});

describe("cache", () => {
  test("a second lookup within 60 s makes no registry request; after 60 s it does", () => {
    let now = 5_000_000;
    const lookup = open({ sourcesPath: state.sourcesPath, dockerConfigDir: state.dockerConfigDir }, { now: () => now });
    const ref = image("multiarch").ref;
    const first = expectOk(lookup.lookup("v1/oci_manifest_config", ref));
    const afterFirst = lookup.stats();
    expect(afterFirst.registryRequests).toBeGreaterThan(0);
    expect(afterFirst.cacheHits).toBe(0);

    now += 59_000;
    expect(lookup.lookup("v1/oci_manifest_config", ref)).toEqual({ ok: true, payload: first });
    expect(lookup.stats()).toEqual({ ...afterFirst, cacheHits: 1 });

    // another operation, or another spelling of the same image, is another entry
    expectOk(lookup.lookup("v1/manifest_digest", ref));
    const afterDigest = lookup.stats();
    expect(afterDigest.registryRequests).toBeGreaterThan(afterFirst.registryRequests);
    expectOk(lookup.lookup("v1/oci_manifest_config", image("multiarch").refByDigest));
    expect(lookup.stats().registryRequests).toBeGreaterThan(afterDigest.registryRequests);

    now += 1_000; // 60 s after the first lookup
    const before = lookup.stats().registryRequests;
    expectOk(lookup.lookup("v1/oci_manifest_config", ref));
    expect(lookup.stats().registryRequests).toBeGreaterThan(before);
  });

  test("errors are not cached", () => {
    const lookup = open({ sourcesPath: state.sourcesPath, dockerConfigDir: state.dockerConfigDir });
    const ref = `${state.plain.host}/fixtures/licensed:nope`;
    expectError(lookup.lookup("v1/oci_manifest", ref));
    const first = lookup.stats();
    expect(first.registryRequests).toBeGreaterThan(0);
    expectError(lookup.lookup("v1/oci_manifest", ref));
    expect(lookup.stats()).toEqual({
      registryRequests: 2 * first.registryRequests,
      fallbackAttempts: 2 * first.fallbackAttempts,
      unansweredRequests: 2 * first.unansweredRequests,
      cacheHits: 0,
    });
  });

  test("the async service behaves the same", async () => {
    const lookup = createAsyncOciLookup({ sourcesPath: state.sourcesPath, dockerConfigDir: state.dockerConfigDir });
    try {
      const first = await lookup.lookup("v1/oci_manifest", image("licensed").ref);
      expect(first).toEqual({ ok: true, payload: rewritten(image("licensed").body) });
      const before = lookup.stats();
      expect(await lookup.lookup("v1/oci_manifest", image("licensed").ref)).toEqual(first);
      expect(lookup.stats()).toEqual({ ...before, cacheHits: 1 });
    } finally {
      lookup.close();
    }
  });

  test("a closed service refuses lookups", () => {
    const lookup = open({ sourcesPath: state.sourcesPath });
    lookup.close();
    expect(() => lookup.lookup("v1/oci_manifest", image("licensed").ref)).toThrow("closed");
  });
});
