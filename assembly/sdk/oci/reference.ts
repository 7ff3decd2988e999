// Image references: parsing and normalisation following the distribution reference grammar
// (https://github.com/distribution/reference, regexp.go and normalize.go ParseNormalizedNamed),
// which is what the kubelet uses to pull:
//   reference := name [ ":" tag ] [ "@" digest ]
//   name      := [domain "/"] path-component ["/" path-component]*
//   domain    := (domain-component ["." domain-component]* | "[" ipv6 "]") [":" port]
//   domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
//   path-component   := [a-z0-9]+ ((\.|_|__|-+) [a-z0-9]+)*
//   tag       := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}   (ASCII: Go's \w)
//   digest    := sha256:<64> | sha384:<96> | sha512:<128> lowercase hex (go-digest's algorithms)
// The first component is a registry when it has "." or ":" or is "localhost" (distribution also
// takes an upper-case first component for a registry; Kubewarden's host, oci-spec-rs, does not and
// refuses such names, so they are refused here: "Foo/bar");
// "index.docker.io" is docker.io; single-name Docker Hub repositories get "library/"; "latest" is
// implied only when there is neither tag nor digest; the normalised name (registry "/" path) has at
// most 255 characters; a bare 64-hex identifier is not a name. test_data/references/corpus.json
// holds the cases both this parser and the host's (host/oci/reference.ts) must answer alike.

import { fail, ok, Result } from "../result";
import { codeUnit, joinStrings } from "../strings";

export const DOCKER_HUB = "docker.io";

export class Reference {
  constructor(
    /** the string as written in the workload */
    public written: string,
    /** registry host[:port], normalised ("docker.io" for Docker Hub) */
    public registry: string,
    /** repository path, normalised ("library/nginx") */
    public repository: string,
    /** tag as written, or null */
    public tag: string | null,
    /** "algorithm:hex", or null */
    public digest: string | null,
    /** the written name without tag and digest, e.g. "nginx" or "ghcr.io/acme/app" */
    public writtenName: string,
    /** docker.io/library/nginx:latest, ghcr.io/acme/app:1.2@sha256:… */
    public normalized: string,
  ) {}

  /** The same repository at `digest`, spelled as written: "nginx@sha256:…". */
  withDigest(digest: string): string {
    return this.writtenName + "@" + digest;
  }

  /** name[:tag]@digest, spelled as written: what a pinned image reads. */
  pinned(digest: string): string {
    const tag = this.tag;
    return this.writtenName + (tag != null ? ":" + tag : "") + "@" + digest;
  }
}

function invalid(written: string, reason: string): Result<Reference> {
  return fail<Reference>("invalid image reference \"" + written + "\": " + reason);
}

export function parseReference(written: string): Result<Reference> {
  if (written.length == 0) return invalid(written, "empty");
  if (written.length > 4096) return invalid(written, "longer than 4096 characters");
  if (isIdentifier(written)) return invalid(written, "a 64-hex identifier is not a repository name");
  let rest = written;
  let digest: string | null = null;
  const at = charIndex(rest, 0x40, 0); // the first "@"
  if (at >= 0) {
    digest = rest.substring(at + 1);
    rest = rest.substring(0, at);
    const problem = digestProblem(digest);
    if (problem != null) return invalid(written, problem);
  }
  let tag: string | null = null;
  const lastColon = lastCharIndex(rest, 0x3a);
  const lastSlash = lastCharIndex(rest, 0x2f);
  if (lastColon > lastSlash) {
    tag = rest.substring(lastColon + 1);
    rest = rest.substring(0, lastColon);
    if (!validTag(tag)) return invalid(written, "invalid tag \"" + tag + "\"");
  }
  if (rest.length == 0) return invalid(written, "no repository name");
  const writtenName = rest;
  let registry = DOCKER_HUB;
  let path = rest;
  const slash = charIndex(rest, 0x2f, 0);
  if (slash >= 0) {
    const first = rest.substring(0, slash);
    if (charIndex(first, 0x2e, 0) >= 0 || charIndex(first, 0x3a, 0) >= 0 || first == "localhost") {
      registry = first;
      path = rest.substring(slash + 1);
      if (!validRegistry(registry)) return invalid(written, "invalid registry \"" + registry + "\"");
    }
  }
  if (registry == "index.docker.io") registry = DOCKER_HUB;
  if (registry == DOCKER_HUB && charIndex(path, 0x2f, 0) < 0) path = "library/" + path;
  // Every "/"-separated component must be valid (an empty one is not).
  let start = 0;
  while (true) {
    let end = charIndex(path, 0x2f, start);
    if (end < 0) end = path.length;
    if (!validComponent(path, start, end)) {
      return invalid(written, "invalid repository name \"" + path + "\" (lowercase letters, digits and . _ - separators)");
    }
    if (end == path.length) break;
    start = end + 1;
  }
  if (registry.length + 1 + path.length > 255) return invalid(written, "repository name longer than 255 characters");
  return ok(new Reference(written, registry, path, tag, digest, writtenName, normalizedText(written, writtenName, registry, path, tag, digest)));
}

