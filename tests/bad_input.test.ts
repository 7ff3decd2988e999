// Bad input, pinned: what the policy does with malformed requests, invalid settings documents and
// malformed host replies. Never a trap; always a readable message; never an admission by accident.

import { FuzzRunner, type HostAnswer, type HostScript, recordedHost, TRAP } from "./support/fuzz/index";
import { container, realisticPodRequest, recordedManifest } from "./support/workloads";
import type { JsonObject } from "../host/evaluator";

const encoder = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
const runner = new FuzzRunner();

function bytes(text: string | Uint8Array): Uint8Array {
  return typeof text === "string" ? encoder.encode(text) : text;
}

/** validate with a raw payload: the guest error text, or the parsed reply. */
function validateRaw(payload: string | Uint8Array, host: HostScript = recordedHost): { error: string } | { reply: JsonObject } {
  const outcome = runner.call("validate", bytes(payload), host);
  if (!outcome.ok) {
    expect(outcome.error).not.toMatch(TRAP);
    return { error: outcome.error };
  }
  return { reply: JSON.parse(strictUtf8.decode(outcome.payload)) as JsonObject };
}

function settingsRaw(payload: string | Uint8Array): { valid: boolean; message?: string } {
  const outcome = runner.call("validate_settings", bytes(payload), recordedHost);
  if (!outcome.ok) throw new Error(`validate_settings failed: ${outcome.error}`);
  return JSON.parse(strictUtf8.decode(outcome.payload)) as { valid: boolean; message?: string };
}

const settingsOf = (doc: unknown) => settingsRaw(JSON.stringify(doc));

const IMAGE = "ghcr.io/acme/app:1.0";
const POD = realisticPodRequest([container("app", IMAGE, 0)]);
const payloadOf = (request: unknown, settings: unknown = {}) => JSON.stringify({ request, settings });

