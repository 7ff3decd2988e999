// Wiring shared by the worker thread and the async facade: options resolved like kwctl does at
// start-up, a transport that counts requests, and lookups run one at a time.

import { credentialsFor, resolveDockerConfigDir } from "./credentials";
import { describeLookupFailure } from "./diagnosis";
import { HttpTransport } from "./http";
import { failure, LookupCache, type LookupResult, type OciOperation, performLookupKeepingChain } from "./operations";
import { parseForLookup } from "./reference";
import { type PlatformSelector, RegistryClient } from "./registry-client";
import { loadSourcesFile, resolveSourcesFile, EMPTY_SOURCES, type Sources } from "./sources";

/** What oci-client 0.17 (used by policy-fetcher) sends. */
export const USER_AGENT = "oci-client/0.17.0";

/** kwctl's --sources-path and --docker-config-json-path. */
export interface RegistryOptions {
  /** sources.yaml; when absent, kwctl's default (~/.config/kubewarden/sources.yaml) if it exists */
  sourcesPath?: string;
  /** directory holding config.json; when absent, $DOCKER_CONFIG, else ~/.docker */
  dockerConfigDir?: string;
}

/** Everything a lookup needs, resolved and structured-cloneable (it is sent to the worker). */
export interface LookupConfig {
  readonly sources: Sources;
  /** the sources file read, or null when none was */
  readonly sourcesFile: string | null;
  readonly dockerConfigDir: string;
  readonly platform?: PlatformSelector;
  readonly requestTimeoutMs?: number;
}

/** Reads the sources file (throws SourcesError, like kwctl refusing to start). */
export function resolveLookupConfig(
  options: RegistryOptions,
  extra: { platform?: PlatformSelector; requestTimeoutMs?: number } = {},
): LookupConfig {
  const sourcesFile = resolveSourcesFile(options.sourcesPath);
  return {
    sources: sourcesFile === null ? EMPTY_SOURCES : loadSourcesFile(sourcesFile),
    sourcesFile,
    dockerConfigDir: resolveDockerConfigDir(options.dockerConfigDir),
    ...(extra.platform === undefined ? {} : { platform: extra.platform }),
    ...(extra.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: extra.requestTimeoutMs }),
  };
}

/** What one lookup (no cache) cost; see OciLookupStats. */
export interface LookupCounts {
  readonly registryRequests: number;
  readonly fallbackAttempts: number;
  readonly unansweredRequests: number;
}

export class LookupEngine {
  private readonly transport: HttpTransport;
  private readonly client: RegistryClient;
  private sent = 0;
  private answered = 0;
  private fallbacks = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly config: LookupConfig) {
    this.transport = new HttpTransport({
      timeoutMs: config.requestTimeoutMs,
      userAgent: USER_AGENT,
      onRequest: () => {
        this.sent++;
      },
      onResponse: () => {
        this.answered++;
      },
    });
    this.client = new RegistryClient({
      transport: this.transport,
      sources: config.sources,
      credentials: (registry) => credentialsFor(config.dockerConfigDir, registry),
      platform: config.platform,
      onFallback: () => {
        this.fallbacks++;
      },
    });
  }

  /** One registry lookup (no cache), what it cost, and for a failure kwhost's one-line summary. */
  lookup(operation: OciOperation, image: string): Promise<{ result: LookupResult } & LookupCounts> {
    const run = async (): Promise<{ result: LookupResult } & LookupCounts> => {
      const [sent, answered, fallbacks] = [this.sent, this.answered, this.fallbacks];
      const outcome = await performLookupKeepingChain(this.client, operation, image);
      const counts: LookupCounts = {
        registryRequests: this.answered - answered,
        fallbackAttempts: this.fallbacks - fallbacks,
        unansweredRequests: this.sent - sent - (this.answered - answered),
      };
      if (outcome.ok) return { result: outcome, ...counts };
      return { result: { ...failure(outcome.chain), summary: this.summarise(image, outcome.chain) }, ...counts };
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  close(): void {
    this.transport.close();
  }

  private summarise(image: string, chain: Parameters<typeof describeLookupFailure>[2]): string {
    const parsed = parseForLookup(image);
    if (!parsed.ok) return describeLookupFailure(image, null, chain, null);
    const registry = parsed.reference.registry;
    const context = {
      sources: this.config.sources,
      sourcesFile: this.config.sourcesFile,
      dockerConfigDir: this.config.dockerConfigDir,
      auth: credentialsFor(this.config.dockerConfigDir, registry),
    };
    return describeLookupFailure(image, registry, chain, context);
  }
}

export interface OciLookupStats {
  /** HTTP requests a registry (or its token server) answered, with any status */
  registryRequests: number;
  /**
   * protocol attempts given up for the next protocol: for an insecure source, HTTPS before
   * HTTPS without verification before plain HTTP (RegistryClient.tryWithProtocols)
   */
  fallbackAttempts: number;
  /** requests sent that got no answer (TLS handshake failed, connection refused, timeout), fallback attempts' included */
  unansweredRequests: number;
  /** lookups answered from the 60 s cache */
  cacheHits: number;
}

export interface LookupHooks {
  /** clock for the cache (ms); default Date.now */
  now?: () => number;
  /** cache lifetime; default 60 000 ms like policy-server */
  ttlMs?: number;
  /** platform an index resolves to in v1/oci_manifest_config; default this process's */
  platform?: PlatformSelector;
  /** idle timeout of one HTTP request; default 30 000 ms */
  requestTimeoutMs?: number;
}

export interface AsyncOciLookup {
  lookup(operation: OciOperation, image: string): Promise<LookupResult>;
  close(): void;
  stats(): OciLookupStats;
}

/** The same service as createSyncOciLookup, for async callers, in this thread. */
export function createAsyncOciLookup(options: RegistryOptions, hooks: LookupHooks = {}): AsyncOciLookup {
  const engine = new LookupEngine(resolveLookupConfig(options, hooks));
  const cache = new LookupCache(hooks.ttlMs, hooks.now);
  const stats: OciLookupStats = emptyStats();
  return {
    async lookup(operation, image) {
      const cached = cache.get(operation, image);
      if (cached !== undefined) {
        stats.cacheHits++;
        return { ok: true, payload: cached };
      }
      const { result, ...counts } = await engine.lookup(operation, image);
      addCounts(stats, counts);
      if (result.ok) cache.set(operation, image, result.payload);
      return result;
    },
    close: () => engine.close(),
    stats: () => ({ ...stats }),
  };
}

export function emptyStats(): OciLookupStats {
  return { registryRequests: 0, fallbackAttempts: 0, unansweredRequests: 0, cacheHits: 0 };
}

export function addCounts(stats: OciLookupStats, counts: LookupCounts): void {
  stats.registryRequests += counts.registryRequests;
  stats.fallbackAttempts += counts.fallbackAttempts;
  stats.unansweredRequests += counts.unansweredRequests;
}
