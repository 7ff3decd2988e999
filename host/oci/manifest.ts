// Manifests and indexes as oci-client 0.17 models them (src/manifest.rs), decoded from a registry
// body and serialised back the way the host's reply carries them: only the known fields, in struct
// order, annotation maps sorted by key, absent optional fields left out. Unknown fields (an index's
// `subject`, a descriptor's `platform` or `data`) are dropped.

import { OciDistributionError } from "./errors";
import { compareKeys, describeJsonType, jsonString, type JsonSyntaxError, type JsonValue, parseJsonBytes } from "./json";

export const MEDIA_TYPES = {
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
} as const;

/** oci-client's MIME_TYPES_DISTRIBUTION_MANIFEST, in its order; sent as the Accept header. */
export const MANIFEST_ACCEPT: readonly string[] = [
  MEDIA_TYPES.dockerManifest,
  MEDIA_TYPES.dockerManifestList,
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.ociIndex,
];

export type Annotations = ReadonlyMap<string, string>;

export interface OciDescriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: bigint;
  readonly urls?: readonly string[];
  readonly annotations?: Annotations;
  readonly artifactType?: string;
}

export interface Platform {
  readonly architecture: string;
  readonly os: string;
  readonly osVersion?: string;
  readonly osFeatures?: readonly string[];
  readonly variant?: string;
  readonly features?: readonly string[];
}

export interface ImageIndexEntry {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: bigint;
  readonly platform?: Platform;
  readonly annotations?: Annotations;
  readonly artifactType?: string;
}

export interface OciImageManifest {
  readonly schemaVersion: number;
  readonly mediaType?: string;
  readonly config: OciDescriptor;
  readonly layers: readonly OciDescriptor[];
  readonly subject?: OciDescriptor;
  readonly artifactType?: string;
  readonly annotations?: Annotations;
}

export interface OciImageIndex {
  readonly schemaVersion: number;
  readonly mediaType?: string;
  readonly manifests: readonly ImageIndexEntry[];
  readonly artifactType?: string;
  readonly annotations?: Annotations;
}

/** `#[serde(untagged)] enum OciManifest { Image, ImageIndex }` */
export type OciManifest =
  { readonly kind: "image"; readonly manifest: OciImageManifest } | { readonly kind: "index"; readonly index: OciImageIndex };

// ---------------------------------------------------------------------------------------------
// Decoding. A decoder throws NO_MATCH when the value does not deserialize into the type, which is
// all an untagged enum needs to know.

const NO_MATCH = new Error("no match");
type Decoder<T> = (value: JsonValue) => T;

const decodeString: Decoder<string> = (v) => {
  if (v.kind !== "string") throw NO_MATCH;
  return v.value;
};

const decodeI64: Decoder<bigint> = (v) => {
  if (v.kind !== "number" || v.value.type === "f64" || v.value.value > (1n << 63n) - 1n) throw NO_MATCH;
  return v.value.value;
};

const decodeU8: Decoder<number> = (v) => {
  if (v.kind !== "number" || v.value.type !== "u64" || v.value.value > 255n) throw NO_MATCH;
  return Number(v.value.value);
};

function decodeVec<T>(item: Decoder<T>): Decoder<T[]> {
  return (v) => {
    if (v.kind !== "array") throw NO_MATCH;
    return v.items.map(item);
  };
}

const decodeAnnotations: Decoder<Annotations> = (v) => {
  if (v.kind !== "object") throw NO_MATCH;
  const out = new Map<string, string>();
  for (const [key, value] of v.entries) out.set(key, decodeString(value));
  return out;
};

function fieldsOf(v: JsonValue): ReadonlyMap<string, JsonValue> {
  if (v.kind !== "object") throw NO_MATCH;
  return v.entries;
}

function required<T>(o: ReadonlyMap<string, JsonValue>, key: string, decode: Decoder<T>): T {
  const value = o.get(key);
  if (value === undefined) throw NO_MATCH;
  return decode(value);
}

/** `Option<T>`: absent or null is None. */
function optional<T>(o: ReadonlyMap<string, JsonValue>, key: string, decode: Decoder<T>): T | undefined {
  const value = o.get(key);
  return value === undefined || value.kind === "null" ? undefined : decode(value);
}

