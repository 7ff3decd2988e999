// Pushes the test images to the registries start-registry.sh started, with the Distribution API
// (blob upload POST + PUT, manifest PUT), and writes what it pushed to <stateDir>/fixtures.json.
//
//   licensed          OCI image, manifest annotation org.opencontainers.image.licenses=MIT
//   unlicensed        OCI image, no annotations
//   multiarch         OCI index without license; linux/amd64 (Apache-2.0) and linux/arm64/v8 (MIT)
//                     manifests, each with its attestation manifest (platform unknown/unknown)
//   docker-image      Docker schema2 image
//   docker-list       Docker manifest list (amd64, arm64/v8)
//   config-labels     OCI image whose config has Labels (license GPL-3.0-only), User root and
//                     AWS_SECRET_ACCESS_KEY in Env; no manifest annotations
//   quirks            OCI image with fields the host drops or reorders (descriptor platform/data,
//                     unknown top-level field, unsorted annotations) and unusual config numbers
//   quirks-index      OCI index with subject (dropped), artifactType, full platform fields
//   foreign           OCI index with windows/amd64 and linux/s390x only
//   secure:licensed   the licensed image on the TLS + htpasswd registry
//   token:licensed    the licensed image on the bearer-token registry (anonymous pull)
//   token:private     the licensed image under private/ (pull needs credentials)
//
// Used by tests/oci_registry_client.test.ts (imported), or from a shell after building with
// `npx tsc -p tests/registry/tsconfig.json`:  node dist/tests/registry/push-fixtures.js [stateDir]

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { headerValue, type HttpResponse, HttpTransport, type TlsVerification } from "../../host/oci/http";
import { parseChallenges } from "../../host/oci/registry-client";

export interface RegistryEndpoint {
  host: string;
  url: string;
  pid: number;
}

/** state.json written by start-registry.sh */
export interface RegistryState {
  stateDir: string;
  plain: RegistryEndpoint;
  secure: RegistryEndpoint;
  token: RegistryEndpoint & { tokenServerUrl: string; tokenServerPid: number };
  username: string;
  password: string;
  caFile: string;
  dockerConfigDir: string;
  sourcesPath: string;
}

export type RegistryName = "plain" | "secure" | "token";

export interface PushedBlob {
  digest: string;
  size: number;
  /** the blob as text (configs only) */
  body?: string;
}

export interface PushedManifest {
  registry: RegistryName;
  host: string;
  repository: string;
  /** undefined for manifests pushed by digest only (index children) */
  tag?: string;
  /** host/repository:tag, or host/repository@digest when untagged */
  ref: string;
  /** host/repository@digest */
  refByDigest: string;
  digest: string;
  mediaType: string;
  /** the exact bytes pushed, as text */
  body: string;
  config?: PushedBlob;
  /** "os/arch[/variant]" of an index entry */
  platform?: string;
  attestation?: boolean;
  /** an index's entries, in index order */
  children?: PushedManifest[];
}

export interface FixtureSummary {
  registries: Record<RegistryName, { host: string; url: string }>;
  images: Record<string, PushedManifest>;
}

export const MEDIA = {
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
  ociLayer: "application/vnd.oci.image.layer.v1.tar+gzip",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json",
  dockerLayer: "application/vnd.docker.image.rootfs.diff.tar.gzip",
  inToto: "application/vnd.in-toto+json",
} as const;

export const LICENSE_KEY = "org.opencontainers.image.licenses";

export function readState(stateDir: string): RegistryState {
  return JSON.parse(fs.readFileSync(path.join(stateDir, "state.json"), "utf8")) as RegistryState;
}

const sha256 = (data: Uint8Array | string): string => `sha256:${createHash("sha256").update(data).digest("hex")}`;

// --- content ---------------------------------------------------------------------------------

