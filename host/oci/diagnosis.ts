// kwhost's one-line account of a failed live lookup, for the user (stderr), not for the policy:
// the guest keeps receiving the real host's error chain (operations.ts). The line names the image,
// the registry and the cause, and the fix where the cause is one kwhost knows:
//   - a plain-HTTP registry missing from insecure_sources (rustls, and this host, report
//     "received corrupt message of type InvalidContentType" for HTTPS answered by plain HTTP);
//   - a TLS certificate the system roots do not verify and no CA in source_authorities;
//   - 401 from a registry for which the Docker config holds no credentials.

import * as path from "node:path";
import type { RegistryAuth } from "./credentials";
import type { ChainError } from "./errors";
import type { Sources } from "./sources";

export interface DiagnosisContext {
  readonly sources: Sources;
  /** the sources file in use, or null when none is */
  readonly sourcesFile: string | null;
  readonly dockerConfigDir: string;
  /** the credentials used for the image's registry */
  readonly auth: RegistryAuth;
}

export const PLAIN_HTTP_SYMPTOM = "received corrupt message of type InvalidContentType";
const CERTIFICATE_SYMPTOM = "invalid peer certificate";
const UNAUTHORIZED_PREFIX = "Not authorized: url ";

/** "a sources file (--sources-path)", or the file in use. */
function sourcesFileWording(context: DiagnosisContext): string {
  return context.sourcesFile === null ? "a sources file (--sources-path)" : `the sources file ${context.sourcesFile}`;
}

/** The fix for a cause kwhost recognises, or null. */
function fixFor(chain: readonly string[], registry: string, context: DiagnosisContext): string | null {
  const innermost = chain[chain.length - 1];
  if (chain.some((text) => text.includes(PLAIN_HTTP_SYMPTOM))) {
    if (context.sources.insecureSources.has(registry)) return null;
    return `the registry answers plain HTTP: add "${registry}" to insecure_sources in ${sourcesFileWording(context)}`;
  }
  if (innermost.startsWith(CERTIFICATE_SYMPTOM)) {
    if (context.sources.sourceAuthorities.has(registry)) {
      return `the CA under source_authorities."${registry}" in ${sourcesFileWording(context)} does not verify the registry's certificate`;
    }
    return `add the registry's CA certificate under source_authorities."${registry}" in ${sourcesFileWording(context)}`;
  }
  if (chain.some((text) => text.startsWith(UNAUTHORIZED_PREFIX))) {
    const configFile = path.join(context.dockerConfigDir, "config.json");
    if (context.auth.kind === "anonymous") {
      return `no credentials for "${registry}" in ${configFile}: add them (e.g. docker login ${registry}) or pass the directory of a config.json that has them with --docker-config-json-path`;
    }
    return `the registry refused the credentials for "${registry}" in ${configFile}`;
  }
  return null;
}

/**
 * The cause in one line: the outermost error below policy-fetcher's "Fail to interact with OCI
 * registry: " wrapper, followed by the innermost source when they differ (e.g. "error sending
 * request for url (https://…): received corrupt message of type InvalidContentType").
 */
function causeOf(chain: readonly string[]): string {
  const outer = chain.length > 1 ? chain[1] : chain[0];
  const innermost = chain[chain.length - 1];
  const cause = innermost === outer ? outer : `${outer}: ${innermost}`;
  return cause.replace(/\s*\n\s*/g, " ");
}

/** One line: `lookup of image "…" at registry … failed: <cause>[; fix: …]`. */
export function describeLookupFailure(image: string, registry: string | null, error: ChainError, context: DiagnosisContext | null): string {
  const chain = [error.message, ...error.sources];
  const where = registry === null ? "" : ` at registry ${registry}`;
  const fix = registry === null || context === null ? null : fixFor(chain, registry, context);
  return `lookup of image ${JSON.stringify(image)}${where} failed: ${causeOf(chain)}${fix === null ? "" : `; fix: ${fix}`}`;
}
