// The fuzz generators: fast-check arbitraries of cases for policy.wasm, shared by scripts/fuzz.ts
// (long runs) and tests/fuzz.test.ts (a short deterministic run in jest).
//
// Three targets, each a fast-check arbitrary of cases that carry what the policy must do with them:
//   request:  `validate` payloads — mutated realistic requests (wrong types, nulls, missing fields,
//             huge strings, deep nesting, lone surrogates, non-BMP, trailing backslashes) and raw
//             bytes (not JSON, invalid UTF-8, truncated, wrong top-level shapes);
//   settings: `validate_settings` documents — valid ones, and ones with exactly one defect whose
//             field path is known (wrong type, unknown key, bad value, null/array for an object);
//   host:     replies to v1/oci_manifest, v1/oci_manifest_config and v1/manifest_digest —
//             malformed by construction (not JSON, wrong types, bad media types, bad digests, host
//             errors) or odd but valid (huge indexes, extra fields, Docker media types).
// Every outcome is classified the way the real host sees it (wapc-rs WapcHost::call, policy-evaluator
// runtimes/wapc; README "The real engine: wasmtime"):
//   clean         a reply that is valid UTF-8 JSON of the right shape (ValidationResponse or
//                 SettingsValidationResponse);
//   guestError    __guest_error with a non-empty message;
//   trap          the guest trapped (host/wapc.ts turns the exception into "<Name>Error: …"), or
//                 __guest_error was not UTF-8 (the real host traps in String::from_utf8);
//   invalidReply  a reply that is not UTF-8, not JSON or not the right shape, or a failure
//                 without a message.
// Invariants checked on top: malformed JSON → guest error; a well-formed request → clean reply;
// a settings document with a defect → valid:false naming the field path; a malformed host reply
// → rejected under default settings, naming the image; every message valid UTF-8 (implied by
// the classification: replies and errors are decoded with a fatal UTF-8 decoder).

import fc from "fast-check";
import type { JsonObject } from "../../../host/evaluator";
import { container, initContainer, realisticPodRequest, recordedManifest } from "../workloads";
import { encoder, type FuzzCase, type HostAnswer, type HostScript, shorten, strictUtf8 } from "./cases";

// ---------------------------------------------------------------------------------------------
// Values

const LONE_SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff"];

/** Strings meant to hurt: unicode, lone surrogates, non-BMP, trailing backslashes, control characters, long. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 12 }) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...LONE_SURROGATES), fc.string({ maxLength: 8 }))
      .map(([a, s, b]) => a + s + b),
  },
  { weight: 2, arbitrary: fc.tuple(fc.string({ maxLength: 12 }), fc.integer({ min: 1, max: 4 })).map(([s, n]) => s + "\\".repeat(n)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "",
      " ",
      "\u0000",
      "\n\t",
      "😀",
      "a😀b",
      "C:\\data\\",
      "\\",
      '"',
      "\u2028",
      "\ufeff",
      "NOASSERTION",
      "MIT",
      "nginx",
      "ghcr.io/acme/app:1.0",
    ),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom("x", "é", "😀", "\\", 'a"b'), fc.integer({ min: 1000, max: 70_000 })).map(([s, n]) => s.repeat(n)),
  },
);

/** `value` nested `depth` levels deep in arrays and objects. */
function nest(value: unknown, depth: number, objects: boolean): unknown {
  let v = value;
  for (let i = 0; i < depth; i++) v = objects && i % 2 === 0 ? { k: v } : [v];
  return v;
}

/** Any JSON value, biased to what breaks decoders. */
export const anyJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { weight: 3, arbitrary: fc.constantFrom(null, true, false, 0, -1, 1.5, 1e300, -0, 2 ** 53, 65536) },
    { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
    { weight: 4, arbitrary: nastyString },
    { weight: 2, arbitrary: fc.array(tie("value"), { maxLength: 4 }) },
    { weight: 2, arbitrary: fc.dictionary(nastyString, tie("value"), { maxKeys: 4 }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(null, "x", 1), fc.integer({ min: 150, max: 260 }), fc.boolean())
        .map(([v, d, o]) => nest(v, d, o)),
    },
  ),
})).value;

/** A value of another JSON type than `like`'s (null excluded: null often means "default"). */
function wrongType(like: unknown): fc.Arbitrary<unknown> {
  const choices: fc.Arbitrary<unknown>[] = [];
  if (typeof like !== "boolean") choices.push(fc.boolean());
  if (typeof like !== "number") choices.push(fc.oneof(fc.integer(), fc.constant(1.5)));
  if (typeof like !== "string") choices.push(nastyString);
  if (!Array.isArray(like)) choices.push(fc.array(anyJson, { maxLength: 3 }));
  if (like === null || typeof like !== "object" || Array.isArray(like)) choices.push(fc.dictionary(nastyString, anyJson, { maxKeys: 3 }));
  return fc.oneof(...choices);
}

function depthOf(value: unknown): number {
  // Iterative: values may be hundreds of levels deep.
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    max = Math.max(max, d);
    for (const child of Object.values(v as object)) stack.push([child, d + 1]);
  }
  return max;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