/**
 * registry "/" path [":" tag, ":latest" when there is no digest] ["@" digest], joined in one
 * allocation; `written` itself when it is spelled so already, as most references in a cluster
 * are: when its name is registry "/" path (the registry written, not "index.docker.io", no
 * "library/" added: each of those changes the name's length) and it has a tag or a digest.
 */
function normalizedText(written: string, writtenName: string, registry: string, path: string, tag: string | null, digest: string | null): string {
  if (writtenName.length == registry.length + 1 + path.length && (tag != null || digest != null)) return written;
  const parts = [registry, "/", path];
  if (tag != null || digest == null) {
    parts.push(":");
    parts.push(tag != null ? tag : "latest");
  }
  if (digest != null) {
    parts.push("@");
    parts.push(digest);
  }
  return joinStrings(parts, "");
}

/**
 * Index of the first UTF-16 unit `c` in `s` at or after `from`, or -1. Eight units at a time: the
 * last load may read past the string, into the arena's LOAD_SLACK (arena.ts); hits there are not
 * counted.
 */
function charIndex(s: string, c: u32, from: i32): i32 {
  const chars = changetype<usize>(s);
  const n = s.length;
  const needle = i16x8.splat(<i16>c);
  for (let i = from; i < n; i += 8) {
    const hits = i16x8.bitmask(i16x8.eq(v128.load(chars + (<usize>i << 1)), needle));
    if (hits != 0) {
      const at = i + ctz(hits);
      return at < n ? at : -1;
    }
  }
  return -1;
}

/** Index of the last UTF-16 unit `c` in `s`, or -1. Eight units at a time, as charIndex. */
function lastCharIndex(s: string, c: u32): i32 {
  const chars = changetype<usize>(s);
  const needle = i16x8.splat(<i16>c);
  let end = s.length;
  while (end > 0) {
    const start = end >= 8 ? end - 8 : 0;
    const hits = i16x8.bitmask(i16x8.eq(v128.load(chars + (<usize>start << 1)), needle)) & ((1 << (end - start)) - 1);
    if (hits != 0) return start + 31 - clz(hits);
    end = start;
  }
  return -1;
}

// @ts-ignore: decorator
@inline function isLowerAlnum(c: i32): bool {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);
}

// @ts-ignore: decorator
@inline function isHex(c: i32): bool {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66);
}

/** Whether s[start, end) is a repository path component: [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*. */
function validComponent(s: string, start: i32, end: i32): bool {
  if (end <= start) return false;
  if (!isLowerAlnum(codeUnit(s, start)) || !isLowerAlnum(codeUnit(s, end - 1))) return false;
  for (let i = start + 1; i < end - 1; i++) {
    const c = codeUnit(s, i);
    if (isLowerAlnum(c) || c == 0x2d) continue; // "-+" runs are allowed
    if (c == 0x2e) {
      if (!isLowerAlnum(codeUnit(s, i + 1))) return false;
      continue;
    }
    if (c == 0x5f) {
      // "_" or "__", then an alphanumeric
      if (codeUnit(s, i + 1) == 0x5f) i++;
      if (i + 1 >= end || !isLowerAlnum(codeUnit(s, i + 1))) return false;
      continue;
    }
    return false;
  }
  return true;
}