/** A ustar archive of regular files (deterministic: fixed mtime, owner root). */
export function tar(files: ReadonlyArray<{ name: string; content: string }>): Buffer {
  const blocks: Buffer[] = [];
  for (const file of files) {
    const data = Buffer.from(file.content, "utf8");
    const header = Buffer.alloc(512, 0);
    const put = (text: string, offset: number, length: number): void => {
      header.write(text.slice(0, length), offset, length, "ascii");
    };
    const octal = (value: number, length: number): string => `${value.toString(8).padStart(length - 1, "0")}\0`;
    put(file.name, 0, 100);
    put(octal(0o644, 8), 100, 8);
    put(octal(0, 8), 108, 8);
    put(octal(0, 8), 116, 8);
    put(octal(data.length, 12), 124, 12);
    put(octal(1_700_000_000, 12), 136, 12);
    put("        ", 148, 8);
    put("0", 156, 1);
    put("ustar\u000000", 257, 8);
    put("root", 265, 32);
    put("root", 297, 32);
    let checksum = 0;
    for (const byte of header) checksum += byte;
    put(`${checksum.toString(8).padStart(6, "0")}\0 `, 148, 8);
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512, 0));
  }
  blocks.push(Buffer.alloc(1024, 0));
  return Buffer.concat(blocks);
}

interface Layer {
  blob: Buffer;
  diffId: string;
}

function layer(files: ReadonlyArray<{ name: string; content: string }>): Layer {
  const archive = tar(files);
  return { blob: gzipSync(archive, { level: 9 }), diffId: sha256(archive) };
}

interface ConfigSpec {
  architecture: string;
  os: string;
  variant?: string;
  osVersion?: string;
  user?: string;
  env?: string[];
  labels?: Record<string, string>;
  cmd?: string[];
  layers: Layer[];
  /** a raw JSON member list appended to the config object (numbers JSON.stringify cannot write) */
  rawExtra?: string;
}

/** An image config as docker/buildkit write it. */
function imageConfig(spec: ConfigSpec): string {
  const config: Record<string, unknown> = {
    architecture: spec.architecture,
    config: {
      ...(spec.user === undefined ? {} : { User: spec.user }),
      ExposedPorts: { "8080/tcp": {} },
      Env: spec.env ?? ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
      Entrypoint: ["/usr/local/bin/app"],
      Cmd: spec.cmd ?? ["--serve"],
      WorkingDir: "/srv",
      ...(spec.labels === undefined ? {} : { Labels: spec.labels }),
      StopSignal: "SIGTERM",
    },
    created: "2026-11-01T10:00:00.123456789Z",
    history: [
      { created: "2026-10-30T08:00:00Z", created_by: "/bin/sh -c #(nop) ADD file:4b1d…e0 in / " },
      { created: "2026-10-30T08:00:00Z", created_by: '/bin/sh -c #(nop)  CMD ["sh"]', empty_layer: true },
      {
        created: "2026-11-01T10:00:00.123456789Z",
        created_by: "COPY app /usr/local/bin/app # buildkit",
        comment: "buildkit.dockerfile.v0",
      },
    ],
    os: spec.os,
    ...(spec.osVersion === undefined ? {} : { "os.version": spec.osVersion }),
    rootfs: { type: "layers", diff_ids: spec.layers.map((l) => l.diffId) },
    ...(spec.variant === undefined ? {} : { variant: spec.variant }),
  };
  const text = JSON.stringify(config);
  return spec.rawExtra === undefined ? text : `${text.slice(0, -1)},${spec.rawExtra}}`;
}

// --- Distribution API client (push side) ------------------------------------------------------

class Pusher {
  private authorization: string | undefined;

  constructor(
    private readonly transport: HttpTransport,
    private readonly name: RegistryName,
    private readonly endpoint: RegistryEndpoint,
    private readonly tls: TlsVerification,
    private readonly credentials: { username: string; password: string } | undefined,
  ) {}

  private async request(
    method: string,
    url: string,
    repository: string,
    headers: Record<string, string> = {},
    body?: Uint8Array,
  ): Promise<HttpResponse> {
    const send = (): Promise<HttpResponse> =>
      this.transport.request({
        method,
        url,
        headers: this.authorization === undefined ? headers : { ...headers, Authorization: this.authorization },
        body,
        tls: this.tls,
      });
    let response = await send();
    if (response.status === 401) {
      await this.authenticate(response, repository);
      response = await send();
    }
    return response;
  }