type Path = Array<string | number>;

function pathsOf(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (value === null || typeof value !== "object") return out;
  for (const [key, child] of Object.entries(value as object)) {
    const path = [...prefix, Array.isArray(value) ? Number(key) : key];
    out.push(path);
    pathsOf(child, path, out);
  }
  return out;
}

function getAt(root: unknown, path: Path): unknown {
  let v = root;
  for (const step of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[step];
  }
  return v;
}

/** Sets (or, with `undefined`, deletes) the value at `path`; false when the path no longer exists. */
function setAt(root: unknown, path: Path, value: unknown): boolean {
  const parent = getAt(root, path.slice(0, -1));
  if (parent === null || typeof parent !== "object") return false;
  const last = path[path.length - 1];
  if (value === undefined) {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete (parent as Record<string, unknown>)[last as string];
  } else (parent as Record<string | number, unknown>)[last] = value;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Target (a): validate requests

const IMAGES = ["ghcr.io/acme/payments:1.2.0", "docker.io/library/nginx:1.27", "busybox"];

function workloads(): JsonObject[] {
  const pod = realisticPodRequest(
    [container("app", IMAGES[0], 0), container("proxy", IMAGES[1], 1)],
    [initContainer("migrate", IMAGES[2])],
  );
  const template = { metadata: { labels: { app: "payments" } }, spec: (pod.object as JsonObject).spec };
  const deployment = clone(pod);
  deployment.kind = { group: "apps", version: "v1", kind: "Deployment" };
  deployment.object = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "payments" }, spec: { replicas: 2, template } };
  const cronJob = clone(pod);
  cronJob.kind = { group: "batch", version: "v1", kind: "CronJob" };
  cronJob.object = {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: "report" },
    spec: { schedule: "0 * * * *", jobTemplate: { spec: { template } } },
  };
  return [pod, deployment, cronJob];
}

const BASES = workloads();
const BASE_PATHS = BASES.map((b) => pathsOf(b));

/** Answers every image of the base workloads (licensed manifest or index); anything else is not found. */
export const recordedHost: HostScript = (() => {
  const licensedImage = recordedManifest("oci_manifest_with_license");
  const licensedIndex = recordedManifest("oci_index_with_license");
  return (operation: string, image: string): HostAnswer => {
    if (operation === "v1/oci_manifest" && image === IMAGES[1]) return { ok: true, payload: licensedIndex };
    if (operation === "v1/oci_manifest" && IMAGES.includes(image)) return { ok: true, payload: licensedImage };
    return { ok: false, error: `manifest unknown: ${image}` };
  };
})();

const mutation = fc.record({
  at: fc.nat(),
  change: fc.oneof(
    { weight: 3, arbitrary: anyJson.map((v) => ({ set: v })) },
    { weight: 2, arbitrary: fc.constant({ set: null as unknown }) },
    { weight: 2, arbitrary: fc.constant({ set: undefined as unknown }) }, // delete
    { weight: 2, arbitrary: nastyString.map((v) => ({ set: v as unknown })) },
  ),
});

/** A mutated realistic request, serialised as policy-evaluator does. */
const mutatedRequest: fc.Arbitrary<FuzzCase> = fc
  .record({
    base: fc.nat({ max: BASES.length - 1 }),
    mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }),
    settingsJunk: fc.oneof({ weight: 7, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: anyJson }),
  })
  .map(({ base, mutations, settingsJunk }) => {
    const request = clone(BASES[base]);
    const labels: string[] = [];
    for (const m of mutations) {
      const paths = BASE_PATHS[base];
      const path = paths[m.at % paths.length];
      if (setAt(request, path, m.change.set))
        labels.push(`${path.join(".")}=${m.change.set === undefined ? "<deleted>" : shorten(JSON.stringify(m.change.set) ?? "", 40)}`);
    }
    const settings = settingsJunk ?? {};
    const text = JSON.stringify({ request, settings });
    const deep = depthOf({ request, settings }) > 512;
    // With settings that are not {}, an "invalid settings" guest error is also fine.
    const json = deep ? "invalid" : settingsJunk === null ? "request" : "other";
    return {
      target: "request" as const,
      label: `mutated ${BASES[base].kind ? (BASES[base].kind as JsonObject).kind : "?"}: ${labels.join(", ")}`,
      operation: "validate" as const,
      payload: encoder.encode(text),
      host: recordedHost,
      expect: { kind: "request" as const, json },
    };
  });

const INVALID_UTF8 = [
  [0xff],
  [0xc0, 0xaf],
  [0xc3],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xe2, 0x82],
  [0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
];

