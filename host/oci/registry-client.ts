// An OCI Distribution API client that behaves like the one behind Kubewarden's OCI host
// capabilities: policy-fetcher's `Registry` (protocol fallback, credentials) on top of
// oci-client 0.17's `Client` (requests, auth flow, digest checks, errors).
//
// - Every operation runs in `tryWithProtocols`: HTTPS verified with the system roots plus the
//   source's own CAs; for an insecure source, then HTTPS without verification, then plain HTTP.
//   Each attempt uses a fresh session, like policy-fetcher builds a fresh oci-client Client.
// - Auth (oci-client `_auth`): GET /v2/ without credentials; no WWW-Authenticate → anonymous;
//   a Bearer challenge → token from the realm (scope repository:<repo>:pull, service), sent with
//   Basic credentials when there are some; any other challenge → Basic credentials when there
//   are some. A failed token request falls back to an anonymous request (→ "Not authorized").
// - Manifests: GET with Accept naming the four manifest types; the digest comes from
//   Docker-Content-Digest or the sha256 of the body, and is checked against the body and against
//   the reference's digest. `manifestDigest` tries HEAD first.
// - Index resolution for `manifestAndConfig`: the first entry whose platform is the host's OS and
//   architecture (variant ignored).

import { createHash } from "node:crypto";
import * as os from "node:os";
import { ChainError, OciDistributionError, registryFailure } from "./errors";
import { headerValue, type HttpResponse, type HttpTransport, statusText, type TlsVerification } from "./http";
import { type JsonValue, parseJson } from "./json";
import {
  decodeManifest,
  type ImageIndexEntry,
  MANIFEST_ACCEPT,
  type OciDescriptor,
  type OciImageManifest,
  type OciManifest,
} from "./manifest";
import { type ImageReference, manifestUrlReference, resolveRegistry, withDigest } from "./reference";
import type { RegistryAuth } from "./credentials";
import type { Sources } from "./sources";

export interface PlatformSelector {
  readonly os: string;
  readonly architecture: string;
}

export interface RegistryClientOptions {
  readonly transport: HttpTransport;
  readonly sources: Sources;
  /** credentials for a reference's registry ("127.0.0.1:5000", "docker.io") */
  readonly credentials: (registry: string) => RegistryAuth;
  /** the platform an index is resolved to; default: this process's (oci-spec's Os/Arch default) */
  readonly platform?: PlatformSelector;
  /** called when an attempt failed and the next protocol is tried (insecure_sources only) */
  readonly onFallback?: (failed: "https" | "https-unverified", error: unknown) => void;
}

export interface PulledManifest {
  readonly manifest: OciManifest;
  readonly digest: string;
}

export interface ManifestAndConfig {
  /** always an image manifest: an index is resolved to the platform's manifest */
  readonly manifest: OciImageManifest;
  /** the digest of `manifest` (for an index: of the platform manifest, not of the index) */
  readonly digest: string;
  readonly config: JsonValue;
}

type Protocol = { readonly scheme: "https"; readonly tls: TlsVerification } | { readonly scheme: "http" };

const ACCEPT = MANIFEST_ACCEPT.join(", ");

/** oci-spec's Arch::default(): Rust's target arch with Go names for the usual ones. */
export function hostPlatform(): PlatformSelector {
  const arch: Record<string, string> = {
    x64: "amd64",
    arm64: "arm64",
    ia32: "x86",
    arm: "arm",
    ppc64: os.endianness() === "LE" ? "ppc64le" : "ppc64",
    ppc: "powerpc",
    s390x: "s390x",
    riscv64: "riscv64",
    loong64: "loongarch64",
    mips: "mips",
    mipsel: "mips",
  };
  const system: Record<string, string> = { darwin: "macos", win32: "windows", sunos: "solaris" };
  return {
    os: system[process.platform] ?? process.platform,
    architecture: normaliseArch(arch[process.arch] ?? process.arch),
  };
}

/** oci-spec's `Arch::from(&str)` maps "armbe" to ARM64be; every other name is itself. */
function normaliseArch(architecture: string): string {
  return architecture === "armbe" ? "arm64be" : architecture;
}