  private async authenticate(challenge: HttpResponse, repository: string): Promise<void> {
    if (this.credentials === undefined) throw new Error(`${this.name}: 401 from ${challenge.url} and no credentials`);
    const basic = `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString("base64")}`;
    const header = headerValue(challenge.headers, "www-authenticate") ?? "";
    const bearer = parseChallenges(header).find((c) => c.scheme.toLowerCase() === "bearer");
    if (bearer === undefined) {
      this.authorization = basic;
      return;
    }
    const realm = new URL(bearer.params.get("realm") ?? "");
    realm.searchParams.append("scope", `repository:${repository}:pull,push`);
    const service = bearer.params.get("service");
    if (service !== undefined) realm.searchParams.append("service", service);
    const response = await this.transport.request({
      method: "GET",
      url: realm.toString(),
      headers: { Authorization: basic },
      tls: this.tls,
    });
    if (response.status !== 200) throw new Error(`${this.name}: token request failed with ${response.status}`);
    const token = (JSON.parse(response.body.toString("utf8")) as { token: string }).token;
    this.authorization = `Bearer ${token}`;
  }

  private fail(what: string, response: HttpResponse): never {
    throw new Error(`${this.name}: ${what} failed: ${response.status} ${response.body.toString("utf8")}`);
  }

  async pushBlob(repository: string, blob: Uint8Array): Promise<PushedBlob> {
    const digest = sha256(blob);
    const blobUrl = `${this.endpoint.url}/v2/${repository}/blobs/${digest}`;
    const head = await this.request("HEAD", blobUrl, repository);
    if (head.status === 200) return { digest, size: blob.length };
    const start = await this.request("POST", `${this.endpoint.url}/v2/${repository}/blobs/uploads/`, repository, { "Content-Length": "0" });
    if (start.status !== 202) this.fail(`upload of ${digest}`, start);
    const location = new URL(headerValue(start.headers, "location") ?? "", this.endpoint.url);
    location.searchParams.set("digest", digest);
    const put = await this.request("PUT", location.toString(), repository, { "Content-Type": "application/octet-stream" }, blob);
    if (put.status !== 201) this.fail(`upload of ${digest}`, put);
    return { digest, size: blob.length };
  }

  async pushManifest(repository: string, reference: string, mediaType: string, body: string): Promise<string> {
    const digest = sha256(body);
    const response = await this.request(
      "PUT",
      `${this.endpoint.url}/v2/${repository}/manifests/${reference}`,
      repository,
      { "Content-Type": mediaType },
      Buffer.from(body, "utf8"),
    );
    if (response.status !== 201) this.fail(`manifest ${repository}:${reference}`, response);
    const returned = headerValue(response.headers, "docker-content-digest");
    if (returned !== digest) throw new Error(`${this.name}: registry digest ${returned} differs from ${digest}`);
    return digest;
  }

  describe(repository: string, tag: string | undefined, digest: string, mediaType: string, body: string): PushedManifest {
    const byDigest = `${this.endpoint.host}/${repository}@${digest}`;
    return {
      registry: this.name,
      host: this.endpoint.host,
      repository,
      ...(tag === undefined ? {} : { tag }),
      ref: tag === undefined ? byDigest : `${this.endpoint.host}/${repository}:${tag}`,
      refByDigest: byDigest,
      digest,
      mediaType,
      body,
    };
  }
}

// --- the fixtures ----------------------------------------------------------------------------

interface ImageSpec {
  manifestMediaType: string;
  configMediaType: string;
  layerMediaType: string;
  config: ConfigSpec;
  annotations?: Record<string, string>;
  /** raw JSON fragments appended to the manifest object (fields the host drops) */
  manifestExtra?: Record<string, unknown>;
  configDescriptorExtra?: Record<string, unknown>;
}

async function pushImage(pusher: Pusher, repository: string, tag: string | undefined, spec: ImageSpec): Promise<PushedManifest> {
  const layers = [];
  for (const l of spec.config.layers) {
    const pushed = await pusher.pushBlob(repository, l.blob);
    layers.push({ mediaType: spec.layerMediaType, digest: pushed.digest, size: pushed.size });
  }
  const configText = imageConfig(spec.config);
  const config = await pusher.pushBlob(repository, Buffer.from(configText, "utf8"));
  const manifest: Record<string, unknown> = {
    schemaVersion: 2,
    mediaType: spec.manifestMediaType,
    config: { mediaType: spec.configMediaType, digest: config.digest, size: config.size, ...(spec.configDescriptorExtra ?? {}) },
    layers,
    ...(spec.annotations === undefined ? {} : { annotations: spec.annotations }),
    ...(spec.manifestExtra ?? {}),
  };
  const body = JSON.stringify(manifest, null, 3);
  const digest = await pusher.pushManifest(repository, tag ?? sha256(body), spec.manifestMediaType, body);
  return { ...pusher.describe(repository, tag, digest, spec.manifestMediaType, body), config: { ...config, body: configText } };
}