/** Bytes that are not a well-formed JSON text (or not UTF-8). */
const brokenBytes: fc.Arbitrary<FuzzCase> = fc
  .oneof(
    fc.uint8Array({ maxLength: 600 }).map((b) => ({ label: "random bytes", bytes: b })),
    fc.record({ base: fc.nat({ max: BASES.length - 1 }), cut: fc.nat() }).map(({ base, cut }) => {
      const text = JSON.stringify({ request: BASES[base], settings: {} });
      return { label: `truncated at ${cut % text.length}`, bytes: encoder.encode(text.slice(0, cut % text.length)) };
    }),
    fc.record({ base: fc.nat({ max: BASES.length - 1 }), at: fc.nat(), bad: fc.constantFrom(...INVALID_UTF8) }).map(({ base, at, bad }) => {
      // Invalid UTF-8 inside a string value: right after an opening quote.
      const bytes = encoder.encode(JSON.stringify({ request: BASES[base], settings: {} }));
      const quotes: number[] = [];
      bytes.forEach((b, i) => {
        if (b === 0x22) quotes.push(i);
      });
      const q = quotes[at % quotes.length] + 1;
      return {
        label: `invalid UTF-8 ${bad.map((x) => x.toString(16)).join(" ")} at byte ${q}`,
        bytes: new Uint8Array([...bytes.slice(0, q), ...bad, ...bytes.slice(q)]),
      };
    }),
    fc
      .record({
        base: fc.nat({ max: BASES.length - 1 }),
        at: fc.nat(),
        byte: fc.constantFrom(0x00, 0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0x0a, 0x1f, 0x41),
      })
      .map(({ base, at, byte }) => {
        const bytes = encoder.encode(JSON.stringify({ request: BASES[base], settings: {} }));
        const i = at % bytes.length;
        const copy = bytes.slice();
        copy[i] = byte;
        return { label: `byte ${i} set to 0x${byte.toString(16)}`, bytes: copy };
      }),
    fc
      .constantFrom(
        "",
        " ",
        "{",
        "}",
        "[]",
        "null",
        '"request"',
        '{"request":',
        '{"request":{}',
        '{"request":{}}}',
        '{"request":{},}',
        "{'request':{}}",
        '{"request":{"uid":"\\u12"}}',
        '{"request":{"uid":"\\x"}}',
        '{"request":{"uid":"a\tb"}}',
        '{"request":{}} x',
        '{"request":01}',
        '{"request":-}',
        '{"request":1e}',
        '{"request":.5}',
        '{"request":tru}',
        '{"request":nul}',
        '{"request":{"a" 1}}',
        `{"request":${"[".repeat(600)}${"]".repeat(600)}}`,
        `{"request":{"x":"${"\\\\".repeat(3)}`,
      )
      .map((t) => ({ label: `text ${shorten(JSON.stringify(t), 60)}`, bytes: encoder.encode(t) })),
  )
  .map(({ label, bytes }) => {
    let json: "invalid" | "request" | "other";
    try {
      const value = JSON.parse(strictUtf8.decode(bytes)) as unknown;
      // Some mutations leave a valid text (e.g. a byte replaced by itself, or inside a string).
      const request = value !== null && typeof value === "object" ? (value as JsonObject).request : undefined;
      const settings = value !== null && typeof value === "object" ? (value as JsonObject).settings : undefined;
      json = depthOf(value) > 512 ? "invalid" : "other";
      if (
        json === "other" &&
        request !== null &&
        typeof request === "object" &&
        !Array.isArray(request) &&
        (settings === undefined ||
          settings === null ||
          (typeof settings === "object" && !Array.isArray(settings) && Object.keys(settings as object).length === 0))
      )
        json = "request";
    } catch {
      json = "invalid";
    }
    return {
      target: "request" as const,
      label,
      operation: "validate" as const,
      payload: bytes,
      host: recordedHost,
      expect: { kind: "request" as const, json },
    };
  });

/** Well-formed JSON whose shape is wrong at the top: the request is not an object, etc. */
const wrongShapes: fc.Arbitrary<FuzzCase> = fc
  .oneof(
    anyJson.map((v) => ({ v, label: "any JSON value" })),
    anyJson.map((v) => ({ v: { request: v, settings: {} }, label: "request of any type" })),
    anyJson.map((v) => ({ v: { request: BASES[0], settings: v }, label: "settings of any type" })),
  )
  .map(({ v, label }) => {
    const r = v !== null && typeof v === "object" && !Array.isArray(v) ? (v as JsonObject) : null;
    const settings = r?.settings;
    const requestOk = r !== null && r.request !== null && typeof r.request === "object" && !Array.isArray(r.request);
    const emptySettings =
      settings === undefined ||
      settings === null ||
      (typeof settings === "object" && !Array.isArray(settings) && Object.keys(settings as object).length === 0);
    const json = depthOf(v) > 512 ? "invalid" : requestOk && emptySettings ? "request" : "other";
    return {
      target: "request" as const,
      label,
      operation: "validate" as const,
      payload: encoder.encode(JSON.stringify(v)),
      host: recordedHost,
      expect: { kind: "request" as const, json },
    };
  });

export const requestCases: fc.Arbitrary<FuzzCase> = fc.oneof(
  { weight: 5, arbitrary: mutatedRequest },
  { weight: 3, arbitrary: brokenBytes },
  { weight: 2, arbitrary: wrongShapes },
);