export class RegistryClient {
  private readonly platform: PlatformSelector;

  constructor(private readonly options: RegistryClientOptions) {
    this.platform = options.platform ?? hostPlatform();
  }

  /** Registry::manifest → Client::pull_manifest. */
  manifest(reference: ImageReference): Promise<PulledManifest> {
    return this.tryWithProtocols(reference, (session) => session.pullManifest(reference));
  }

  /** Registry::manifest_digest → Client::fetch_manifest_digest. */
  manifestDigest(reference: ImageReference): Promise<string> {
    return this.tryWithProtocols(reference, (session) => session.fetchManifestDigest(reference));
  }

  /**
   * Registry::manifest_and_config → Client::pull_manifest_and_config, then the config parsed as
   * JSON (a parse error is not wrapped as a registry error, as in policy-fetcher).
   */
  async manifestAndConfig(reference: ImageReference): Promise<ManifestAndConfig> {
    const { manifest, digest, config } = await this.tryWithProtocols(reference, async (session) => {
      const resolved = await session.pullImageManifest(reference, this.platform);
      const blob = await session.pullBlob(reference, resolved.manifest.config);
      const invalid = utf8Error(blob);
      if (invalid !== undefined) throw OciDistributionError.generic(`Cannot parse config as UTF-8 string: ${invalid}`);
      return { ...resolved, config: blob.toString("utf8") };
    });
    let parsed: JsonValue;
    try {
      parsed = parseJson(config);
    } catch (err) {
      throw new ChainError((err as Error).message);
    }
    return { manifest, digest, config: parsed };
  }

  private async tryWithProtocols<T>(reference: ImageReference, operation: (session: Session) => Promise<T>): Promise<T> {
    const hostAndPort = reference.registry;
    const auth = this.options.credentials(reference.registry);
    const authorities = this.options.sources.sourceAuthorities.get(hostAndPort);
    const first: Protocol = {
      scheme: "https",
      tls: authorities === undefined ? { mode: "system" } : { mode: "custom", ca: authorities },
    };
    const attempts: Protocol[] = [first];
    if (this.options.sources.insecureSources.has(hostAndPort)) {
      attempts.push({ scheme: "https", tls: { mode: "none" } }, { scheme: "http" });
    }
    let lastError: unknown;
    for (const [n, protocol] of attempts.entries()) {
      try {
        return await operation(new Session(this.options.transport, protocol, auth));
      } catch (err) {
        lastError = err;
        if (n + 1 < attempts.length) {
          this.options.onFallback?.(protocol.scheme === "https" && protocol.tls.mode === "none" ? "https-unverified" : "https", err);
        }
      }
    }
    throw lastError instanceof ChainError ? registryFailure(lastError) : lastError;
  }
}

interface Challenge {
  readonly scheme: string;
  readonly params: ReadonlyMap<string, string>;
}