describe("malformed validate requests are guest errors with a readable message, never traps", () => {
  const deep = `{"request":${"[".repeat(600)}${"]".repeat(600)},"settings":{}}`;
  test.each([
    ["empty", "", "unexpected end of input at byte 0"],
    ["white space only", "  \n", "unexpected end of input at byte 3"],
    ["an unterminated object", '{"request":{"uid":"x"', "unterminated object at byte 21"],
    ["a missing value", '{"request":}', "unexpected character at byte 11"],
    ["a trailing comma", '{"request":{"a":1,}}', "expected a string key at byte 18"],
    ["single quotes", "{'request':{}}", "expected a string key at byte 1"],
    ["trailing characters", '{"request":{}} x', "trailing characters after the JSON value at byte 15"],
    ["a bad escape", '{"request":{"uid":"\\x"}}', "invalid escape at byte 19"],
    ["a short \\u escape", '{"request":{"uid":"\\u12"}}', "invalid \\u escape at byte 19"],
    ["a raw tab in a string", '{"request":{"uid":"a\tb"}}', "control character in string at byte 20"],
    ["a leading zero", '{"request":{"n":01}}', "expected ',' or '}' at byte 17"],
    ["a bare minus", '{"request":{"n":-}}', "invalid number at byte 17"],
    ["an exponent without digits", '{"request":{"n":1e}}', "invalid number at byte 18"],
    ["a misspelt literal", '{"request":{"b":tru}}', "invalid literal at byte 16"],
    ["a truncated literal", '{"request":nul', "unexpected end of input at byte 11"],
    ["a byte order mark", "\ufeff{}", "unexpected character at byte 0"],
    ["600 levels of nesting", deep, "nesting deeper than 512 at byte 522"],
    ["an array", "[]", "not a JSON object"],
    ["a string", '"request"', "not a JSON object"],
    ["no request", '{"settings":{}}', '"request" is missing or not an object'],
    ["a request that is a number", '{"request":5,"settings":{}}', '"request" is missing or not an object'],
    ["a request that is null", '{"request":null}', '"request" is missing or not an object'],
  ])("%s", (_what, payload, detail) => {
    expect(validateRaw(payload)).toEqual({ error: `cannot decode validation request: ${detail}` });
  });

  test.each([
    ["a lone continuation byte", [0x80]],
    ["a truncated 2-byte sequence", [0xc3]],
    ["an overlong encoding", [0xc0, 0xaf]],
    ["an encoded surrogate", [0xed, 0xa0, 0x80]],
    ["a code point above U+10FFFF", [0xf4, 0x90, 0x80, 0x80]],
    ["0xFF", [0xff]],
  ])("invalid UTF-8 in a string (%s)", (_what, bad) => {
    const prefix = encoder.encode('{"request":{"uid":"');
    const payload = new Uint8Array([...prefix, ...bad, ...encoder.encode('"}}')]);
    expect(validateRaw(payload)).toEqual({ error: `cannot decode validation request: invalid UTF-8 in string at byte ${prefix.length}` });
  });

  test("invalid settings inside a request are a guest error naming the field", () => {
    expect(validateRaw(payloadOf(POD, { pinDigest: "yes" }))).toEqual({ error: "invalid settings: pinDigest: must be true or false" });
    expect(validateRaw(payloadOf(POD, []))).toEqual({ error: "invalid settings: settings: must be an object" });
  });

  test("random bytes never trap", () => {
    let state = 7;
    for (let n = 0; n < 200; n++) {
      const junk = new Uint8Array(1 + (n % 97));
      for (let i = 0; i < junk.length; i++) junk[i] = (state = (state * 1103515245 + 12345) & 0x7fffffff) & 0xff;
      const result = validateRaw(junk);
      expect("error" in result ? result.error : "").toMatch(/^cannot decode validation request: .+/);
    }
  });

  // The reader ends its scans on the zero padding after the text rather than on its length: a text
  // cut anywhere, or with one byte changed, is read exactly when it is JSON.
  test("every cut of a request, and requests with one byte changed, are decoded exactly when JSON.parse accepts them", () => {
    const text = payloadOf(realisticPodRequest([container("app", IMAGE, 0), container("b", "docker.io/library/nginx:1.27", 1)]));
    const decoded = (payload: string): boolean => {
      const result = validateRaw(payload);
      // the reader's problems end with their position; others ('"request" is missing') are not JSON's
      return !("error" in result && /^cannot decode validation request: .+ at byte \d+$/.test(result.error));
    };
    const isJson = (payload: string): boolean => {
      try {
        JSON.parse(payload);
        return true;
      } catch {
        return false;
      }
    };
    const disagreements: string[] = [];
    for (let cut = 0; cut < text.length; cut++) {
      const payload = text.slice(0, cut);
      if (decoded(payload) !== isJson(payload)) disagreements.push(`cut at ${cut}`);
    }
    const replacements = ' ",:[]{}0-.eE\\tfnu\u0000\t';
    let state = 11;
    for (let n = 0; n < 1500; n++) {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      const at = state % text.length;
      const by = replacements[(state >>> 16) % replacements.length];
      const payload = text.slice(0, at) + by + text.slice(at + 1);
      if (decoded(payload) !== isJson(payload)) disagreements.push(`${JSON.stringify(by)} at ${at}`);
    }
    expect(disagreements).toEqual([]);
  });
});