/** Drops the properties whose value is undefined, so absent optional fields stay absent. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

type Fields = ReadonlyMap<string, JsonValue>;

/** A descriptor or an index entry: the fields both have, with `middle` between size and annotations. */
function decodeDescriptorLike<T extends object>(o: Fields, middle: object): T {
  return compact({
    mediaType: required(o, "mediaType", decodeString),
    digest: required(o, "digest", decodeString),
    size: required(o, "size", decodeI64),
    ...middle,
    annotations: optional(o, "annotations", decodeAnnotations),
    artifactType: optional(o, "artifactType", decodeString),
  }) as T;
}

const decodeDescriptor: Decoder<OciDescriptor> = (v) => {
  const o = fieldsOf(v);
  return decodeDescriptorLike(o, { urls: optional(o, "urls", decodeVec(decodeString)) });
};

const decodePlatform: Decoder<Platform> = (v) => {
  const o = fieldsOf(v);
  return compact<Platform>({
    architecture: required(o, "architecture", decodeString),
    os: required(o, "os", decodeString),
    osVersion: optional(o, "os.version", decodeString),
    osFeatures: optional(o, "os.features", decodeVec(decodeString)),
    variant: optional(o, "variant", decodeString),
    features: optional(o, "features", decodeVec(decodeString)),
  });
};

const decodeIndexEntry: Decoder<ImageIndexEntry> = (v) => {
  const o = fieldsOf(v);
  return decodeDescriptorLike(o, { platform: optional(o, "platform", decodePlatform) });
};

/** An image manifest or an image index: the fields both have, with `middle` after mediaType. */
function decodeManifestLike<T extends object>(o: Fields, middle: object): T {
  return compact({
    schemaVersion: required(o, "schemaVersion", decodeU8),
    mediaType: optional(o, "mediaType", decodeString),
    ...middle,
    artifactType: optional(o, "artifactType", decodeString),
    annotations: optional(o, "annotations", decodeAnnotations),
  }) as T;
}

const decodeImageManifest: Decoder<OciImageManifest> = (v) => {
  const o = fieldsOf(v);
  return decodeManifestLike(o, {
    config: required(o, "config", decodeDescriptor),
    layers: required(o, "layers", decodeVec(decodeDescriptor)),
    subject: optional(o, "subject", decodeDescriptor),
  });
};

const decodeImageIndex: Decoder<OciImageIndex> = (v) => {
  const o = fieldsOf(v);
  return decodeManifestLike(o, { manifests: required(o, "manifests", decodeVec(decodeIndexEntry)) });
};

function attempt<T>(decode: Decoder<T>, value: JsonValue): T | undefined {
  try {
    return decode(value);
  } catch (err) {
    if (err === NO_MATCH) return undefined;
    throw err;
  }
}

function endPosition(text: string): string {
  const lines = text.split("\n");
  return `at line ${lines.length} column ${lines[lines.length - 1].length}`;
}

/**
 * oci-client's `validate_image_manifest` followed by the untagged parse (`_pull_manifest`):
 * schemaVersion must be 2, a present mediaType must be one of the four, then Image is tried
 * before ImageIndex. Throws the oci-client error.
 */
export function decodeManifest(body: Uint8Array): OciManifest {
  let value: JsonValue;
  try {
    value = parseJsonBytes(body);
  } catch (err) {
    throw OciDistributionError.versionedParsing((err as JsonSyntaxError).message);
  }
  const text = Buffer.from(body).toString("utf8");
  // struct Versioned { schema_version: i32, media_type: Option<String> }
  if (value.kind !== "object") {
    throw OciDistributionError.versionedParsing(`invalid type: ${describeJsonType(value)}, expected struct Versioned ${endPosition(text)}`);
  }
  const schemaVersion = value.entries.get("schemaVersion");
  if (schemaVersion === undefined) {
    throw OciDistributionError.versionedParsing(`missing field \`schemaVersion\` ${endPosition(text)}`);
  }
  if (schemaVersion.kind !== "number" || schemaVersion.value.type === "f64") {
    throw OciDistributionError.versionedParsing(`invalid type: ${describeJsonType(schemaVersion)}, expected i32 ${endPosition(text)}`);
  }
  const version = schemaVersion.value.value;
  if (version < -(1n << 31n) || version > (1n << 31n) - 1n) {
    throw OciDistributionError.versionedParsing(`invalid value: integer \`${version}\`, expected i32 ${endPosition(text)}`);
  }
  const mediaType = value.entries.get("mediaType");
  if (mediaType !== undefined && mediaType.kind !== "null" && mediaType.kind !== "string") {
    throw OciDistributionError.versionedParsing(`invalid type: ${describeJsonType(mediaType)}, expected a string ${endPosition(text)}`);
  }
  if (version !== 2n) throw OciDistributionError.unsupportedSchemaVersion(Number(version));
  if (mediaType?.kind === "string" && !MANIFEST_ACCEPT.includes(mediaType.value)) {
    throw OciDistributionError.unsupportedMediaType(mediaType.value);
  }
  const image = attempt(decodeImageManifest, value);
  if (image !== undefined) return { kind: "image", manifest: image };
  const index = attempt(decodeImageIndex, value);
  if (index !== undefined) return { kind: "index", index };
  throw OciDistributionError.manifestParsing("data did not match any variant of untagged enum OciManifest");
}

