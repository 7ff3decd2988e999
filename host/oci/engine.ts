// Wiring shared by the worker thread and the async facade: options resolved like kwctl does at
// start-up, a transport that counts requests, and lookups run one at a time.

import { credentialsFor, resolveDockerConfigDir } from "./credentials";
import { HttpTransport } from "./http";
import { LookupCache, type LookupResult, type OciOperation, performLookup } from "./operations";
import { type PlatformSelector, RegistryClient } from "./registry-client";
import { resolveSources, type Sources } from "./sources";

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
  readonly dockerConfigDir: string;
  readonly platform?: PlatformSelector;
  readonly requestTimeoutMs?: number;
}

/** Reads the sources file (throws SourcesError, like kwctl refusing to start). */
export function resolveLookupConfig(options: RegistryOptions, extra: { platform?: PlatformSelector; requestTimeoutMs?: number } = {}): LookupConfig {
  return {
    sources: resolveSources(options.sourcesPath),
    dockerConfigDir: resolveDockerConfigDir(options.dockerConfigDir),
    ...(extra.platform === undefined ? {} : { platform: extra.platform }),
    ...(extra.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: extra.requestTimeoutMs }),
  };
}

export class LookupEngine {
  private readonly transport: HttpTransport;
  private readonly client: RegistryClient;
  private requests = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(config: LookupConfig) {
    this.transport = new HttpTransport({
      timeoutMs: config.requestTimeoutMs,
      userAgent: USER_AGENT,
      onRequest: () => {
        this.requests++;
      },
    });
    this.client = new RegistryClient({
      transport: this.transport,
      sources: config.sources,
      credentials: (registry) => credentialsFor(config.dockerConfigDir, registry),
      platform: config.platform,
    });
  }

  /** One registry lookup (no cache) and the number of HTTP requests it sent. */
  lookup(operation: OciOperation, image: string): Promise<{ result: LookupResult; requests: number }> {
    const run = async (): Promise<{ result: LookupResult; requests: number }> => {
      const before = this.requests;
      const result = await performLookup(this.client, operation, image);
      return { result, requests: this.requests - before };
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  close(): void {
    this.transport.close();
  }
}

export interface OciLookupStats {
  /** HTTP requests sent to registries (and token servers), including failed connection attempts */
  registryRequests: number;
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
  const stats: OciLookupStats = { registryRequests: 0, cacheHits: 0 };
  return {
    async lookup(operation, image) {
      const cached = cache.get(operation, image);
      if (cached !== undefined) {
        stats.cacheHits++;
        return { ok: true, payload: cached };
      }
      const { result, requests } = await engine.lookup(operation, image);
      stats.registryRequests += requests;
      if (result.ok) cache.set(operation, image, result.payload);
      return result;
    },
    close: () => engine.close(),
    stats: () => ({ ...stats }),
  };
}