describe("odd but well-formed requests: rejected or accepted with a clean reply, every container seen", () => {
  const unlicensedHost: HostScript = (operation, image) => {
    if (operation === "v1/oci_manifest") return { ok: true, payload: recordedManifest("oci_manifest_without_license") };
    if (operation === "v1/oci_manifest_config") return { ok: true, payload: recordedManifest("manifest_and_config_without_license") };
    return { ok: false, error: `no ${operation} for ${image}` };
  };

  test("a string ending in a backslash does not hide the containers after it (the json-as defect)", () => {
    const app = container("app", IMAGE, 0);
    app.args = ["C:\\data\\", "\\", "x\\\\"];
    const worker = container("worker", "ghcr.io/acme/unlicensed:1.0", 1);
    const result = validateRaw(payloadOf(realisticPodRequest([app, worker])), unlicensedHost);
    expect("reply" in result && result.reply.accepted).toBe(false);
    const message = "reply" in result ? String(result.reply.message) : "";
    expect(message).toContain('container "app" image "ghcr.io/acme/app:1.0": no license declared');
    expect(message).toContain('container "worker" image "ghcr.io/acme/unlicensed:1.0": no license declared');
  });

  test("lone surrogates and characters outside the BMP are echoed as valid UTF-8", () => {
    const result = validateRaw(payloadOf(realisticPodRequest([container("😀\ud800", "ghcr.io/acme/Bad\udfff:1.0", 0)])));
    expect("reply" in result && result.reply.message).toBe(
      'container "😀\ufffd" image "ghcr.io/acme/Bad\ufffd:1.0": invalid image reference "ghcr.io/acme/Bad\ufffd:1.0": ' +
        'invalid repository name "acme/Bad\ufffd" (lowercase letters, digits and . _ - separators)',
    );
  });

  test.each([
    ["containers is null", { containers: null }, null],
    ["containers is an object", { containers: {} }, "request.object.spec.containers is not an array"],
    ["a container is a string", { containers: ["nginx"] }, "request.object.spec.containers[0] is not an object"],
    ["an image is a number", { containers: [{ name: "a", image: 5 }] }, "request.object.spec.containers[0].image is not a string"],
    ["an image is missing", { containers: [{ name: "a" }] }, "request.object.spec.containers[0].image is missing"],
    ["an image is empty", { containers: [{ name: "a", image: "" }] }, "request.object.spec.containers[0].image is empty"],
    [
      "a securityContext is a list",
      { containers: [{ name: "a", image: IMAGE, securityContext: [] }] },
      "request.object.spec.containers[0].securityContext is not an object",
    ],
  ])("%s", (_what, spec, problem) => {
    const request = { ...POD, object: { ...(POD.object as JsonObject), spec } };
    const result = validateRaw(payloadOf(request));
    if (problem === null) expect(result).toEqual({ reply: { accepted: true } });
    else expect(result).toEqual({ reply: { accepted: false, message: `cannot read the workload: ${problem}`, code: 400 } });
  });

  test("a 200-deep value and a 300,000-character string in the object are harmless", () => {
    let deep: unknown = "x";
    for (let i = 0; i < 200; i++) deep = i % 2 ? { k: deep } : [deep];
    const request = {
      ...POD,
      object: {
        ...(POD.object as JsonObject),
        metadata: { annotations: { deep: JSON.stringify(deep), big: '\\"'.repeat(150_000) }, deep },
      },
    };
    expect(
      validateRaw(payloadOf(request), (op) =>
        op === "v1/oci_manifest" ? { ok: true, payload: recordedManifest("oci_manifest_with_license") } : { ok: false, error: "no" },
      ),
    ).toEqual({ reply: { accepted: true, audit_annotations: { licenses: '{"ghcr.io/acme/app:1.0":"Apache-2.0"}' } } });
  });
});

