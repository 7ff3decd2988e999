// Registry credentials from a Docker config.json, looked up like policy-fetcher's `Registry::auth`
// (the docker_credential crate): the key is the registry of the reference ("docker.io",
// "ghcr.io", "127.0.0.1:5000"); "docker.io", "index.docker.io", "registry-1.docker.io" and
// "https://index.docker.io/v1/" all name Docker Hub. Order: credHelpers[registry], identity
// token, `auth`, credsStore. A username/password pair becomes HTTP Basic credentials; an identity
// token is not supported and, like every failure, means anonymous access.
// Besides `auth` (base64 "user:password"), plain `username`/`password` fields are accepted.

import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export type RegistryAuth =
  { readonly kind: "anonymous" } | { readonly kind: "basic"; readonly username: string; readonly password: string };

export const ANONYMOUS: RegistryAuth = { kind: "anonymous" };

/**
 * The directory whose config.json is read: kwctl's --docker-config-json-path (which it puts in
 * $DOCKER_CONFIG), else $DOCKER_CONFIG, else ~/.docker.
 */
export function resolveDockerConfigDir(explicit: string | undefined): string {
  if (explicit !== undefined) return explicit;
  const fromEnv = process.env.DOCKER_CONFIG;
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  return path.join(os.homedir(), ".docker");
}

interface AuthEntry {
  auth?: unknown;
  identitytoken?: unknown;
  username?: unknown;
  password?: unknown;
}

interface DockerConfig {
  auths?: Record<string, AuthEntry>;
  credsStore?: unknown;
  credHelpers?: Record<string, unknown>;
}

function normaliseRegistry(registry: string): string {
  return registry === "registry-1.docker.io" || registry === "docker.io" ? "index.docker.io" : registry;
}

function normaliseKey(key: string): string {
  let stripped = key;
  for (const prefix of ["http://", "https://"]) {
    if (stripped.startsWith(prefix)) {
      stripped = stripped.slice(prefix.length).split("/")[0];
      break;
    }
  }
  return normaliseRegistry(stripped);
}

function findEntry(config: DockerConfig, registry: string): AuthEntry | undefined {
  const auths = config.auths;
  if (auths === undefined || auths === null || typeof auths !== "object") return undefined;
  if (Object.prototype.hasOwnProperty.call(auths, registry)) return auths[registry];
  const wanted = normaliseRegistry(registry);
  const key = Object.keys(auths).find((k) => normaliseKey(k) === wanted);
  return key === undefined ? undefined : auths[key];
}

/** docker_credential's decode_auth: standard base64 (padding optional) of "user:password". */
export function decodeAuth(encoded: string): RegistryAuth | undefined {
  const unpadded = encoded.replace(/=+$/, "");
  if (!/^[A-Za-z0-9+/]*$/.test(unpadded) || unpadded.length % 4 === 1) return undefined;
  let decoded: string;
  try {
    decoded = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(unpadded, "base64"));
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { kind: "basic", username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** `docker-credential-<helper> get`; a "<token>" username is an identity token. */
function fromHelper(helper: string, registry: string): RegistryAuth {
  try {
    const out = execFileSync(`docker-credential-${helper}`, ["get"], {
      input: registry,
      encoding: "utf8",
      timeout: 10_000,
      stdio: ["pipe", "pipe", "ignore"],
    });
    const parsed = JSON.parse(out) as { Username?: unknown; Secret?: unknown };
    if (typeof parsed.Username !== "string" || typeof parsed.Secret !== "string") return ANONYMOUS;
    if (parsed.Username === "<token>") return ANONYMOUS;
    return { kind: "basic", username: parsed.Username, password: parsed.Secret };
  } catch {
    return ANONYMOUS;
  }
}

/** The credentials for `registry` (the reference's registry, e.g. "127.0.0.1:5000"). */
export function credentialsFor(configDir: string, registry: string): RegistryAuth {
  let config: DockerConfig;
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(path.join(configDir, "config.json"), "utf8"));
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return ANONYMOUS;
    config = parsed as DockerConfig;
  } catch {
    return ANONYMOUS;
  }
  const helpers = config.credHelpers;
  if (helpers !== undefined && helpers !== null && typeof helpers === "object") {
    const helper = Object.prototype.hasOwnProperty.call(helpers, registry) ? helpers[registry] : undefined;
    if (typeof helper === "string" && helper !== "") return fromHelper(helper, registry);
  }
  const entry = findEntry(config, registry);
  if (entry !== undefined && entry !== null && typeof entry === "object") {
    if (typeof entry.identitytoken === "string") return ANONYMOUS; // IdentityToken: not supported
    if (typeof entry.auth === "string") return decodeAuth(entry.auth) ?? ANONYMOUS;
    if (typeof entry.username === "string" && typeof entry.password === "string") {
      return { kind: "basic", username: entry.username, password: entry.password };
    }
  }
  if (typeof config.credsStore === "string" && config.credsStore !== "") return fromHelper(config.credsStore, registry);
  return ANONYMOUS;
}

export class DockerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DockerConfigError";
  }
}

/**
 * kwhost's check of an explicit --docker-config-json-path (kwctl only sets $DOCKER_CONFIG, and a
 * missing or broken config.json then means anonymous pulls, seen as 401s later): the directory
 * must exist and hold a config.json that is a JSON object. Every error names the path.
 */
export function checkDockerConfigDir(dir: string): void {
  const flag = "--docker-config-json-path";
  let isDirectory: boolean;
  try {
    isDirectory = fs.statSync(dir).isDirectory();
  } catch {
    throw new DockerConfigError(`${flag} ${dir}: no such directory`);
  }
  if (!isDirectory) {
    const hint = path.basename(dir) === "config.json" ? `; give the directory that holds it: ${flag} ${path.dirname(dir)}` : "";
    throw new DockerConfigError(`${flag} ${dir}: not a directory${hint}`);
  }
  const file = path.join(dir, "config.json");
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DockerConfigError(
      code === "ENOENT" ? `${flag} ${dir}: ${file} does not exist` : `${flag} ${dir}: cannot read ${file}: ${(err as Error).message}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new DockerConfigError(`${flag} ${dir}: ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new DockerConfigError(`${flag} ${dir}: ${file} is not a JSON object`);
  }
}