// ---------------------------------------------------------------------------------------------
// Target (b): settings documents

const VALID = {
  ids: [
    "MIT",
    "Apache-2.0",
    "GPL-3.0-only",
    "gpl-2.0",
    "LicenseRef-acme",
    "DocumentRef-x:LicenseRef-y",
    "Classpath-exception-2.0",
    "AdditionRef-x",
    "BSD-3-Clause",
  ],
  globs: ["*", "https://github.com/acme/*", "v?.*", "a\\*b", "", "😀*", "docker.io/library/*", "\\\\"],
  platforms: ["linux/amd64", "linux/arm64", "linux/arm/v7", "windows/amd64", "linux/arm64/v8"],
  keys: ["org.opencontainers.image.source", "a", "😀", "x.y/z"],
};

const settingsDoc: fc.Arbitrary<JsonObject> = fc.record(
  {
    licenses: fc.record(
      {
        required: fc.boolean(),
        unlisted: fc.constantFrom("osi-approved", "fsf-libre", "osi-or-fsf", "any", "none"),
        allow: fc.array(fc.constantFrom(...VALID.ids), { maxLength: 4 }),
        deny: fc.array(fc.constantFrom(...VALID.ids), { maxLength: 4 }),
        allowDeprecated: fc.oneof(fc.boolean(), fc.constant(null)),
      },
      { requiredKeys: [] },
    ),
    annotations: fc.record(
      { required: fc.dictionary(fc.constantFrom(...VALID.keys), fc.constantFrom(...VALID.globs), { maxKeys: 3 }) },
      { requiredKeys: [] },
    ),
    platforms: fc.record({ required: fc.array(fc.constantFrom(...VALID.platforms), { maxLength: 3 }) }, { requiredKeys: [] }),
    config: fc.record(
      {
        rejectRootUser: fc.boolean(),
        forbiddenEnv: fc.array(fc.constantFrom(...VALID.globs), { maxLength: 3 }),
        requiredLabels: fc.dictionary(fc.constantFrom(...VALID.keys), fc.constantFrom(...VALID.globs), { maxKeys: 3 }),
      },
      { requiredKeys: [] },
    ),
    exemptImages: fc.array(fc.constantFrom(...VALID.globs), { maxLength: 3 }),
    onLookupError: fc.constantFrom("reject", "accept", null),
    enforcement: fc.constantFrom("deny", "warn"),
    pinDigest: fc.boolean(),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<JsonObject>;

interface Defect {
  /** the field path the refusal must start with */
  path: string;
  apply: (doc: JsonObject) => void;
}

/** Sets an own property, even "__proto__". */
function put(object: JsonObject, key: string, value: unknown): JsonObject {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  return object;
}

function section(doc: JsonObject, name: string): JsonObject {
  const existing = doc[name];
  if (existing !== null && typeof existing === "object" && !Array.isArray(existing)) return existing as JsonObject;
  const created: JsonObject = {};
  doc[name] = created;
  return created;
}

/** A wrong-typed value that is not null (null means "default") for a setting of type `like`. */
function wrongSetting(like: unknown): fc.Arbitrary<unknown> {
  return wrongType(like).filter((v) => v !== null);
}

const TOP_LEVEL = ["licenses", "annotations", "platforms", "config", "exemptImages", "onLookupError", "enforcement", "pinDigest"];
const NESTED: Record<string, string[]> = {
  licenses: ["required", "unlisted", "allow", "deny", "allowDeprecated"],
  annotations: ["required"],
  platforms: ["required"],
  config: ["rejectRootUser", "forbiddenEnv", "requiredLabels"],
};

/** One defect with the path validate_settings must name. */
const defect: fc.Arbitrary<Defect> = fc.oneof(
  // unknown keys, at each level
  fc
    .tuple(
      nastyString.filter((k) => !TOP_LEVEL.includes(k)),
      anyJson,
    )
    .map(([key, value]): Defect => ({
      path: key,
      apply: (d) => {
        put(d, key, value);
      },
    })),
  fc
    .tuple(fc.constantFrom(...Object.keys(NESTED)), nastyString, anyJson)
    .filter(([s, k]) => !NESTED[s].includes(k))
    .map(([s, key, value]): Defect => ({
      path: `${s}.${key}`,
      apply: (d) => {
        put(section(d, s), key, value);
      },
    })),
  // a section that is not an object (arrays where objects belong)
  fc.tuple(fc.constantFrom(...Object.keys(NESTED)), wrongSetting({})).map(([s, value]): Defect => ({
    path: s,
    apply: (d) => {
      d[s] = value;
    },
  })),
  // wrong types of every leaf
  fc
    .tuple(fc.constantFrom("licenses.required", "licenses.allowDeprecated", "config.rejectRootUser", "pinDigest"), wrongSetting(true))
    .map(([path, value]): Defect => ({ path, apply: (d) => setSetting(d, path, value) })),
  fc
    .tuple(fc.constantFrom("licenses.unlisted", "onLookupError", "enforcement"), wrongSetting("s"))
    .map(([path, value]): Defect => ({ path, apply: (d) => setSetting(d, path, value) })),
  fc
    .tuple(
      fc.constantFrom("licenses.unlisted", "onLookupError", "enforcement"),
      nastyString.filter(
        (s) => !["osi-approved", "fsf-libre", "osi-or-fsf", "any", "none", "reject", "accept", "deny", "warn"].includes(s),
      ),
    )
    .map(([path, value]): Defect => ({ path, apply: (d) => setSetting(d, path, value) })),
  fc
    .tuple(
      fc.constantFrom("licenses.allow", "licenses.deny", "platforms.required", "config.forbiddenEnv", "exemptImages"),
      wrongSetting([]),
    )
    .map(([path, value]): Defect => ({ path, apply: (d) => setSetting(d, path, value) })),
  fc
    .tuple(fc.constantFrom("annotations.required", "config.requiredLabels"), wrongSetting({}))
    .map(([path, value]): Defect => ({ path, apply: (d) => setSetting(d, path, value) })),
  // a bad element in a list: wrong type (including deep nesting) or a bad value
  fc
    .tuple(
      fc.constantFrom("licenses.allow", "licenses.deny", "platforms.required", "config.forbiddenEnv", "exemptImages"),
      fc.nat({ max: 3 }),
      wrongType("s"),
    )
    .map(([path, before, value]): Defect => ({
      path: `${path}[${before}]`,
      apply: (d) => setSetting(d, path, [...validElements(path, before), value]),
    })),
  fc
    .tuple(
      fc.constantFrom("licenses.allow", "licenses.deny"),
      fc.nat({ max: 3 }),
      fc.constantFrom("Apachee-2.0", "MIT AND GPL-3.0-only", " MIT", "MIT+", "licenseref-x", "LicenseRef-", "UNLICENSED", "", "😀"),
    )
    .map(([path, before, value]): Defect => ({
      path: `${path}[${before}]`,
      apply: (d) => setSetting(d, path, [...validElements(path, before), value]),
    })),
  fc
    .tuple(
      fc.nat({ max: 3 }),
      fc.constantFrom("linux", "Linux/amd64", "linux/amd64/v8/x", "linux//amd64", "/amd64", "linux/amd 64", "😀/x"),
    )
    .map(([before, value]): Defect => ({
      path: `platforms.required[${before}]`,
      apply: (d) => setSetting(d, "platforms.required", [...validElements("platforms.required", before), value]),
    })),
  fc
    .tuple(fc.constantFrom("config.forbiddenEnv", "exemptImages"), fc.nat({ max: 3 }), fc.constantFrom("abc\\", "\\", "a\\\\\\"))
    .map(([path, before, value]): Defect => ({
      path: `${path}[${before}]`,
      apply: (d) => setSetting(d, path, [...validElements(path, before), value]),
    })),
  // a bad entry of a map: not a string, a bad glob, an empty key
  fc
    .tuple(
      fc.constantFrom("annotations.required", "config.requiredLabels"),
      nastyString.filter((k) => k.length > 0),
      fc.oneof(wrongType("s"), fc.constantFrom("x\\", "\\")),
    )
    .map(([path, key, value]): Defect => ({ path: `${path}["${key}"]`, apply: (d) => setSetting(d, path, put({}, key, value)) })),
  fc
    .constantFrom("annotations.required", "config.requiredLabels")
    .map((path): Defect => ({ path: `${path}[""]`, apply: (d) => setSetting(d, path, { "": "*" }) })),
);

/** `count` valid elements for the list at `path`. */
function validElements(path: string, count: number): string[] {
  const pool = path.startsWith("licenses") ? VALID.ids : path === "platforms.required" ? VALID.platforms : VALID.globs;
  return pool.slice(0, count);
}

function setSetting(doc: JsonObject, path: string, value: unknown): void {
  const [first, second] = path.split(".");
  if (second === undefined) doc[first] = value;
  else section(doc, first)[second] = value;
}

/** A settings document: valid, or with exactly one defect; sometimes huge, sometimes not JSON at all. */
export const settingsCases: fc.Arbitrary<FuzzCase> = fc
  .oneof(
    { weight: 3, arbitrary: settingsDoc.map((doc) => ({ doc, defect: null as Defect | null })) },
    { weight: 6, arbitrary: fc.tuple(settingsDoc, defect).map(([doc, d]) => ({ doc, defect: d as Defect | null })) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom("allow", "deny"), fc.integer({ min: 1000, max: 20_000 })).map(([list, n]) => ({
        doc: { licenses: { [list]: Array.from({ length: n }, (_, i) => VALID.ids[i % VALID.ids.length]) } } as JsonObject,
        defect: null as Defect | null,
      })),
    },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 100, max: 500 }).map((depth) => ({
        doc: { exemptImages: [nest("x", depth, true)] } as JsonObject,
        defect: { path: "exemptImages[0]", apply: () => {} } as Defect | null,
      })),
    },
  )
  .map(({ doc, defect: d }) => {
    const copy = clone(doc);
    d?.apply(copy);
    return {
      target: "settings" as const,
      label: d === null ? `valid ${shorten(JSON.stringify(copy), 80)}` : `defect at ${shorten(d.path, 80)}`,
      operation: "validate_settings" as const,
      payload: encoder.encode(JSON.stringify(copy)),
      host: recordedHost,
      expect: { kind: "settings" as const, defect: d === null ? null : d.path },
    };
  });