describe("every invalid settings document is refused with the field path", () => {
  test.each([
    // not an object (null is the defaults, like PolicySettings: see settings.test.ts)
    [[], "settings: must be an object"],
    ["licenses", "settings: must be an object"],
    // unknown keys at each level
    [
      { licence: {} },
      "licence: unknown setting (known: licenses, annotations, platforms, config, exemptImages, onLookupError, enforcement, pinDigest, auditLicenses)",
    ],
    [{ licenses: { allowed: [] } }, "licenses.allowed: unknown setting (known: required, unlisted, allow, deny, allowDeprecated)"],
    [{ annotations: { require: {} } }, "annotations.require: unknown setting (known: required)"],
    [{ platforms: { arch: [] } }, "platforms.arch: unknown setting (known: required, inspect)"],
    [{ config: { env: [] } }, "config.env: unknown setting (known: rejectRootUser, forbiddenEnv, requiredLabels)"],
    // arrays (and scalars) where objects belong
    [{ licenses: [] }, "licenses: must be an object"],
    [{ annotations: [] }, "annotations: must be an object"],
    [{ platforms: "linux/amd64" }, "platforms: must be an object"],
    [{ config: true }, "config: must be an object"],
    [{ annotations: { required: [] } }, "annotations.required: must be an object mapping keys to glob patterns"],
    [{ config: { requiredLabels: "x" } }, "config.requiredLabels: must be an object mapping keys to glob patterns"],
    // wrong types for every setting
    [{ licenses: { required: "yes" } }, "licenses.required: must be true or false"],
    [{ licenses: { unlisted: 5 } }, "licenses.unlisted: must be a string"],
    [{ licenses: { allow: "MIT" } }, "licenses.allow: must be a list of strings"],
    [{ licenses: { deny: [1] } }, "licenses.deny[0]: must be a string"],
    [{ licenses: { allowDeprecated: 0 } }, "licenses.allowDeprecated: must be true or false"],
    [{ annotations: { required: { a: 1 } } }, 'annotations.required["a"]: must be a string (a glob pattern)'],
    [{ platforms: { required: "linux/amd64" } }, "platforms.required: must be a list of strings"],
    [{ platforms: { required: [null] } }, "platforms.required[0]: must be a string"],
    [{ config: { rejectRootUser: "true" } }, "config.rejectRootUser: must be true or false"],
    [{ config: { forbiddenEnv: {} } }, "config.forbiddenEnv: must be a list of strings"],
    [{ config: { requiredLabels: { k: null } } }, 'config.requiredLabels["k"]: must be a string (a glob pattern)'],
    [{ exemptImages: "docker.io/*" }, "exemptImages: must be a list of strings"],
    [{ exemptImages: [{}] }, "exemptImages[0]: must be a string"],
    [{ onLookupError: true }, "onLookupError: must be a string"],
    [{ enforcement: ["warn"] }, "enforcement: must be a string"],
    [{ pinDigest: "true" }, "pinDigest: must be true or false"],
    // bad values
    [{ licenses: { unlisted: "osi" } }, 'licenses.unlisted: "osi" is not one of osi-approved, fsf-libre, osi-or-fsf, any, none'],
    [{ licenses: { allow: ["MIT", "Apachee-2.0"] } }, 'licenses.allow[1]: unknown SPDX license or exception id "Apachee-2.0"'],
    [{ annotations: { required: { "": "*" } } }, 'annotations.required[""]: keys must not be empty'],
    [{ annotations: { required: { "a.b": "x\\" } } }, 'annotations.required["a.b"]: pattern "x\\" ends with a lone "\\"'],
    [{ platforms: { required: ["linux"] } }, 'platforms.required[0]: "linux" is not "os/arch" or "os/arch/variant" (lowercase)'],
    [{ config: { forbiddenEnv: ["A\\"] } }, 'config.forbiddenEnv[0]: pattern "A\\" ends with a lone "\\"'],
    [{ onLookupError: "ignore" }, 'onLookupError: "ignore" is not one of reject, accept'],
    [{ enforcement: "audit" }, 'enforcement: "audit" is not one of deny, warn'],
  ])("%j", (doc, message) => {
    expect(settingsOf(doc)).toEqual({ valid: false, message });
  });

  test("null for a setting or a section means its default", () => {
    expect(
      settingsOf({
        licenses: null,
        annotations: null,
        platforms: null,
        config: null,
        exemptImages: null,
        onLookupError: null,
        enforcement: null,
        pinDigest: null,
      }),
    ).toEqual({ valid: true });
    expect(settingsOf({ licenses: { required: null, unlisted: null, allow: null, deny: null, allowDeprecated: null } })).toEqual({
      valid: true,
    });
  });

  test("documents that are not JSON are refused as such", () => {
    expect(settingsRaw('{"licenses":')).toEqual({ valid: false, message: "settings: not valid JSON: unexpected end of input at byte 12" });
    expect(settingsRaw(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]))).toEqual({
      valid: false,
      message: "settings: not valid JSON: invalid UTF-8 in string at byte 2",
    });
    expect(settingsRaw('{"a":"\\ud800"}x')).toEqual({
      valid: false,
      message: "settings: not valid JSON: trailing characters after the JSON value at byte 14",
    });
  });

  test("huge documents: 20,000 list entries, a bad one at the end named by its index", () => {
    const allow = Array.from({ length: 20_000 }, (_, i) => ["MIT", "Apache-2.0", "LicenseRef-acme"][i % 3]);
    expect(settingsOf({ licenses: { allow } })).toEqual({ valid: true });
    expect(settingsOf({ licenses: { allow: [...allow, "Apachee-2.0"] } })).toEqual({
      valid: false,
      message: 'licenses.allow[20000]: unknown SPDX license or exception id "Apachee-2.0"',
    });
    const big = "x".repeat(200_000);
    expect(settingsOf({ exemptImages: [big, "y\\"] })).toEqual({
      valid: false,
      message: 'exemptImages[1]: pattern "y\\" ends with a lone "\\"',
    });
  });

  test("deep documents: 400 levels in a list entry, 600 levels refused as JSON", () => {
    let deep: unknown = "x";
    for (let i = 0; i < 400; i++) deep = [deep];
    expect(settingsOf({ exemptImages: [deep] })).toEqual({ valid: false, message: "exemptImages[0]: must be a string" });
    expect(settingsRaw(`{"exemptImages":${"[".repeat(600)}${"]".repeat(600)}}`)).toEqual({
      valid: false,
      message: "settings: not valid JSON: nesting deeper than 512 at byte 527",
    });
  });

  test("unknown keys with odd characters are echoed as valid UTF-8", () => {
    expect(settingsOf({ "😀\ud800": 1 })).toEqual({
      valid: false,
      message:
        "😀\ufffd: unknown setting (known: licenses, annotations, platforms, config, exemptImages, onLookupError, enforcement, pinDigest, auditLicenses)",
    });
  });
});