function validTag(tag: string): bool {
  const n = tag.length;
  if (n == 0 || n > 128) return false;
  for (let i = 0; i < n; i++) {
    const c = codeUnit(tag, i);
    const word = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x5f;
    if (word) continue;
    if (i > 0 && (c == 0x2e || c == 0x2d)) continue;
    return false;
  }
  return true;
}

/** Whether `registry` is host[:port], host a domain name or a bracketed IPv6 literal. */
function validRegistry(registry: string): bool {
  const n = registry.length;
  let hostEnd = n;
  if (n > 0 && codeUnit(registry, 0) == 0x5b) {
    // "[" hex and ":" "]": distribution's ipv6address, zone identifiers excluded
    const close = charIndex(registry, 0x5d, 1);
    if (close < 2) return false;
    for (let i = 1; i < close; i++) {
      const c = codeUnit(registry, i);
      if (!(isHex(c) || (c >= 0x41 && c <= 0x46) || c == 0x3a)) return false;
    }
    hostEnd = close + 1;
    if (hostEnd < n && codeUnit(registry, hostEnd) != 0x3a) return false;
  } else {
    const colon = charIndex(registry, 0x3a, 0);
    if (colon >= 0) hostEnd = colon;
    if (!validDomainName(registry, 0, hostEnd)) return false;
  }
  if (hostEnd == n) return true;
  // ":" port, one or more digits
  if (hostEnd + 1 >= n) return false;
  for (let i = hostEnd + 1; i < n; i++) {
    const c = codeUnit(registry, i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

// @ts-ignore: decorator
@inline function isAlnum(c: i32): bool {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** domain-component ("." domain-component)* over s[start, end). */
function validDomainName(s: string, start: i32, end: i32): bool {
  if (end <= start) return false;
  let componentStart = start;
  for (let i = start; i <= end; i++) {
    if (i < end && codeUnit(s, i) != 0x2e) continue;
    // s[componentStart, i) is one component: alphanumerics and inner "-"
    if (i == componentStart) return false;
    if (!isAlnum(codeUnit(s, componentStart)) || !isAlnum(codeUnit(s, i - 1))) return false;
    for (let j = componentStart + 1; j < i - 1; j++) {
      const c = codeUnit(s, j);
      if (!isAlnum(c) && c != 0x2d) return false;
    }
    componentStart = i + 1;
  }
  return true;
}

/** A bare 64-hex identifier, which ParseNormalizedNamed refuses as a name. */
function isIdentifier(s: string): bool {
  if (s.length != 64) return false;
  for (let i = 0; i < 64; i++) {
    if (!isHex(codeUnit(s, i))) return false;
  }
  return true;
}

/** null when `digest` is a supported digest, else what is wrong. */
export function digestProblem(digest: string): string | null {
  const colon = charIndex(digest, 0x3a, 0);
  if (colon < 0) return "digest \"" + digest + "\" has no algorithm";
  const algorithm = digest.substring(0, colon);
  const hex = digest.substring(colon + 1);
  let expected = 0;
  if (algorithm == "sha256") expected = 64;
  else if (algorithm == "sha384") expected = 96;
  else if (algorithm == "sha512") expected = 128;
  else return "unsupported digest algorithm \"" + algorithm + "\"";
  if (hex.length != expected) return "digest \"" + digest + "\" must have " + expected.toString() + " hex digits";
  for (let i = 0; i < hex.length; i++) {
    if (!isHex(codeUnit(hex, i))) return "digest \"" + digest + "\" is not lowercase hex";
  }
  return null;
}