/** Documents that are not an object (null means the defaults) or not JSON: always refused, as "settings: …". */
export const brokenSettingsCases: fc.Arbitrary<FuzzCase> = fc
  .oneof(
    fc.uint8Array({ maxLength: 200 }).filter((b) => {
      try {
        JSON.parse(strictUtf8.decode(b));
        return false;
      } catch {
        return true;
      }
    }),
    fc
      .constantFrom("[]", "1", '"licenses"', "{", '{"licenses":}', `${"[".repeat(700)}${"]".repeat(700)}`, '{"a":"\\ud800"', "\ufeff{}")
      .map((t) => encoder.encode(t)),
    anyJson.filter((v) => v !== null && (typeof v !== "object" || Array.isArray(v))).map((v) => encoder.encode(JSON.stringify(v))),
  )
  .map((bytes) => ({
    target: "settings" as const,
    label: `not an object: ${shorten(JSON.stringify(Buffer.from(bytes).toString("latin1")), 60)}`,
    operation: "validate_settings" as const,
    payload: bytes,
    host: recordedHost,
    expect: { kind: "settings" as const, defect: "settings" },
  }));

// ---------------------------------------------------------------------------------------------
// Target (c): host replies

const IMAGE = "ghcr.io/acme/app:1.0";
const DIGEST = "sha256:" + "ab".repeat(32);