// ---------------------------------------------------------------------------------------------
// Serialisation (serde_json::to_vec of the oci-client structs).

/** oci-spec's Arch round trip: `From<&str>` maps "armbe" to ARM64be, which prints "arm64be". */
function archRoundTrip(architecture: string): string {
  return architecture === "armbe" ? "arm64be" : architecture;
}

function fields(entries: ReadonlyArray<readonly [string, string | undefined]>): string {
  return `{${entries
    .filter((entry): entry is readonly [string, string] => entry[1] !== undefined)
    .map(([key, value]) => `${jsonString(key)}:${value}`)
    .join(",")}}`;
}

function opt<T>(value: T | undefined, write: (v: T) => string): string | undefined {
  return value === undefined ? undefined : write(value);
}

function stringArray(values: readonly string[]): string {
  return `[${values.map(jsonString).join(",")}]`;
}

export function serialiseAnnotations(annotations: Annotations): string {
  const keys = [...annotations.keys()].sort(compareKeys);
  return `{${keys.map((k) => `${jsonString(k)}:${jsonString(annotations.get(k) as string)}`).join(",")}}`;
}

type Field = readonly [string, string | undefined];

/** The fields a descriptor and an index entry both have: `middle` goes between size and annotations. */
function serialiseDescriptorLike(d: OciDescriptor | ImageIndexEntry, middle: Field): string {
  return fields([
    ["mediaType", jsonString(d.mediaType)],
    ["digest", jsonString(d.digest)],
    ["size", d.size.toString()],
    middle,
    ["annotations", opt(d.annotations, serialiseAnnotations)],
    ["artifactType", opt(d.artifactType, jsonString)],
  ]);
}

export function serialiseDescriptor(d: OciDescriptor): string {
  return serialiseDescriptorLike(d, ["urls", opt(d.urls, stringArray)]);
}

export function serialisePlatform(p: Platform): string {
  return fields([
    ["architecture", jsonString(archRoundTrip(p.architecture))],
    ["os", jsonString(p.os)],
    ["os.version", opt(p.osVersion, jsonString)],
    ["os.features", opt(p.osFeatures, stringArray)],
    ["variant", opt(p.variant, jsonString)],
    ["features", opt(p.features, stringArray)],
  ]);
}

export function serialiseIndexEntry(e: ImageIndexEntry): string {
  return serialiseDescriptorLike(e, ["platform", opt(e.platform, serialisePlatform)]);
}

/** The fields an image manifest and an image index both have: `middle` goes after mediaType. */
function serialiseManifestLike(m: OciImageManifest | OciImageIndex, middle: readonly Field[]): string {
  return fields([
    ["schemaVersion", String(m.schemaVersion)],
    ["mediaType", opt(m.mediaType, jsonString)],
    ...middle,
    ["artifactType", opt(m.artifactType, jsonString)],
    ["annotations", opt(m.annotations, serialiseAnnotations)],
  ]);
}

export function serialiseImageManifest(m: OciImageManifest): string {
  return serialiseManifestLike(m, [
    ["config", serialiseDescriptor(m.config)],
    ["layers", `[${m.layers.map(serialiseDescriptor).join(",")}]`],
    ["subject", opt(m.subject, serialiseDescriptor)],
  ]);
}

export function serialiseImageIndex(i: OciImageIndex): string {
  return serialiseManifestLike(i, [["manifests", `[${i.manifests.map(serialiseIndexEntry).join(",")}]`]]);
}

export function serialiseManifest(m: OciManifest): string {
  return m.kind === "image" ? serialiseImageManifest(m.manifest) : serialiseImageIndex(m.index);
}