interface IndexEntrySpec {
  manifest: PushedManifest;
  platform: Record<string, unknown>;
  annotations?: Record<string, string>;
}

async function pushIndex(
  pusher: Pusher,
  repository: string,
  tag: string,
  mediaType: string,
  entries: IndexEntrySpec[],
  extra: Record<string, unknown> = {},
): Promise<PushedManifest> {
  const index: Record<string, unknown> = {
    schemaVersion: 2,
    mediaType,
    manifests: entries.map((e) => ({
      mediaType: e.manifest.mediaType,
      digest: e.manifest.digest,
      size: Buffer.byteLength(e.manifest.body, "utf8"),
      platform: e.platform,
      ...(e.annotations === undefined ? {} : { annotations: e.annotations }),
    })),
    ...extra,
  };
  const body = JSON.stringify(index, null, 3);
  const digest = await pusher.pushManifest(repository, tag, mediaType, body);
  const children = entries.map((e) => ({
    ...e.manifest,
    platform: [e.platform.os, e.platform.architecture, e.platform.variant].filter((p) => typeof p === "string").join("/"),
    ...(e.annotations?.["vnd.docker.reference.type"] === "attestation-manifest" ? { attestation: true } : {}),
  }));
  return { ...pusher.describe(repository, tag, digest, mediaType, body), children };
}

/** Numbers as serde_json reads and rewrites them (see the test's expectations). */
export const QUIRKS_NUMBERS =
  '"x-numbers":{"float":1.0,"big":18446744073709551615,"huge":18446744073709551616,"negzero":-0,' +
  '"exp":1e21,"small":1.5e-7,"neg":-42,"list":[0.5,100,1E2],"nested":{"b":true,"a":null}}';

const appLayer = (name: string): Layer =>
  layer([
    { name: "etc/os-release", content: 'NAME="Kwhost Test Linux"\nID=kwhost\nVERSION_ID=1.0\n' },
    { name: "usr/local/bin/app", content: `#!/bin/sh\necho ${name}\n` },
  ]);

const oci = (config: ConfigSpec, rest: Partial<ImageSpec> = {}): ImageSpec => ({
  manifestMediaType: MEDIA.ociManifest,
  configMediaType: MEDIA.ociConfig,
  layerMediaType: MEDIA.ociLayer,
  config,
  ...rest,
});

const docker = (config: ConfigSpec): ImageSpec => ({
  manifestMediaType: MEDIA.dockerManifest,
  configMediaType: MEDIA.dockerConfig,
  layerMediaType: MEDIA.dockerLayer,
  config,
});

async function pushAttestation(pusher: Pusher, repository: string, subject: PushedManifest): Promise<IndexEntrySpec> {
  const statement = JSON.stringify({
    _type: "https://in-toto.io/Statement/v0.1",
    predicateType: "https://spdx.dev/Document",
    subject: [{ name: subject.ref, digest: { sha256: subject.digest.slice("sha256:".length) } }],
    predicate: { spdxVersion: "SPDX-2.3", name: "sbom" },
  });
  const blob = await pusher.pushBlob(repository, Buffer.from(statement, "utf8"));
  const config = await pusher.pushBlob(repository, Buffer.from("{}", "utf8"));
  const body = JSON.stringify(
    {
      schemaVersion: 2,
      mediaType: MEDIA.ociManifest,
      config: { mediaType: MEDIA.ociConfig, digest: config.digest, size: config.size },
      layers: [
        {
          mediaType: MEDIA.inToto,
          digest: blob.digest,
          size: blob.size,
          annotations: { "in-toto.io/predicate-type": "https://spdx.dev/Document" },
        },
      ],
    },
    null,
    3,
  );
  const digest = await pusher.pushManifest(repository, sha256(body), MEDIA.ociManifest, body);
  return {
    manifest: pusher.describe(repository, undefined, digest, MEDIA.ociManifest, body),
    platform: { architecture: "unknown", os: "unknown" },
    annotations: { "vnd.docker.reference.digest": subject.digest, "vnd.docker.reference.type": "attestation-manifest" },
  };
}