interface Reply {
  label: string;
  answer: HostAnswer;
  malformed: boolean;
}

/** A reply built from `base` with one field of the policy's model given a wrong-typed value. */
function wrongField(base: JsonObject, path: Path, label: string, allowNull: boolean): fc.Arbitrary<Reply> {
  const like = getAt(base, path);
  // (An object with "os" could pass for a platform: left out.)
  const wrong = wrongType(like).filter((v) => !(v !== null && typeof v === "object" && !Array.isArray(v) && "os" in v));
  return wrong
    .chain((value) => (allowNull ? fc.constant(value) : fc.constantFrom(value, null)))
    .map((value) => {
      const doc = clone(base);
      setAt(doc, path, value);
      return {
        label: `${label} ${path.join(".")} = ${shorten(JSON.stringify(value) ?? "", 60)}`,
        answer: { ok: true as const, payload: JSON.stringify(doc) },
        malformed: true,
      };
    });
}

function textReplies(valid: string): fc.Arbitrary<Reply> {
  return fc.oneof(
    fc.nat().map((cut) => ({
      label: `truncated at ${cut % valid.length}`,
      answer: { ok: true as const, payload: valid.slice(0, cut % valid.length) },
      malformed: true,
    })),
    fc.uint8Array({ maxLength: 300 }).map((b) => ({ label: "random bytes", answer: { ok: true as const, payload: b }, malformed: true })),
    fc
      .constantFrom(
        "",
        "<html>502 Bad Gateway</html>",
        "null",
        "[]",
        "0",
        '"sha256:abc"',
        "{}",
        '{"schemaVersion":2}',
        "true",
        `${"[".repeat(600)}${"]".repeat(600)}`,
      )
      .map((t) => ({ label: `text ${shorten(JSON.stringify(t), 40)}`, answer: { ok: true as const, payload: t }, malformed: true })),
    fc.constantFrom(...INVALID_UTF8).map((bad) => {
      const bytes = encoder.encode(valid);
      const q = bytes.indexOf(0x22) + 1;
      return {
        label: "invalid UTF-8 in a string",
        answer: { ok: true as const, payload: new Uint8Array([...bytes.slice(0, q), ...bad, ...bytes.slice(q)]) },
        malformed: true,
      };
    }),
    nastyString.map((error) => ({
      label: `host error ${shorten(JSON.stringify(error), 40)}`,
      answer: { ok: false as const, error },
      malformed: true,
    })),
  );
}