/** RFC 7235 challenges: `Bearer realm="…",service="…", Basic realm="…"`. */
export function parseChallenges(header: string): Challenge[] {
  const challenges: { scheme: string; params: Map<string, string> }[] = [];
  const tokenChar = /[!#$%&'*+.^_`|~0-9A-Za-z-]/;
  let i = 0;
  const skip = (chars: string): void => {
    while (i < header.length && chars.includes(header[i])) i++;
  };
  const token = (): string => {
    const start = i;
    while (i < header.length && tokenChar.test(header[i])) i++;
    return header.slice(start, i);
  };
  while (i < header.length) {
    skip(" \t,");
    const name = token();
    if (name === "") {
      i++;
      continue;
    }
    skip(" \t");
    const current = challenges[challenges.length - 1];
    if (header[i] === "=" && current !== undefined && header[i + 1] !== "=") {
      i++;
      skip(" \t");
      let value = "";
      if (header[i] === '"') {
        i++;
        while (i < header.length && header[i] !== '"') {
          if (header[i] === "\\" && i + 1 < header.length) i++;
          value += header[i++];
        }
        i++;
      } else {
        value = token();
      }
      current.params.set(name.toLowerCase(), value);
    } else {
      challenges.push({ scheme: name, params: new Map() });
    }
  }
  return challenges;
}

/** Rust's FromUtf8Error text for `bytes`, or undefined when they are valid UTF-8. */
export function utf8Error(bytes: Uint8Array): string | undefined {
  let i = 0;
  while (i < bytes.length) {
    const c = bytes[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    const width = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (width === 0) return `invalid utf-8 sequence of 1 bytes from index ${i}`;
    const low = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const high = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k < width; k++) {
      if (i + k >= bytes.length) return `incomplete utf-8 byte sequence from index ${i}`;
      const b = bytes[i + k];
      const ok = k === 1 ? b >= low && b <= high : b >= 0x80 && b <= 0xbf;
      if (!ok) return `invalid utf-8 sequence of ${k} bytes from index ${i}`;
    }
    i += width;
  }
  return undefined;
}

function digestOf(algorithm: string, body: Uint8Array): string | undefined {
  if (algorithm !== "sha256" && algorithm !== "sha384" && algorithm !== "sha512") return undefined;
  return createHash(algorithm).update(body).digest("hex");
}

function splitDigest(digest: string): { algorithm: string; hex: string } {
  const colon = digest.indexOf(":");
  if (colon < 0) throw OciDistributionError.digest("Missing digest algorithm");
  return { algorithm: digest.slice(0, colon), hex: digest.slice(colon + 1) };
}

/** oci-client's calculate_and_validate. */
function calculateAndValidate(body: Uint8Array, expected: string): string {
  const { algorithm, hex } = splitDigest(expected);
  const actual = digestOf(algorithm, body);
  if (actual === undefined) throw OciDistributionError.digest(`Unsupported digest algorithm: ${algorithm}`);
  if (actual !== hex) {
    throw OciDistributionError.digest(`Invalid digest. Expected ${algorithm}:${hex}, got ${algorithm}:${actual}`);
  }
  return `${algorithm}:${actual}`;
}

/** oci-client's validate_digest: the body checked against the header and the reference digests. */
export function validateDigest(body: Uint8Array, header: string | undefined, reference: string | undefined): string {
  if (header !== undefined) splitDigest(header);
  if (reference !== undefined) splitDigest(reference);
  if (header !== undefined && reference !== undefined) {
    if (header === reference) return calculateAndValidate(body, header);
    calculateAndValidate(body, reference);
    return calculateAndValidate(body, header);
  }
  if (header !== undefined) return calculateAndValidate(body, header);
  if (reference !== undefined) return calculateAndValidate(body, reference);
  return `sha256:${createHash("sha256").update(body).digest("hex")}`;
}

const OCI_ERROR_CODES = new Set([
  "BLOB_UNKNOWN",
  "BLOB_UPLOAD_INVALID",
  "BLOB_UPLOAD_UNKNOWN",
  "DIGEST_INVALID",
  "MANIFEST_BLOB_UNKNOWN",
  "MANIFEST_INVALID",
  "MANIFEST_UNKNOWN",
  "MANIFEST_UNVERIFIED",
  "NAME_INVALID",
  "NAME_UNKNOWN",
  "NOT_FOUND",
  "SIZE_INVALID",
  "TAG_INVALID",
  "UNAUTHORIZED",
  "DENIED",
  "UNSUPPORTED",
  "TOOMANYREQUESTS",
]);

/** An OciEnvelope's Display, or undefined when the body is not one. */
function envelopeText(body: Buffer): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
  const errors = (parsed as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return undefined;
  const messages: string[] = [];
  for (const error of errors) {
    if (typeof error !== "object" || error === null || Array.isArray(error)) return undefined;
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (typeof code !== "string" || !OCI_ERROR_CODES.has(code)) return undefined;
    if (message !== undefined && typeof message !== "string") return undefined;
    messages.push(`OCI API error: ${message ?? ""}`);
  }
  return `OCI API errors: [${messages.join("\n")}]`;
}

/** oci-client's validate_registry_response. */
function validateRegistryResponse(status: number, body: Buffer, url: string): void {
  if (status === 200) return;
  if (status === 401) throw OciDistributionError.unauthorized(url);
  if (status >= 200 && status < 300) {
    throw OciDistributionError.specViolation(`Expected HTTP Status 200 OK, got ${statusText(status)} instead`);
  }
  if (status >= 400 && status < 500) {
    const envelope = envelopeText(body);
    if (envelope !== undefined) throw OciDistributionError.registry(url, envelope);
    throw OciDistributionError.server(url, status, body.toString("utf8"));
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(body);
  } catch {
    throw OciDistributionError.manifestEncoding();
  }
  throw OciDistributionError.server(url, status, text);
}

function digestHeader(response: HttpResponse): string | undefined {
  const value = headerValue(response.headers, "docker-content-digest");
  return value === undefined || value === "" ? undefined : value;
}

/** One oci-client Client: a protocol, the credentials, and the auth decisions made so far. */
class Session {
  private readonly authorizations = new Map<string, string | null>();

  constructor(
    private readonly transport: HttpTransport,
    private readonly protocol: Protocol,
    private readonly auth: RegistryAuth,
  ) {}

  private get tls(): TlsVerification | undefined {
    return this.protocol.scheme === "https" ? this.protocol.tls : undefined;
  }

  private base(reference: ImageReference): string {
    return `${this.protocol.scheme}://${resolveRegistry(reference)}`;
  }

  private basicHeader(): string | undefined {
    if (this.auth.kind !== "basic") return undefined;
    return `Basic ${Buffer.from(`${this.auth.username}:${this.auth.password}`, "utf8").toString("base64")}`;
  }

  /** oci-client get_auth_token + _auth: the Authorization header for pulls from this repository. */
  private async authorization(reference: ImageReference): Promise<string | undefined> {
    const key = `${resolveRegistry(reference)}/${reference.repository}`;
    const known = this.authorizations.get(key);
    if (known !== undefined) return known ?? undefined;
    let decision: string | null;
    try {
      decision = await this.authenticate(reference);
    } catch {
      return undefined; // `_auth(..).ok()??`: a failed auth is not remembered; the request goes anonymous
    }
    this.authorizations.set(key, decision);
    return decision ?? undefined;
  }

  private async authenticate(reference: ImageReference): Promise<string | null> {
    const ping = await this.transport.request({ method: "GET", url: `${this.base(reference)}/v2/`, tls: this.tls });
    const header = headerValue(ping.headers, "www-authenticate");
    if (header === undefined) return null;
    const bearer = parseChallenges(header).find((c) => c.scheme.toLowerCase() === "bearer" && c.params.has("realm"));
    if (bearer === undefined) return this.basicHeader() ?? null;
    const realm = new URL(bearer.params.get("realm") as string);
    realm.searchParams.append("scope", `repository:${reference.repository}:pull`);
    const service = bearer.params.get("service");
    if (service !== undefined) realm.searchParams.append("service", service);
    const basic = this.basicHeader();
    const response = await this.transport.request({
      method: "GET",
      url: realm.toString(),
      headers: basic === undefined ? {} : { Authorization: basic },
      tls: this.tls,
    });
    if (response.status !== 200) throw new ChainError(`Authentication failure: ${response.body.toString("utf8")}`);
    const token: unknown = JSON.parse(response.body.toString("utf8"));
    if (typeof token === "object" && token !== null) {
      const { token: value, access_token: accessToken } = token as { token?: unknown; access_token?: unknown };
      if (typeof value === "string") return `Bearer ${value}`;
      if (typeof accessToken === "string") return `Bearer ${accessToken}`;
    }
    throw new ChainError("Failed to decode registry token: data did not match any variant of untagged enum RegistryToken");
  }

  private async send(method: "GET" | "HEAD", url: string, reference: ImageReference): Promise<HttpResponse> {
    const authorization = await this.authorization(reference);
    const headers: Record<string, string> = { Accept: ACCEPT };
    if (authorization !== undefined) headers.Authorization = authorization;
    try {
      return await this.transport.request({ method, url, headers, tls: this.tls });
    } catch (err) {
      if (err instanceof ChainError) throw err;
      throw new ChainError(`error sending request for url (${url})`, [(err as Error).message]);
    }
  }

  private manifestUrl(reference: ImageReference): string {
    return `${this.base(reference)}/v2/${reference.repository}/manifests/${manifestUrlReference(reference)}`;
  }

  /** _pull_manifest_raw + validate_image_manifest + the untagged parse. */
  async pullManifest(reference: ImageReference): Promise<PulledManifest> {
    const url = this.manifestUrl(reference);
    const response = await this.send("GET", url, reference);
    validateRegistryResponse(response.status, response.body, url);
    const digest = validateDigest(response.body, digestHeader(response), reference.digest);
    return { manifest: decodeManifest(response.body), digest };
  }

  /** fetch_manifest_digest: HEAD and its Docker-Content-Digest, else GET and the body's digest. */
  async fetchManifestDigest(reference: ImageReference): Promise<string> {
    const url = this.manifestUrl(reference);
    const head = await this.send("HEAD", url, reference);
    const header = digestHeader(head);
    if (header !== undefined) {
      validateRegistryResponse(head.status, head.body, url);
      if (reference.digest !== undefined) {
        const fromHeader = splitDigest(header);
        const fromReference = splitDigest(reference.digest);
        if (fromHeader.algorithm === fromReference.algorithm && header !== reference.digest) {
          throw OciDistributionError.digest(`Invalid digest. Expected ${reference.digest}, got ${header}`);
        }
      }
      return header;
    }
    const response = await this.send("GET", url, reference);
    validateRegistryResponse(response.status, response.body, url);
    return validateDigest(response.body, digestHeader(response), reference.digest);
  }

  /** _pull_image_manifest: an index is resolved to the platform's image manifest. */
  async pullImageManifest(reference: ImageReference, platform: PlatformSelector): Promise<{ manifest: OciImageManifest; digest: string }> {
    const { manifest, digest } = await this.pullManifest(reference);
    if (manifest.kind === "image") return { manifest: manifest.manifest, digest };
    const entry = selectPlatform(manifest.index.manifests, platform);
    if (entry === undefined) {
      throw OciDistributionError.imageManifestNotFound("no entry found in image index manifest matching client's default platform");
    }
    const platformManifest = await this.pullManifest(withDigest(reference, entry.digest));
    if (platformManifest.manifest.kind !== "image") {
      throw OciDistributionError.imageManifestNotFound("received Image Index manifest instead");
    }
    return { manifest: platformManifest.manifest.manifest, digest: entry.digest };
  }

  /** pull_blob: the blob checked against Docker-Content-Digest and against the descriptor. */
  async pullBlob(reference: ImageReference, descriptor: OciDescriptor): Promise<Buffer> {
    const url = `${this.base(reference)}/v2/${reference.repository}/blobs/${descriptor.digest}`;
    const response = await this.send("GET", url, reference);
    const header = digestHeader(response);
    const checkAlgorithm = (digest: string): void => {
      const { algorithm } = splitDigest(digest);
      if (digestOf(algorithm, new Uint8Array(0)) === undefined) {
        throw OciDistributionError.digest(`Unsupported digest algorithm: ${algorithm}`);
      }
    };
    if (header !== undefined) checkAlgorithm(header);
    checkAlgorithm(descriptor.digest);
    if (response.status < 200 || response.status >= 300) {
      validateRegistryResponse(response.status, response.body, response.url);
    }
    for (const expected of header === undefined ? [descriptor.digest] : [header, descriptor.digest]) {
      const { algorithm } = splitDigest(expected);
      const actual = `${algorithm}:${digestOf(algorithm, response.body) as string}`;
      if (actual !== expected) throw OciDistributionError.digest(`Invalid digest. Expected ${expected}, got ${actual}`);
    }
    return response.body;
  }
}

/** current_platform_resolver: the first entry for the platform's OS and architecture. */
export function selectPlatform(entries: readonly ImageIndexEntry[], platform: PlatformSelector): ImageIndexEntry | undefined {
  return entries.find(
    (entry) =>
      entry.platform !== undefined &&
      entry.platform.os === platform.os &&
      normaliseArch(entry.platform.architecture) === normaliseArch(platform.architecture),
  );
}
