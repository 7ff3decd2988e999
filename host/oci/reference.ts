// Image references parsed and normalised like oci-spec-rs (src/distribution/reference.rs), which
// is what oci-client and so Kubewarden use:
//   "nginx"                      → docker.io / library/nginx : latest
//   "index.docker.io/x/y"        → docker.io / x/y : latest
//   "localhost:5000/x", "127.0.0.1:5000/x", "a.b/x" → that registry (the first component is a
//                                  registry when it has a "." or ":" or is "localhost")
//   "name:tag@sha256:…"          → tag and digest kept; the digest wins in URLs
// oci-spec matches one large regular expression. The same language is checked here piece by piece,
// because that expression has nested quantifiers that make a backtracking engine (JavaScript's)
// exponential on inputs such as "aaaa…a!"; Rust's engine has no such problem.
// Errors are values, with oci-spec's ParseError texts.
// Where oci-spec and the distribution reference grammar (https://github.com/distribution/reference)
// differ, the grammar wins, so that the guest (assembly/sdk/oci/reference.ts) and this host accept
// the same references: tags are ASCII (Go's \w), IPv6 literals are registries, digests are
// lowercase hex, the normalised name has at most 255 characters, a bare 64-hex identifier is no
// name. test_data/references/corpus.json holds the cases both must answer alike.

export interface ImageReference {
  /** "docker.io", "ghcr.io", "127.0.0.1:5000" … */
  readonly registry: string;
  /** "library/nginx" */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

export type ReferenceErrorKind =
  | "DigestInvalidFormat"
  | "DigestInvalidLength"
  | "DigestUnsupported"
  | "NameContainsUppercase"
  | "NameEmpty"
  | "NameTooLong"
  | "ReferenceInvalidFormat"
  | "TagInvalidFormat";

export interface ReferenceError {
  readonly kind: ReferenceErrorKind;
  /** oci-spec's Display text, e.g. "invalid reference format" */
  readonly message: string;
}

export type ReferenceParseResult =
  { readonly ok: true; readonly reference: ImageReference } | { readonly ok: false; readonly error: ReferenceError };

const MESSAGES: Record<ReferenceErrorKind, string> = {
  DigestInvalidFormat: "invalid checksum digest format",
  DigestInvalidLength: "invalid checksum digest length",
  DigestUnsupported: "unsupported digest algorithm",
  NameContainsUppercase: "repository name must be lowercase",
  NameEmpty: "repository name must have at least one component",
  NameTooLong: "repository name must not be more than 255 characters",
  ReferenceInvalidFormat: "invalid reference format",
  TagInvalidFormat: "invalid tag format",
};

/** policy-fetcher's wrapper for a parse error (`RegistryError::InvalidOCIImageReferenceError`). */
export const INVALID_REFERENCE_PREFIX = "Invalid OCI image reference: ";

const NAME_TOTAL_LENGTH_MAX = 255;
const DOCKER_HUB_DOMAIN_LEGACY = "index.docker.io";
const DOCKER_HUB_DOMAIN = "docker.io";
const DOCKER_HUB_API_HOST = "index.docker.io";
const DOCKER_HUB_OFFICIAL_REPO_NAME = "library";
const DEFAULT_TAG = "latest";
const DIGEST_HEX_LENGTHS: ReadonlyMap<string, number> = new Map([
  ["sha256", 64],
  ["sha384", 96],
  ["sha512", 128],
]);

// Pieces of oci-spec's REFERENCE_REGEXP, each free of nested quantifiers.
const DOMAIN_COMPONENT = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
const PORT = /^[0-9]+$/;
const IPV6_LITERAL = /^\[[a-fA-F0-9:]+\]$/;
const IDENTIFIER = /^[a-f0-9]{64}$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
// distribution's tag: Go's \w is ASCII (oci-spec's Rust \w would also take other letters).
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}$/;

function failure(kind: ReferenceErrorKind): ReferenceParseResult {
  return { ok: false, error: { kind, message: MESSAGES[kind] } };
}

/** host[:port], host a domain name or a bracketed IPv6 literal (distribution's domainAndPort). */
function isDomain(text: string): boolean {
  let host: string;
  let port: string | undefined;
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close < 0) return false;
    host = text.slice(0, close + 1);
    const rest = text.slice(close + 1);
    if (rest !== "" && !rest.startsWith(":")) return false;
    port = rest === "" ? undefined : rest.slice(1);
    if (!IPV6_LITERAL.test(host)) return false;
  } else {
    const colon = text.indexOf(":");
    host = colon < 0 ? text : text.slice(0, colon);
    port = colon < 0 ? undefined : text.slice(colon + 1);
    if (!host.split(".").every((part) => DOMAIN_COMPONENT.test(part))) return false;
  }
  return port === undefined || PORT.test(port);
}

function isPath(text: string): boolean {
  return text.split("/").every((part) => PATH_COMPONENT.test(part));
}

interface Captures {
  name: string;
  tag?: string;
  digest?: string;
}