const manifestReplies: fc.Arbitrary<Reply> = (() => {
  const image = JSON.parse(recordedManifest("oci_manifest_with_license")) as JsonObject;
  const index = JSON.parse(recordedManifest("oci_index_with_license")) as JsonObject;
  const imageText = JSON.stringify(image);
  const license = "org.opencontainers.image.licenses";
  return fc.oneof(
    textReplies(imageText),
    // wrong types where the policy reads (null is allowed for optional fields, so excluded there)
    fc
      .constantFrom<Path>(
        ["mediaType"],
        ["config", "digest"],
        ["layers", 0, "digest"],
        ["layers", 1],
        ["annotations"],
        ["annotations", license],
        ["annotations", "org.opencontainers.image.source"],
        ["layers", 0, "size"],
        ["layers", 0, "platform"],
      )
      .chain((p) =>
        wrongField(
          image,
          p,
          "image manifest",
          p[0] !== "config" &&
            p[p.length - 1] !== "digest" &&
            !(p[0] === "layers" && p.length === 2) &&
            !(p[0] === "annotations" && p.length === 2),
        ),
      ),
    fc.constantFrom<Path>(["config"], ["layers"]).chain((p) => wrongField(image, p, "image manifest", false)),
    fc
      .constantFrom<Path>(
        ["manifests"],
        ["manifests", 0],
        ["manifests", 0, "digest"],
        ["manifests", 1, "platform"],
        ["manifests", 1, "platform", "architecture"],
        ["manifests", 0, "platform", "os"],
        ["manifests", 1, "platform", "variant"],
        ["manifests", 2, "annotations"],
        ["annotations"],
        ["annotations", license],
        ["mediaType"],
      )
      .chain((p) =>
        wrongField(
          index,
          p,
          "index",
          !(
            p[p.length - 1] === "manifests" ||
            (p[0] === "manifests" && p.length === 2) ||
            p[p.length - 1] === "digest" ||
            p[p.length - 1] === "architecture" ||
            p[p.length - 1] === "os" ||
            (p[0] === "annotations" && p.length === 2)
          ),
        ),
      ),
    fc
      .oneof(
        fc.integer({ min: -3, max: 5 }).filter((v) => v !== 2),
        fc.constant(2.5),
        fc.constant("2"),
      )
      .map((v) => ({
        label: `schemaVersion ${JSON.stringify(v)}`,
        answer: { ok: true as const, payload: JSON.stringify({ ...image, schemaVersion: v }) },
        malformed: true,
      })),
    nastyString
      .filter((m) => !m.startsWith("application/vnd."))
      .map((m) => ({
        label: `media type ${shorten(JSON.stringify(m), 40)}`,
        answer: { ok: true as const, payload: JSON.stringify({ ...image, mediaType: m }) },
        malformed: true,
      })),
    fc
      .constantFrom(
        "application/vnd.docker.distribution.manifest.v1+prettyjws",
        "application/vnd.oci.image.config.v1+json",
        "application/json",
        "APPLICATION/VND.OCI.IMAGE.MANIFEST.V1+JSON",
      )
      .map((m) => ({
        label: `media type ${m}`,
        answer: { ok: true as const, payload: JSON.stringify({ ...image, mediaType: m }) },
        malformed: true,
      })),
    // odd but valid: Docker media types, no media type, extra fields, huge indexes, null optionals
    fc.constantFrom("application/vnd.docker.distribution.manifest.v2+json", null).map((m) => ({
      label: `valid, media type ${String(m)}`,
      answer: { ok: true as const, payload: JSON.stringify({ ...image, mediaType: m }) },
      malformed: false,
    })),
    fc.dictionary(nastyString, anyJson, { maxKeys: 3 }).map((extra) => ({
      label: "valid, extra fields",
      answer: { ok: true as const, payload: JSON.stringify({ ...extra, ...image }) },
      malformed: false,
    })),
    fc
      .tuple(
        fc.oneof(
          { weight: 9, arbitrary: fc.integer({ min: 17, max: 300 }) },
          { weight: 1, arbitrary: fc.integer({ min: 1000, max: 20_000 }) },
        ),
        fc.boolean(),
      )
      .map(([n, withLicense]) => {
        const manifests = Array.from({ length: n }, (_, i) => ({
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          digest: `sha256:${i.toString(16).padStart(64, "0")}`,
          size: 1000 + i,
          platform: { architecture: ["amd64", "arm64", "s390x", "riscv64"][i % 4], os: i % 7 === 0 ? "windows" : "linux" },
        }));
        const doc = withLicense
          ? { ...index, manifests }
          : { schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests };
        // Without a license on the index the policy would have to inspect N > 16 images: refused.
        return {
          label: `index with ${n} platforms${withLicense ? "" : ", no license"}`,
          answer: { ok: true as const, payload: JSON.stringify(doc) },
          malformed: !withLicense,
        };
      }),
  );
})();

const configReplies: fc.Arbitrary<Reply> = (() => {
  const reply = JSON.parse(recordedManifest("manifest_and_config_without_license")) as JsonObject;
  const text = JSON.stringify(reply);
  return fc.oneof(
    textReplies(text),
    fc
      .constantFrom<Path>(["manifest"], ["config"], ["digest"], ["manifest", "layers"], ["manifest", "config"])
      .chain((p) => wrongField(reply, p, "config reply", false)),
    fc
      .constantFrom<Path>(
        ["config", "config"],
        ["config", "config", "Env"],
        ["config", "config", "Env", 0],
        ["config", "config", "Labels"],
        ["config", "config", "User"],
        ["config", "architecture"],
        ["config", "os"],
        ["manifest", "annotations"],
        ["manifest", "layers", 0, "digest"],
      )
      .chain((p) => wrongField(reply, p, "config reply", !(p[p.length - 1] === 0 || p[p.length - 1] === "digest"))),
    fc.tuple(nastyString, wrongType("s")).map(([key, value]) => {
      const doc = clone(reply);
      ((doc.config as JsonObject).config as JsonObject).Labels = put({}, key, value);
      return { label: "config label not a string", answer: { ok: true as const, payload: JSON.stringify(doc) }, malformed: true };
    }),
    // odd but valid: labels with any strings (the license label then decides), extra fields
    fc.dictionary(nastyString, nastyString, { maxKeys: 4 }).map((labels) => {
      const doc = clone(reply);
      ((doc.config as JsonObject).config as JsonObject).Labels = labels;
      return { label: "valid, odd labels", answer: { ok: true as const, payload: JSON.stringify(doc) }, malformed: false };
    }),
  );
})();