describe("malformed host replies: a rejection naming the image, never an admission under default settings", () => {
  const DIGEST = `sha256:${"ab".repeat(32)}`;
  const image = JSON.parse(recordedManifest("oci_manifest_with_license")) as JsonObject;
  const index = JSON.parse(recordedManifest("oci_index_with_license")) as JsonObject;
  const config = JSON.parse(recordedManifest("manifest_and_config_without_license")) as JsonObject;
  const json = (value: unknown): HostAnswer => ({ ok: true, payload: JSON.stringify(value) });
  const text = (payload: string | Uint8Array): HostAnswer => ({ ok: true, payload });

  /** Validates the one-container Pod with `operation` answered by `reply`, the other lookups correctly. */
  function rejection(operation: string, reply: HostAnswer, settings: JsonObject = {}): string {
    const host: HostScript = (op) => {
      if (op === operation) return reply;
      if (op === "v1/manifest_digest") return json({ digest: DIGEST });
      if (op === "v1/oci_manifest")
        return text(
          recordedManifest(operation === "v1/oci_manifest_config" ? "oci_manifest_without_license" : "oci_manifest_with_license"),
        );
      return { ok: false, error: `unexpected ${op}` };
    };
    const result = validateRaw(payloadOf(POD, settings), host);
    if (!("reply" in result)) throw new Error(`guest error: ${result.error}`);
    expect(result.reply.accepted).toBe(false);
    expect(result.reply.code).toBeUndefined();
    return String(result.reply.message);
  }

  const prefix = (what: string) => `container "app" image "${IMAGE}": ${what} lookup failed: `;

  test.each([
    ["not JSON", text("<html>502 Bad Gateway</html>"), "host reply is not valid JSON: unexpected character at byte 0"],
    ["empty", text(""), "host reply is not valid JSON: unexpected end of input at byte 0"],
    ["truncated", text(JSON.stringify(image).slice(0, 100)), "host reply is not valid JSON: unterminated string at byte 100"],
    [
      "invalid UTF-8",
      text(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])),
      "host reply is not valid JSON: invalid UTF-8 in string at byte 2",
    ],
    ["a JSON string", json("sha256:abc"), "host reply is not a JSON object"],
    ["an array", json([image]), "host reply is not a JSON object"],
    ["null", json(null), "host reply is not a JSON object"],
    [
      "neither shape",
      json({ schemaVersion: 2 }),
      "host reply is neither an image manifest (config and layers) nor an image index (manifests)",
    ],
    [
      "layers that are an object",
      json({ ...image, layers: {} }),
      "host reply is neither an image manifest (config and layers) nor an image index (manifests)",
    ],
    ["a layer that is a number", json({ ...image, layers: [1] }), "host reply: manifest.layers[0] is not an object"],
    [
      "a config digest that is a number",
      json({ ...image, config: { ...(image.config as JsonObject), digest: 5 } }),
      "host reply: manifest.config.digest is not a string",
    ],
    [
      "a layer size that is a string",
      json({ ...image, layers: [{ ...(image.layers as JsonObject[])[0], size: "12" }] }),
      "host reply: manifest.layers[0].size is not an integer",
    ],
    ["annotations that are a list", json({ ...image, annotations: ["MIT"] }), "host reply: manifest.annotations is not an object"],
    [
      "a license that is a number",
      json({ ...image, annotations: { "org.opencontainers.image.licenses": 7 } }),
      "host reply: manifest.annotations.org.opencontainers.image.licenses is not a string",
    ],
    ["a media type that is a number", json({ ...image, mediaType: 5 }), "host reply: manifest.mediaType is not a string"],
    [
      "an odd media type",
      json({ ...image, mediaType: "application/vnd.docker.distribution.manifest.v1+prettyjws" }),
      'host reply has unsupported media type "application/vnd.docker.distribution.manifest.v1+prettyjws"',
    ],
    [
      "a media type in capitals",
      json({ ...image, mediaType: "APPLICATION/VND.OCI.IMAGE.MANIFEST.V1+JSON" }),
      'host reply has unsupported media type "APPLICATION/VND.OCI.IMAGE.MANIFEST.V1+JSON"',
    ],
    ['schemaVersion "2"', json({ ...image, schemaVersion: "2" }), 'host reply has unsupported schemaVersion "2"'],
    ["schemaVersion 1", json({ ...image, schemaVersion: 1 }), "host reply has unsupported schemaVersion 1"],
    [
      "index manifests that are a string",
      json({ ...index, manifests: "x" }),
      "host reply is neither an image manifest (config and layers) nor an image index (manifests)",
    ],
    [
      "an index entry without digest",
      json({ ...index, manifests: [{ ...(index.manifests as JsonObject[])[0], digest: null }] }),
      "host reply: index.manifests[0].digest is missing",
    ],
    [
      "a platform without architecture",
      json({ ...index, manifests: [{ ...(index.manifests as JsonObject[])[0], platform: { os: "linux" } }] }),
      'host reply: index.manifests[0].platform needs "architecture" and "os" strings',
    ],
    [
      "an architecture that is a number",
      json({ ...index, manifests: [{ ...(index.manifests as JsonObject[])[0], platform: { os: "linux", architecture: 1 } }] }),
      "host reply: index.manifests[0].platform.architecture is not a string",
    ],
    ["a host error", { ok: false, error: "manifest unknown" }, "Callback evaluation failure: manifest unknown"],
    ["a host error with odd characters", { ok: false, error: "😀 \ud800" }, "Callback evaluation failure: 😀 \ufffd"],
  ])("v1/oci_manifest: %s", (_what, reply, detail) => {
    expect(rejection("v1/oci_manifest", reply as HostAnswer)).toBe(prefix("manifest") + detail);
  });

  test("v1/oci_manifest: a huge index without license is refused, naming the image", () => {
    const manifests = Array.from({ length: 5000 }, (_, i) => ({
      digest: `sha256:${i.toString(16).padStart(64, "0")}`,
      platform: { os: "linux", architecture: "amd64" },
    }));
    expect(rejection("v1/oci_manifest", json({ schemaVersion: 2, manifests }))).toBe(
      `container "app" image "${IMAGE}": the index lists 5000 platform images and at most 19 are inspected; declare what is checked on the index or its entries, or narrow platforms.inspect`,
    );
  });

  test("v1/oci_manifest: a reply longer than 64 MiB is refused as too long, not parsed", () => {
    const padding = " ".repeat(64 << 20); // valid JSON white space: only the length is wrong
    expect(rejection("v1/oci_manifest", text(`${padding}{}`))).toBe(
      prefix("manifest") + `host reply is not valid JSON: JSON text of ${(64 << 20) + 2} bytes is longer than ${64 << 20}`,
    );
  });

  const configDoc = (change: (c: JsonObject) => void): HostAnswer => {
    const copy = structuredClone(config);
    change(copy);
    return json(copy);
  };
  const inner = (c: JsonObject) => (c.config as JsonObject).config as JsonObject;

  test.each([
    ["not JSON", text("nope"), "host reply is not valid JSON: invalid literal at byte 0"],
    ["a JSON array", json([config]), "host reply is not a JSON object"],
    [
      "no config",
      configDoc((c) => {
        delete c.config;
      }),
      'host reply needs "manifest", "digest" and "config"',
    ],
    [
      "a digest that is a number",
      configDoc((c) => {
        c.digest = 7;
      }),
      'host reply needs "manifest", "digest" and "config" (reply.digest is not a string)',
    ],
    [
      "a config that is a string",
      configDoc((c) => {
        c.config = "x";
      }),
      "host reply: config is not an object",
    ],
    [
      "a manifest without layers",
      configDoc((c) => {
        (c.manifest as JsonObject).layers = null;
      }),
      "host reply: manifest is not an image manifest",
    ],
    [
      "Env that is a string",
      configDoc((c) => {
        inner(c).Env = "PATH=/bin";
      }),
      "host reply: config.config.Env is not an array",
    ],
    [
      "an Env entry that is a number",
      configDoc((c) => {
        inner(c).Env = [1];
      }),
      "host reply: config.config.Env[0] is not a string",
    ],
    [
      "User that is a number",
      configDoc((c) => {
        inner(c).User = 0;
      }),
      "host reply: config.config.User is not a string",
    ],
    [
      "a license label that is a list",
      configDoc((c) => {
        inner(c).Labels = { "org.opencontainers.image.licenses": ["MIT"] };
      }),
      "host reply: config.config.Labels.org.opencontainers.image.licenses is not a string",
    ],
    [
      "an architecture that is a number",
      configDoc((c) => {
        (c.config as JsonObject).architecture = 64;
      }),
      "host reply: config.architecture is not a string",
    ],
    ["a host error", { ok: false, error: "blob unknown" }, "Callback evaluation failure: blob unknown"],
  ])("v1/oci_manifest_config: %s", (_what, reply, detail) => {
    expect(rejection("v1/oci_manifest_config", reply as HostAnswer)).toBe(prefix("config") + detail);
  });

  test.each([
    ["not JSON", text("sha256:abc"), "host reply is not valid JSON: unexpected character at byte 0"],
    ["an empty object", json({}), 'host reply has no "digest" string'],
    ["a bare JSON string", json(DIGEST), 'host reply has no "digest" string'],
    ["a digest that is a number", json({ digest: 5 }), 'host reply has no "digest" string'],
    ["a short digest", json({ digest: "sha256:abc" }), 'host reply: digest "sha256:abc" must have 64 hex digits'],
    ["upper-case hex", json({ digest: `sha256:${"A".repeat(64)}` }), `host reply: digest "sha256:${"A".repeat(64)}" is not lowercase hex`],
    ["an unknown algorithm", json({ digest: `md5:${"a".repeat(32)}` }), 'host reply: unsupported digest algorithm "md5"'],
    ["no algorithm", json({ digest: "a".repeat(64) }), `host reply: digest "${"a".repeat(64)}" has no algorithm`],
    ["a host error", { ok: false, error: "unauthorized" }, "Callback evaluation failure: unauthorized"],
  ])("v1/manifest_digest (pinDigest): %s", (_what, reply, detail) => {
    expect(rejection("v1/manifest_digest", reply as HostAnswer, { pinDigest: true })).toBe(prefix("digest") + detail);
  });

  test("with onLookupError: accept the image is admitted with a warning naming it and the problem", () => {
    const host: HostScript = () => text("<html>");
    const result = validateRaw(payloadOf(POD, { onLookupError: "accept" }), host);
    expect(result).toEqual({
      reply: { accepted: true, warnings: [`${prefix("manifest")}host reply is not valid JSON: unexpected character at byte 0`] },
    });
  });
});