/** name[:tag][@digest] after an optional "domain/" prefix, with the regex's leftmost-first preference. */
function capture(input: string): Captures | undefined {
  const at = input.indexOf("@");
  const nameAndTag = at < 0 ? input : input.slice(0, at);
  const digest = at < 0 ? undefined : input.slice(at + 1);
  if (digest !== undefined && !DIGEST.test(digest)) return undefined;

  const tail = (rest: string): { path: string; tag?: string } | undefined => {
    const colon = rest.indexOf(":", rest.lastIndexOf("/") + 1);
    if (colon < 0) return isPath(rest) ? { path: rest } : undefined;
    const path = rest.slice(0, colon);
    const tag = rest.slice(colon + 1);
    return isPath(path) && TAG.test(tag) ? { path, tag } : undefined;
  };

  // First alternative: with a domain (everything up to the first "/").
  const slash = nameAndTag.indexOf("/");
  if (slash > 0 && isDomain(nameAndTag.slice(0, slash))) {
    const rest = tail(nameAndTag.slice(slash + 1));
    if (rest !== undefined) {
      return { name: `${nameAndTag.slice(0, slash + 1)}${rest.path}`, tag: rest.tag, digest };
    }
  }
  // Second alternative: no domain.
  const rest = tail(nameAndTag);
  return rest === undefined ? undefined : { name: rest.path, tag: rest.tag, digest };
}

/** distribution's splitDomain, as rewritten in oci-spec. */
function splitDomain(name: string): { registry: string; repository: string } {
  let domain: string;
  let remainder: string;
  const slash = name.indexOf("/");
  if (slash < 0) {
    domain = DOCKER_HUB_DOMAIN;
    remainder = name;
  } else {
    const left = name.slice(0, slash);
    if (!(left.includes(".") || left.includes(":")) && left !== "localhost") {
      domain = DOCKER_HUB_DOMAIN;
      remainder = name;
    } else {
      domain = left;
      remainder = name.slice(slash + 1);
    }
  }
  if (domain === DOCKER_HUB_DOMAIN_LEGACY) domain = DOCKER_HUB_DOMAIN;
  if (domain === DOCKER_HUB_DOMAIN && !remainder.includes("/")) {
    remainder = `${DOCKER_HUB_OFFICIAL_REPO_NAME}/${remainder}`;
  }
  return { registry: domain, repository: remainder };
}

export function parseReference(input: string): ReferenceParseResult {
  if (input.length === 0) return failure("NameEmpty");
  if (IDENTIFIER.test(input)) return failure("ReferenceInvalidFormat");
  const captures = capture(input);
  if (captures === undefined) return failure("ReferenceInvalidFormat");
  const tag = captures.tag === undefined && captures.digest === undefined ? DEFAULT_TAG : captures.tag;
  const { registry, repository } = splitDomain(captures.name);
  if (Buffer.byteLength(`${registry}/${repository}`, "utf8") > NAME_TOTAL_LENGTH_MAX) return failure("NameTooLong");
  if (captures.digest !== undefined) {
    const colon = captures.digest.indexOf(":");
    const algorithm = captures.digest.slice(0, colon);
    const hex = captures.digest.slice(colon + 1);
    const expectedLength = DIGEST_HEX_LENGTHS.get(algorithm);
    if (expectedLength === undefined) return failure("DigestUnsupported");
    if (hex.length !== expectedLength) return failure("DigestInvalidLength");
    if (hex !== hex.toLowerCase()) return failure("DigestInvalidFormat");
  }
  const reference: ImageReference = {
    registry,
    repository,
    ...(tag === undefined ? {} : { tag }),
    ...(captures.digest === undefined ? {} : { digest: captures.digest }),
  };
  return { ok: true, reference };
}

/** The normalised form, oci-spec's `whole()`: "docker.io/library/nginx:latest". */
export function wholeReference(reference: ImageReference): string {
  let s = reference.registry === "" ? reference.repository : `${reference.registry}/${reference.repository}`;
  if (reference.tag !== undefined) s += `:${reference.tag}`;
  if (reference.digest !== undefined) s += `@${reference.digest}`;
  return s;
}

/** The host that serves the registry API (Docker Hub's is not docker.io). */
export function resolveRegistry(reference: ImageReference): string {
  return reference.registry === DOCKER_HUB_DOMAIN ? DOCKER_HUB_API_HOST : reference.registry;
}

/** What goes after /manifests/ in the URL: the digest when there is one, else the tag. */
export function manifestUrlReference(reference: ImageReference): string {
  return reference.digest ?? reference.tag ?? DEFAULT_TAG;
}

/** oci-spec's clone_with_digest: same repository, no tag. */
export function withDigest(reference: ImageReference, digest: string): ImageReference {
  return { registry: reference.registry, repository: reference.repository, digest };
}

/**
 * What a lookup accepts, as policy-fetcher does it: oci-client parses the string (a bare
 * ParseError on failure), then policy-fetcher parses the normalised form again (a RegistryError
 * "Invalid OCI image reference: …"), e.g. "Foo/bar" passes the first parse and fails the second.
 */
export function parseForLookup(
  image: string,
): { ok: true; reference: ImageReference } | { ok: false; error: ReferenceError; reparsed: boolean } {
  const parsed = parseReference(image);
  if (!parsed.ok) return { ok: false, error: parsed.error, reparsed: false };
  const reparsed = parseReference(wholeReference(parsed.reference));
  if (!reparsed.ok) return { ok: false, error: reparsed.error, reparsed: true };
  return reparsed;
}

/** Convenience: the normalised string, or the parse error. */
export function normaliseReference(input: string): { ok: true; value: string } | { ok: false; error: ReferenceError } {
  const parsed = parseReference(input);
  return parsed.ok ? { ok: true, value: wholeReference(parsed.reference) } : parsed;
}
