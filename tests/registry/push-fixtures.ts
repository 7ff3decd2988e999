// Builds the test images with real OCI tools from Debian and pushes them to the registries
// start-registry.sh started; writes what the registries then serve to <stateDir>/fixtures.json.
//
//   buildah  builds images from scratch (no RUN: `from scratch`, `copy`, `config`, `commit`) in its
//            own storage (--storage-driver vfs --root/--runroot under the state directory), pushes
//            them into an OCI image layout or, for Docker's formats, straight to the registry, and
//            makes the multi-platform indexes (`manifest create/add --os/--arch/--variant`,
//            `manifest push --all`)
//   umoci    creates the OCI image layout and builds one image in it (`new`, `config`, `insert`)
//   skopeo   copies the layout's images to the registries (`copy --preserve-digests`, `--all` for
//            an index; TLS with the test CA through --dest-cert-dir, credentials through
//            --dest-creds) and reads back what they serve (`inspect --raw`, `--config --raw`)
//
// What stays ours is the catalogue below, and the documents whose exact bytes matter, which no
// tool writes: the "quirks" manifest and index (unknown fields, unsorted annotations, descriptor
// data and platform, subject, artifactType, numbers in serde_json's corner cases), the attestation
// manifests of the multi-arch index (an in-toto layer), and the OCI artifacts of image volumes
// (empty config; Debian has no `oras`, and buildah 1.28 writes no artifacts). They are written as
// JSON into the OCI image layout (image-spec image-layout.md) and pushed by skopeo like the rest.
//
//   licensed          buildah, OCI image, manifest annotation org.opencontainers.image.licenses=MIT
//   unlicensed        umoci, OCI image, no annotations
//   multiarch         buildah index without license; linux/amd64 (Apache-2.0) and linux/arm64/v8
//                     (MIT) images, each with its attestation manifest (platform unknown/unknown)
//   docker-image      buildah, Docker schema2 image
//   docker-list       buildah, Docker manifest list (amd64, arm64/v8)
//   config-labels     buildah, OCI image whose config has Labels (license GPL-3.0-only), User root
//                     and AWS_SECRET_ACCESS_KEY in Env; no manifest annotations
//   quirks            ours, OCI image with fields the host drops or reorders (descriptor
//                     platform/data, unknown top-level field, unsorted annotations) and unusual
//                     config numbers; its layer and the rest of its config are buildah's
//   quirks-index      ours, OCI index with subject (dropped), artifactType, full platform fields
//   foreign           buildah index with windows/amd64 and linux/s390x only
//   models            ours, OCI artifact for an image volume (empty config), license Apache-2.0
//   models-unlicensed the same without license annotation
//   secure:licensed   the licensed image on the TLS + htpasswd registry
//   token:licensed    the licensed image on the bearer-token registry (anonymous pull)
//   token:private     the licensed image under private/ (pull needs credentials)
//
// Used by tests/oci_registry_client.test.ts (imported), or from a shell after building with
// `npx tsc -p tests/registry/tsconfig.json`:  node dist/tests/registry/push-fixtures.js [stateDir]
// Nothing here speaks HTTP: every request to a registry is made by buildah or skopeo.

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

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

/** Numbers as serde_json reads and rewrites them (see the test's expectations). */
export const QUIRKS_NUMBERS =
  '"x-numbers":{"float":1.0,"big":18446744073709551615,"huge":18446744073709551616,"negzero":-0,' +
  '"exp":1e21,"small":1.5e-7,"neg":-42,"list":[0.5,100,1E2],"nested":{"b":true,"a":null}}';

// --- the catalogue of images buildah builds ----------------------------------------------------