const digestReplies: fc.Arbitrary<Reply> = fc.oneof(
  textReplies(JSON.stringify({ digest: DIGEST })),
  wrongType("s").map((v) => ({
    label: `digest ${shorten(JSON.stringify(v) ?? "", 40)}`,
    answer: { ok: true as const, payload: JSON.stringify({ digest: v }) },
    malformed: true,
  })),
  fc
    .oneof(
      nastyString,
      fc.constantFrom(
        "sha256:" + "AB".repeat(32),
        "sha256:" + "ab".repeat(31),
        "sha1:" + "ab".repeat(20),
        "sha256" + "ab".repeat(32),
        "sha512:" + "ab".repeat(32),
        "sha256:" + "g".repeat(64),
      ),
    )
    .filter((d) => !/^(sha256:[0-9a-f]{64}|sha384:[0-9a-f]{96}|sha512:[0-9a-f]{128})$/.test(d))
    .map((d) => ({
      label: `digest ${shorten(JSON.stringify(d), 40)}`,
      answer: { ok: true as const, payload: JSON.stringify({ digest: d }) },
      malformed: true,
    })),
  fc.constantFrom("sha384:" + "cd".repeat(48), "sha512:" + "ef".repeat(64), DIGEST).map((d) => ({
    label: `valid digest ${d.slice(0, 12)}`,
    answer: { ok: true as const, payload: JSON.stringify({ digest: d, extra: [1] }) },
    malformed: false,
  })),
);

/**
 * One container whose image's lookups are answered by `reply` for `operation`, the rest correctly;
 * under default settings (pinDigest for the digest), where a malformed reply must be a rejection,
 * and, for a quarter of the cases, under random valid settings (every check active in turn), where
 * only the outcome class is checked.
 */
export const hostCases: fc.Arbitrary<FuzzCase> = fc
  .tuple(
    fc.oneof(
      manifestReplies.map((r) => ({ r, operation: "v1/oci_manifest", settings: {} as JsonObject })),
      configReplies.map((r) => ({ r, operation: "v1/oci_manifest_config", settings: {} as JsonObject })),
      digestReplies.map((r) => ({ r, operation: "v1/manifest_digest", settings: { pinDigest: true } as JsonObject })),
    ),
    fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: settingsDoc }),
    fc.option(
      fc.record(
        { runAsUser: fc.oneof(fc.integer({ min: -1, max: 2 }), anyJson), runAsNonRoot: fc.oneof(fc.boolean(), anyJson) },
        { requiredKeys: [] },
      ),
      { freq: 3 },
    ),
  )
  .map(([{ r, operation, settings: defaults }, random, securityContext]) => {
    const settings = random ?? defaults;
    const r2 = random === null ? r : { ...r, malformed: false }; // the invariant holds under default settings only
    return { r: r2, operation, settings, securityContext };
  })
  .map(({ r, operation, settings, securityContext }) => {
    const licensed = recordedManifest("oci_manifest_with_license");
    const unlicensed = recordedManifest("oci_manifest_without_license");
    const app = container("app", IMAGE, 0);
    if (securityContext !== null) app.securityContext = securityContext;
    const request = realisticPodRequest([app]);
    const host: HostScript = (op, image) => {
      if (op === operation) return r.answer;
      if (op === "v1/manifest_digest") return { ok: true, payload: JSON.stringify({ digest: DIGEST }) };
      // For the config target the manifest carries no license, so the config is asked for.
      if (op === "v1/oci_manifest") return { ok: true, payload: operation === "v1/oci_manifest_config" ? unlicensed : licensed };
      if (op === "v1/oci_manifest_config") return { ok: true, payload: recordedManifest("manifest_and_config_with_license_label") };
      return { ok: false, error: `unexpected lookup ${op} ${image}` };
    };
    return {
      target: "host" as const,
      label: `${operation}: ${r.label}`,
      operation: "validate" as const,
      payload: encoder.encode(JSON.stringify({ request, settings })),
      host,
      expect: { kind: "host" as const, malformed: r.malformed, image: IMAGE },
    };
  });

export const TARGETS: Record<FuzzCase["target"], fc.Arbitrary<FuzzCase>> = {
  request: requestCases,
  settings: fc.oneof({ weight: 9, arbitrary: settingsCases }, { weight: 1, arbitrary: brokenSettingsCases }),
  host: hostCases,
};