export async function pushFixtures(state: RegistryState): Promise<FixtureSummary> {
  const transport = new HttpTransport();
  const credentials = { username: state.username, password: state.password };
  const plain = new Pusher(transport, "plain", state.plain, { mode: "system" }, undefined);
  const secure = new Pusher(
    transport,
    "secure",
    state.secure,
    { mode: "custom", ca: [fs.readFileSync(state.caFile, "utf8")] },
    credentials,
  );
  const token = new Pusher(transport, "token", state.token, { mode: "system" }, credentials);
  const images: Record<string, PushedManifest> = {};

  try {
    const licensedSpec = oci(
      { architecture: "amd64", os: "linux", user: "1000:1000", layers: [appLayer("licensed")] },
      {
        // not in key order on purpose: the host sorts annotations
        annotations: {
          "org.opencontainers.image.source": "https://example.com/licensed",
          [LICENSE_KEY]: "MIT",
          "org.opencontainers.image.created": "2026-11-01T10:00:00Z",
        },
      },
    );
    images.licensed = await pushImage(plain, "fixtures/licensed", "1.0", licensedSpec);
    images.unlicensed = await pushImage(
      plain,
      "fixtures/unlicensed",
      "1.0",
      oci({ architecture: "amd64", os: "linux", user: "app", layers: [appLayer("unlicensed")] }),
    );

    // multi-arch index with attestations
    const amd64 = await pushImage(
      plain,
      "fixtures/multiarch",
      undefined,
      oci(
        { architecture: "amd64", os: "linux", user: "65532", layers: [appLayer("multiarch-amd64")] },
        { annotations: { [LICENSE_KEY]: "Apache-2.0" } },
      ),
    );
    const arm64 = await pushImage(
      plain,
      "fixtures/multiarch",
      undefined,
      oci(
        { architecture: "arm64", variant: "v8", os: "linux", user: "65532", layers: [appLayer("multiarch-arm64")] },
        { annotations: { [LICENSE_KEY]: "MIT" } },
      ),
    );
    images.multiarch = await pushIndex(plain, "fixtures/multiarch", "1.0", MEDIA.ociIndex, [
      { manifest: amd64, platform: { architecture: "amd64", os: "linux" } },
      { manifest: arm64, platform: { architecture: "arm64", os: "linux", variant: "v8" } },
      await pushAttestation(plain, "fixtures/multiarch", amd64),
      await pushAttestation(plain, "fixtures/multiarch", arm64),
    ]);

    // Docker media types
    images["docker-image"] = await pushImage(
      plain,
      "fixtures/docker-image",
      "1.0",
      docker({ architecture: "amd64", os: "linux", layers: [appLayer("docker")] }),
    );
    const dockerAmd64 = await pushImage(
      plain,
      "fixtures/docker-list",
      undefined,
      docker({ architecture: "amd64", os: "linux", layers: [appLayer("list-amd64")] }),
    );
    const dockerArm64 = await pushImage(
      plain,
      "fixtures/docker-list",
      undefined,
      docker({ architecture: "arm64", variant: "v8", os: "linux", layers: [appLayer("list-arm64")] }),
    );
    images["docker-list"] = await pushIndex(plain, "fixtures/docker-list", "1.0", MEDIA.dockerList, [
      { manifest: dockerAmd64, platform: { architecture: "amd64", os: "linux" } },
      { manifest: dockerArm64, platform: { architecture: "arm64", os: "linux", variant: "v8" } },
    ]);

    // config labels, root user, secret in the environment
    images["config-labels"] = await pushImage(
      plain,
      "fixtures/config-labels",
      "1.0",
      oci({
        architecture: "amd64",
        os: "linux",
        user: "root",
        env: [
          "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
          "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
          "APP_MODE=production",
        ],
        labels: {
          "org.opencontainers.image.vendor": "Example Corp",
          [LICENSE_KEY]: "GPL-3.0-only",
          "org.opencontainers.image.title": "config-labels",
        },
        layers: [appLayer("config-labels")],
      }),
    );

    // fields the host drops, annotation order by code point, serde number formatting
    const quirksConfig = { architecture: "amd64", os: "linux", layers: [appLayer("quirks")] };
    const dataSpec = imageConfig(quirksConfig);
    images.quirks = await pushImage(
      plain,
      "fixtures/quirks",
      "1.0",
      oci(
        {
          ...quirksConfig,
          rawExtra: QUIRKS_NUMBERS,
        },
        {
          annotations: {
            "zz.last": "z",
            "\u{1F600}.emoji": "after fullwidth",
            "\uFF21.fullwidth": "before emoji",
            [LICENSE_KEY]: "MIT",
            "a.first": "a",
          },
          configDescriptorExtra: {
            platform: { architecture: "amd64", os: "linux" },
            data: Buffer.from(dataSpec).toString("base64"),
          },
          manifestExtra: {
            artifactType: "application/vnd.example.quirks+json",
            subject: { mediaType: MEDIA.ociManifest, digest: images.licensed.digest, size: Buffer.byteLength(images.licensed.body) },
            "x-kwhost-unknown": { dropped: true },
          },
        },
      ),
    );
    const quirksChild = await pushImage(plain, "fixtures/quirks-index", undefined, licensedSpec);
    images["quirks-index"] = await pushIndex(
      plain,
      "fixtures/quirks-index",
      "1.0",
      MEDIA.ociIndex,
      [
        {
          manifest: quirksChild,
          platform: {
            variant: "v1",
            features: ["sse4"],
            "os.features": ["win32k"],
            "os.version": "10.0.17763.1",
            os: "linux",
            architecture: "amd64",
            "x-unknown-platform-field": "dropped",
          },
          annotations: { "b.second": "2", "a.first": "1" },
        },
      ],
      {
        artifactType: "application/vnd.example.index+json",
        subject: { mediaType: MEDIA.ociManifest, digest: quirksChild.digest, size: Buffer.byteLength(quirksChild.body) },
        annotations: { "org.opencontainers.image.title": "quirks-index", "org.opencontainers.image.created": "2026-11-01T10:00:00Z" },
      },
    );

    // an index with no entry for linux/amd64 or linux/arm64
    const windows = await pushImage(
      plain,
      "fixtures/foreign",
      undefined,
      oci({ architecture: "amd64", os: "windows", osVersion: "10.0.20348.2113", layers: [appLayer("foreign-windows")] }),
    );
    const s390x = await pushImage(
      plain,
      "fixtures/foreign",
      undefined,
      oci({ architecture: "s390x", os: "linux", layers: [appLayer("foreign-s390x")] }),
    );
    images.foreign = await pushIndex(plain, "fixtures/foreign", "1.0", MEDIA.ociIndex, [
      { manifest: windows, platform: { architecture: "amd64", os: "windows", "os.version": "10.0.20348.2113" } },
      { manifest: s390x, platform: { architecture: "s390x", os: "linux" } },
    ]);

    images["secure:licensed"] = await pushImage(secure, "fixtures/licensed", "1.0", licensedSpec);
    images["token:licensed"] = await pushImage(token, "fixtures/licensed", "1.0", licensedSpec);
    images["token:private"] = await pushImage(token, "private/licensed", "1.0", licensedSpec);
  } finally {
    transport.close();
  }

  const summary: FixtureSummary = {
    registries: {
      plain: { host: state.plain.host, url: state.plain.url },
      secure: { host: state.secure.host, url: state.secure.url },
      token: { host: state.token.host, url: state.token.url },
    },
    images,
  };
  fs.writeFileSync(path.join(state.stateDir, "fixtures.json"), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

if (require.main === module) {
  const stateDir = path.resolve(process.argv[2] ?? process.env.REGISTRY_STATE_DIR ?? path.join(__dirname, "..", "..", "..", ".registry"));
  pushFixtures(readState(stateDir)).then(
    (summary) => {
      for (const [name, image] of Object.entries(summary.images)) process.stdout.write(`${name}\t${image.ref}\t${image.digest}\n`);
      process.stdout.write(`summary: ${path.join(stateDir, "fixtures.json")}\n`);
    },
    (err: unknown) => {
      process.stderr.write(`push-fixtures: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