interface BuildSpec {
  /** local image name, and the tag in the OCI layout */
  name: string;
  format: "oci" | "docker";
  os: string;
  arch: string;
  variant?: string;
  osVersion?: string;
  user?: string;
  env?: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

const BUILDS: BuildSpec[] = [
  {
    name: "licensed",
    format: "oci",
    os: "linux",
    arch: "amd64",
    user: "1000:1000",
    annotations: {
      "org.opencontainers.image.source": "https://example.com/licensed",
      [LICENSE_KEY]: "MIT",
      "org.opencontainers.image.created": "2026-11-01T10:00:00Z",
    },
  },
  { name: "multiarch-amd64", format: "oci", os: "linux", arch: "amd64", user: "65532", annotations: { [LICENSE_KEY]: "Apache-2.0" } },
  {
    name: "multiarch-arm64",
    format: "oci",
    os: "linux",
    arch: "arm64",
    variant: "v8",
    user: "65532",
    annotations: { [LICENSE_KEY]: "MIT" },
  },
  { name: "docker-image", format: "docker", os: "linux", arch: "amd64" },
  { name: "docker-list-amd64", format: "docker", os: "linux", arch: "amd64" },
  { name: "docker-list-arm64", format: "docker", os: "linux", arch: "arm64", variant: "v8" },
  {
    name: "config-labels",
    format: "oci",
    os: "linux",
    arch: "amd64",
    user: "root",
    env: [PATH_ENV, "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "APP_MODE=production"],
    labels: {
      "org.opencontainers.image.vendor": "Example Corp",
      [LICENSE_KEY]: "GPL-3.0-only",
      "org.opencontainers.image.title": "config-labels",
    },
  },
  { name: "quirks-base", format: "oci", os: "linux", arch: "amd64" },
  { name: "foreign-windows", format: "oci", os: "windows", arch: "amd64", osVersion: "10.0.20348.2113" },
  { name: "foreign-s390x", format: "oci", os: "linux", arch: "s390x" },
];

// --- running the tools -------------------------------------------------------------------------

type Registry = { name: RegistryName; host: string };

class Tools {
  readonly work: string;
  readonly layout: string;
  private readonly certDir: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly buildah: string[];
  private readonly policy: string;

  constructor(private readonly state: RegistryState) {
    this.work = path.join(state.stateDir, "fixtures-build");
    fs.rmSync(this.work, { recursive: true, force: true });
    this.layout = path.join(this.work, "layout");
    this.certDir = path.join(this.work, "certs");
    fs.mkdirSync(this.certDir, { recursive: true });
    // containers/image reads the CAs of --cert-dir from files named *.crt
    fs.copyFileSync(state.caFile, path.join(this.certDir, "ca.crt"));
    const tmp = path.join(this.work, "tmp");
    fs.mkdirSync(tmp);
    // Accept any image (skopeo --policy, buildah's hidden --signature-policy: the machine's
    // /etc/containers/policy.json is not read); empty registries.conf and storage.conf.
    const policy = path.join(this.work, "policy.json");
    fs.writeFileSync(policy, JSON.stringify({ default: [{ type: "insecureAcceptAnything" }] }));
    fs.writeFileSync(path.join(this.work, "registries.conf"), "");
    fs.writeFileSync(path.join(this.work, "storage.conf"), '[storage]\ndriver = "vfs"\n');
    this.env = {
      ...process.env,
      TMPDIR: tmp,
      CONTAINERS_REGISTRIES_CONF: path.join(this.work, "registries.conf"),
      CONTAINERS_STORAGE_CONF: path.join(this.work, "storage.conf"),
    };
    this.buildah = [
      "--storage-driver",
      "vfs",
      "--root",
      path.join(this.work, "buildah-root"),
      "--runroot",
      path.join(this.work, "buildah-run"),
    ];
    this.policy = policy;
  }

  run(command: string, args: string[]): Buffer {
    try {
      return execFileSync(command, args, { env: this.env, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20, timeout: 120_000 });
    } catch (err) {
      const e = err as { stderr?: Buffer; message: string };
      throw new Error(`${command} ${args.join(" ")} failed: ${e.stderr?.toString("utf8").trim() || e.message}`, { cause: err });
    }
  }

  /** for `buildah push` and `buildah manifest push` */
  get signaturePolicy(): string[] {
    return ["--signature-policy", this.policy];
  }

  buildahRun(args: string[]): string {
    return this.run("buildah", [...this.buildah, ...args])
      .toString("utf8")
      .trim();
  }

  skopeo(args: string[]): Buffer {
    return this.run("skopeo", ["--policy", this.policy, ...args]);
  }

  /** buildah's / skopeo's flags for a registry, as a source (prefix "src-"), destination ("dest-") or for inspect / buildah ("") */
  flags(registry: Registry, prefix: "" | "src-" | "dest-"): string[] {
    const creds = `${this.state.username}:${this.state.password}`;
    switch (registry.name) {
      case "plain":
        return [`--${prefix}tls-verify=false`];
      case "secure":
        return [`--${prefix}cert-dir`, this.certDir, `--${prefix}creds`, creds];
      case "token":
        return [`--${prefix}tls-verify=false`, `--${prefix}creds`, creds];
    }
  }
}

// --- the OCI image layout (umoci creates it; our documents are added as blobs and tags) ----------

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

class Layout {
  constructor(readonly dir: string) {}

  private get indexFile(): string {
    return path.join(this.dir, "index.json");
  }

  blobPath(digest: string): string {
    return path.join(this.dir, "blobs", "sha256", digest.slice("sha256:".length));
  }

  read(digest: string): string {
    return fs.readFileSync(this.blobPath(digest), "utf8");
  }

  add(mediaType: string, content: string): Descriptor {
    const digest = sha256(content);
    fs.writeFileSync(this.blobPath(digest), content);
    return { mediaType, digest, size: Buffer.byteLength(content, "utf8") };
  }

  /** the descriptor tagged `tag` (org.opencontainers.image.ref.name) */
  tagged(tag: string): Descriptor {
    const index = JSON.parse(fs.readFileSync(this.indexFile, "utf8")) as {
      manifests: Array<Descriptor & { annotations?: Record<string, string> }>;
    };
    const entry = index.manifests.find((m) => m.annotations?.["org.opencontainers.image.ref.name"] === tag);
    if (entry === undefined) throw new Error(`no ${tag} in ${this.indexFile}`);
    return { mediaType: entry.mediaType, digest: entry.digest, size: entry.size };
  }

  tag(tag: string, descriptor: Descriptor): void {
    const index = JSON.parse(fs.readFileSync(this.indexFile, "utf8")) as { manifests: Array<{ annotations?: Record<string, string> }> };
    index.manifests = index.manifests.filter((m) => m.annotations?.["org.opencontainers.image.ref.name"] !== tag);
    index.manifests.push({ ...descriptor, annotations: { "org.opencontainers.image.ref.name": tag } });
    fs.writeFileSync(this.indexFile, JSON.stringify(index));
  }
}

/** Builds an image with buildah from scratch: two files in one layer, then the config. */
function build(tools: Tools, spec: BuildSpec): void {
  const context = path.join(tools.work, "context", spec.name);
  fs.mkdirSync(path.join(context, "etc"), { recursive: true });
  fs.mkdirSync(path.join(context, "usr", "local", "bin"), { recursive: true });
  fs.writeFileSync(path.join(context, "etc", "os-release"), 'NAME="Kwhost Test Linux"\nID=kwhost\nVERSION_ID=1.0\n');
  fs.writeFileSync(path.join(context, "usr", "local", "bin", "app"), `#!/bin/sh\necho ${spec.name}\n`, { mode: 0o755 });
  const container = tools.buildahRun(["from", "--name", `build-${spec.name}`, "scratch"]);
  tools.buildahRun(["copy", container, `${context}/`, "/"]);
  const config = ["--os", spec.os, "--arch", spec.arch];
  for (const e of spec.env ?? [PATH_ENV]) config.push("--env", e);
  if (spec.variant !== undefined) config.push("--variant", spec.variant);
  if (spec.osVersion !== undefined) config.push("--os-version", spec.osVersion);
  if (spec.user !== undefined) config.push("--user", spec.user);
  for (const [k, v] of Object.entries(spec.labels ?? {})) config.push("--label", `${k}=${v}`);
  for (const [k, v] of Object.entries(spec.annotations ?? {})) config.push("--annotation", `${k}=${v}`);
  config.push("--entrypoint", '["/usr/local/bin/app"]', "--cmd", '["--serve"]', "--workingdir", "/srv", "--port", "8080/tcp");
  config.push("--created-by", "COPY context / # push-fixtures.ts");
  tools.buildahRun(["config", ...config, container]);
  tools.buildahRun(["commit", "--quiet", "--rm", "--format", spec.format, "--timestamp", "1761991200", container, spec.name]);
  // OCI images go into the layout (compressed there once, so the digest no longer changes)
  if (spec.format === "oci") tools.buildahRun(["push", "--quiet", ...tools.signaturePolicy, spec.name, `oci:${tools.layout}:${spec.name}`]);
}

/** The unlicensed image, built by umoci in the layout. */
function buildWithUmoci(tools: Tools): void {
  const image = `${tools.layout}:unlicensed`;
  const app = path.join(tools.work, "context", "unlicensed-app");
  fs.mkdirSync(path.dirname(app), { recursive: true });
  fs.writeFileSync(app, "#!/bin/sh\necho unlicensed\n", { mode: 0o755 });
  tools.run("umoci", ["new", "--image", image]);
  tools.run("umoci", ["insert", "--image", image, app, "/usr/local/bin/app"]);
  tools.run("umoci", [
    "config",
    "--image",
    image,
    "--os",
    "linux",
    "--architecture",
    "amd64",
    "--config.user",
    "app",
    "--config.env",
    PATH_ENV,
    "--config.entrypoint",
    "/usr/local/bin/app",
    "--config.workingdir",
    "/srv",
  ]);
}

// --- the documents that are ours -------------------------------------------------------------

function attestation(layout: Layout, subjectRef: string, subject: Descriptor): Descriptor {
  const statement = layout.add(
    MEDIA.inToto,
    JSON.stringify({
      _type: "https://in-toto.io/Statement/v0.1",
      predicateType: "https://spdx.dev/Document",
      subject: [{ name: subjectRef, digest: { sha256: subject.digest.slice("sha256:".length) } }],
      predicate: { spdxVersion: "SPDX-2.3", name: "sbom" },
    }),
  );
  const config = layout.add(MEDIA.ociConfig, "{}");
  return layout.add(
    MEDIA.ociManifest,
    JSON.stringify(
      {
        schemaVersion: 2,
        mediaType: MEDIA.ociManifest,
        config,
        layers: [{ ...statement, annotations: { "in-toto.io/predicate-type": "https://spdx.dev/Document" } }],
      },
      null,
      3,
    ),
  );
}

function quirks(layout: Layout): { image: Descriptor; index: Descriptor } {
  const base = JSON.parse(layout.read(layout.tagged("quirks-base").digest)) as { config: Descriptor; layers: Descriptor[] };
  const baseConfig = layout.read(base.config.digest);
  const licensed = layout.tagged("licensed");
  // buildah's config with numbers JSON.stringify cannot write appended
  const config = layout.add(MEDIA.ociConfig, `${baseConfig.trimEnd().slice(0, -1)},${QUIRKS_NUMBERS}}`);
  const image = layout.add(
    MEDIA.ociManifest,
    JSON.stringify(
      {
        schemaVersion: 2,
        mediaType: MEDIA.ociManifest,
        config: { ...config, platform: { architecture: "amd64", os: "linux" }, data: Buffer.from(baseConfig).toString("base64") },
        layers: base.layers,
        // not in key order on purpose: the host sorts annotations by code point
        annotations: {
          "zz.last": "z",
          "\u{1F600}.emoji": "after fullwidth",
          "\uFF21.fullwidth": "before emoji",
          [LICENSE_KEY]: "MIT",
          "a.first": "a",
        },
        artifactType: "application/vnd.example.quirks+json",
        subject: licensed,
        "x-kwhost-unknown": { dropped: true },
      },
      null,
      3,
    ),
  );
  const index = layout.add(
    MEDIA.ociIndex,
    JSON.stringify(
      {
        schemaVersion: 2,
        mediaType: MEDIA.ociIndex,
        manifests: [
          {
            ...licensed,
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
        artifactType: "application/vnd.example.index+json",
        subject: licensed,
        annotations: { "org.opencontainers.image.title": "quirks-index", "org.opencontainers.image.created": "2026-11-01T10:00:00Z" },
      },
      null,
      3,
    ),
  );
  return { image, index };
}

/** An OCI artifact for an image volume: empty config (image-spec manifest.md, "Guidelines for Artifact Usage"), one layer of weights. */
function artifact(layout: Layout, name: string, license: string | undefined): Descriptor {
  const config = layout.add("application/vnd.oci.empty.v1+json", "{}");
  const weights = layout.add("application/vnd.acme.model.weights.v1", `weights of the ${name} model\n`);
  return layout.add(
    MEDIA.ociManifest,
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.ociManifest,
      artifactType: "application/vnd.acme.model.v1",
      config,
      layers: [{ ...weights, annotations: { "org.opencontainers.image.title": "weights.safetensors" } }],
      annotations: {
        "org.opencontainers.image.source": "https://github.com/acme/models",
        ...(license === undefined ? {} : { [LICENSE_KEY]: license }),
      },
    }),
  );
}

// --- pushing and reading back --------------------------------------------------------------------

interface IndexEntry {
  /** a transport reference buildah can read: oci:<layout>:<tag> or a local image name */
  source: string;
  os: string;
  arch: string;
  variant?: string;
  osVersion?: string;
  annotations?: Record<string, string>;
}

/** A multi-platform index made by buildah and pushed with all its images. */
function pushBuildahIndex(tools: Tools, registry: Registry, target: string, format: "oci" | "v2s2", entries: IndexEntry[]): void {
  const list = `list-${target.replace(/[/:]/g, "-")}`;
  tools.buildahRun(["manifest", "create", list]);
  for (const e of entries) {
    const args = ["manifest", "add", "--os", e.os, "--arch", e.arch];
    if (e.variant !== undefined) args.push("--variant", e.variant);
    if (e.osVersion !== undefined) args.push("--os-version", e.osVersion);
    for (const [k, v] of Object.entries(e.annotations ?? {})) args.push("--annotation", `${k}=${v}`);
    tools.buildahRun([...args, list, e.source]);
  }
  tools.buildahRun([
    "manifest",
    "push",
    "--quiet",
    ...tools.signaturePolicy,
    "--all",
    "--format",
    format,
    ...tools.flags(registry, ""),
    list,
    `docker://${registry.host}/${target}`,
  ]);
}

function copy(tools: Tools, from: string, fromRegistry: Registry | undefined, to: Registry, target: string, all = false): void {
  tools.skopeo([
    "copy",
    "--quiet",
    "--preserve-digests",
    ...(all ? ["--all"] : []),
    ...(fromRegistry === undefined ? [] : tools.flags(fromRegistry, "src-")),
    ...tools.flags(to, "dest-"),
    from,
    `docker://${to.host}/${target}`,
  ]);
}

const platformName = (p: { os?: unknown; architecture?: unknown; variant?: unknown }): string =>
  [p.os, p.architecture, p.variant].filter((x) => typeof x === "string" && x !== "").join("/");

/** What the registry serves for host/repository:tag (or @digest), read with skopeo. */
function served(tools: Tools, registry: Registry, repository: string, tag: string | undefined, digest?: string): PushedManifest {
  const reference = tag === undefined ? `${registry.host}/${repository}@${digest}` : `${registry.host}/${repository}:${tag}`;
  const body = tools.skopeo(["inspect", "--raw", ...tools.flags(registry, ""), `docker://${reference}`]).toString("utf8");
  const actual = sha256(body);
  if (digest !== undefined && actual !== digest) throw new Error(`${reference}: the registry serves ${actual}, not ${digest}`);
  const parsed = JSON.parse(body) as {
    mediaType?: string;
    config?: Descriptor;
    manifests?: Array<Descriptor & { platform?: Record<string, unknown>; annotations?: Record<string, string> }>;
  };
  const byDigest = `${registry.host}/${repository}@${actual}`;
  const pushed: PushedManifest = {
    registry: registry.name,
    host: registry.host,
    repository,
    ...(tag === undefined ? {} : { tag }),
    ref: tag === undefined ? byDigest : reference,
    refByDigest: byDigest,
    digest: actual,
    // umoci leaves the optional mediaType out (image-spec manifest.md): the descriptor's type
    mediaType: parsed.mediaType ?? (parsed.manifests === undefined ? MEDIA.ociManifest : MEDIA.ociIndex),
    body,
  };
  if (parsed.config !== undefined && (parsed.config.mediaType === MEDIA.ociConfig || parsed.config.mediaType === MEDIA.dockerConfig)) {
    const config = tools.skopeo(["inspect", "--config", "--raw", ...tools.flags(registry, ""), `docker://${byDigest}`]).toString("utf8");
    pushed.config = { digest: parsed.config.digest, size: parsed.config.size, body: config };
  }
  if (parsed.manifests !== undefined) {
    pushed.children = parsed.manifests.map((entry) => {
      const attestation = entry.annotations?.["vnd.docker.reference.type"] === "attestation-manifest";
      const child = served(tools, registry, repository, undefined, entry.digest);
      if (attestation) delete child.config; // an in-toto statement, not an image
      return { ...child, platform: platformName(entry.platform ?? {}), ...(attestation ? { attestation: true } : {}) };
    });
  }
  return pushed;
}

export async function pushFixtures(state: RegistryState): Promise<FixtureSummary> {
  const tools = new Tools(state);
  const plain: Registry = { name: "plain", host: state.plain.host };
  const secure: Registry = { name: "secure", host: state.secure.host };
  const token: Registry = { name: "token", host: state.token.host };
  const layout = new Layout(tools.layout);
  const oci = (tag: string): string => `oci:${tools.layout}:${tag}`;

  tools.run("umoci", ["init", "--layout", tools.layout]);
  buildWithUmoci(tools);
  for (const spec of BUILDS) build(tools, spec);
  const { image: quirksImage, index: quirksIndex } = quirks(layout);
  layout.tag("quirks", quirksImage);
  layout.tag("quirks-index", quirksIndex);
  layout.tag("models", artifact(layout, "models", "Apache-2.0"));
  layout.tag("models-unlicensed", artifact(layout, "models-unlicensed", undefined));
  const amd64 = layout.tagged("multiarch-amd64");
  const arm64 = layout.tagged("multiarch-arm64");
  const multiarchRef = `${plain.host}/fixtures/multiarch:1.0`;
  layout.tag("attestation-amd64", attestation(layout, multiarchRef, amd64));
  layout.tag("attestation-arm64", attestation(layout, multiarchRef, arm64));

  const attestationOf = (subject: Descriptor): Record<string, string> => ({
    "vnd.docker.reference.digest": subject.digest,
    "vnd.docker.reference.type": "attestation-manifest",
  });
  pushBuildahIndex(tools, plain, "fixtures/multiarch:1.0", "oci", [
    { source: oci("multiarch-amd64"), os: "linux", arch: "amd64" },
    { source: oci("multiarch-arm64"), os: "linux", arch: "arm64", variant: "v8" },
    { source: oci("attestation-amd64"), os: "unknown", arch: "unknown", annotations: attestationOf(amd64) },
    { source: oci("attestation-arm64"), os: "unknown", arch: "unknown", annotations: attestationOf(arm64) },
  ]);
  pushBuildahIndex(tools, plain, "fixtures/foreign:1.0", "oci", [
    { source: oci("foreign-windows"), os: "windows", arch: "amd64", osVersion: "10.0.20348.2113" },
    { source: oci("foreign-s390x"), os: "linux", arch: "s390x" },
  ]);
  // Docker's formats cannot live in an OCI layout: buildah pushes them from its storage
  tools.buildahRun([
    "push",
    "--quiet",
    ...tools.signaturePolicy,
    "--format",
    "v2s2",
    ...tools.flags(plain, ""),
    "docker-image",
    `docker://${plain.host}/fixtures/docker-image:1.0`,
  ]);
  pushBuildahIndex(tools, plain, "fixtures/docker-list:1.0", "v2s2", [
    { source: "docker-list-amd64", os: "linux", arch: "amd64" },
    { source: "docker-list-arm64", os: "linux", arch: "arm64", variant: "v8" },
  ]);
  for (const name of ["licensed", "unlicensed", "config-labels", "quirks", "models", "models-unlicensed"]) {
    copy(tools, oci(name), undefined, plain, `fixtures/${name}:1.0`);
  }
  copy(tools, oci("quirks-index"), undefined, plain, "fixtures/quirks-index:1.0", true);
  copy(tools, oci("licensed"), undefined, secure, "fixtures/licensed:1.0");
  copy(tools, oci("licensed"), undefined, token, "fixtures/licensed:1.0");
  copy(tools, oci("licensed"), undefined, token, "private/licensed:1.0");

  const images: Record<string, PushedManifest> = {};
  for (const name of [
    "licensed",
    "unlicensed",
    "multiarch",
    "docker-image",
    "docker-list",
    "config-labels",
    "quirks",
    "quirks-index",
    "foreign",
    "models",
    "models-unlicensed",
  ]) {
    images[name] = served(tools, plain, `fixtures/${name}`, "1.0");
  }
  // our documents reached the registry byte for byte
  for (const [name, descriptor] of [
    ["quirks", quirksImage],
    ["quirks-index", quirksIndex],
    ["models", layout.tagged("models")],
  ] as const) {
    if (images[name].digest !== descriptor.digest)
      throw new Error(`${name}: pushed ${descriptor.digest}, the registry serves ${images[name].digest}`);
  }
  images["secure:licensed"] = served(tools, secure, "fixtures/licensed", "1.0");
  images["token:licensed"] = served(tools, token, "fixtures/licensed", "1.0");
  images["token:private"] = served(tools, token, "private/licensed", "1.0");

  const summary: FixtureSummary = {
    registries: {
      plain: { host: state.plain.host, url: state.plain.url },
      secure: { host: state.secure.host, url: state.secure.url },
      token: { host: state.token.host, url: state.token.url },
    },
    images,
  };
  fs.writeFileSync(path.join(state.stateDir, "fixtures.json"), `${JSON.stringify(summary, null, 2)}\n`);
  fs.rmSync(tools.work, { recursive: true, force: true });
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
