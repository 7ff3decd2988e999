// The one place requests are built, for the jest suites and the scripts alike: AdmissionRequests
// for any workload kind (workloadRequest), minimal Pods (podRequest) and realistic ones as the API
// server stores them (realisticPodRequest, with defaults and managedFields), the DOI-shaped index
// of the round-trip tests and the budget; and the policy's and the recorded manifests' bytes.

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { JsonObject } from "../../host/evaluator";

/** The repository root (this file runs from scripts/ under ts-jest and from dist/scripts/ under node). */
export function repoRoot(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, "package.json")) || !existsSync(join(dir, "assembly"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`repository root not found above ${from}`);
    dir = parent;
  }
  return dir;
}

export const ROOT = repoRoot();
export const POLICY_PATH = join(ROOT, "policy.wasm");

let cachedWasm: Buffer | null = null;
/** policy.wasm, read once per process. */
export function policyWasm(): Buffer {
  cachedWasm ??= readFileSync(POLICY_PATH);
  return cachedWasm;
}

/** A copy of policy.wasm, for the APIs that take a plain Uint8Array. */
export function policyBytes(): Uint8Array<ArrayBuffer> {
  return new Uint8Array(policyWasm());
}

/** test_data/manifests/<name>.json as the compact JSON text the host sends. */
export function recordedManifest(name: string): string {
  return JSON.stringify(JSON.parse(readFileSync(join(ROOT, "test_data", "manifests", `${name}.json`), "utf8")));
}

/** The two images of the benchmark pod: an image manifest and an index, both carrying a license annotation. */
export const APP_IMAGE = "ghcr.io/acme/payments:1.2.0";
export const PROXY_IMAGE = "docker.io/library/nginx:1.27";

/** One realistic container as the API server stores it (defaults filled in). */
export function container(name: string, image: string, n = 0): JsonObject {
  return {
    name,
    image,
    imagePullPolicy: "IfNotPresent",
    args: ["serve", "--listen=:8080", `--replica=${n}`],
    ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
    env: [
      { name: "LOG_LEVEL", value: "info" },
      { name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: "payments-db", key: "url" } } },
    ],
    resources: {
      limits: { cpu: "500m", memory: "256Mi" },
      requests: { cpu: "100m", memory: "128Mi" },
    },
    volumeMounts: [
      { name: "config", mountPath: "/etc/payments", readOnly: true },
      { name: "kube-api-access-x7k2p", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true },
    ],
    livenessProbe: {
      httpGet: { path: "/healthz", port: 8080, scheme: "HTTP" },
      initialDelaySeconds: 10,
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    },
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
    terminationMessagePath: "/dev/termination-log",
    terminationMessagePolicy: "File",
  };
}

/** An init container: a command, a mount, no probes or ports. */
export function initContainer(name: string, image: string): JsonObject {
  return {
    name,
    image,
    imagePullPolicy: "IfNotPresent",
    command: ["/usr/local/bin/payments", "migrate", "--wait=30s"],
    env: [{ name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: "payments-db", key: "url" } } }],
    resources: { limits: { cpu: "200m", memory: "128Mi" }, requests: { cpu: "50m", memory: "64Mi" } },
    volumeMounts: [{ name: "kube-api-access-x7k2p", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true }],
    terminationMessagePath: "/dev/termination-log",
    terminationMessagePolicy: "File",
  };
}

function managedFields(): JsonObject[] {
  return [
    {
      manager: "kube-controller-manager",
      operation: "Update",
      apiVersion: "v1",
      time: "2026-11-02T09:14:33Z",
      fieldsType: "FieldsV1",
      fieldsV1: {
        "f:metadata": {
          "f:generateName": {},
          "f:labels": { ".": {}, "f:app.kubernetes.io/name": {}, "f:pod-template-hash": {} },
          "f:ownerReferences": { ".": {}, 'k:{"uid":"5d1f0c7e-8a52-4a0e-9c3b-6c1f2e3d4a5b"}': {} },
        },
        "f:spec": {
          "f:containers": { 'k:{"name":"app"}': { ".": {}, "f:image": {}, "f:name": {} } },
          "f:restartPolicy": {},
          "f:serviceAccountName": {},
        },
      },
    },
  ];
}

/** An AdmissionRequest for a Pod with the given containers (API-server shape: metadata, defaults, managedFields). */
export function realisticPodRequest(
  containers: JsonObject[],
  initContainers: JsonObject[] = [],
  uid = "1299d386-525b-4032-98ae-1949f69f9cfc",
): JsonObject {
  const spec: JsonObject = {
    containers,
    restartPolicy: "Always",
    terminationGracePeriodSeconds: 30,
    dnsPolicy: "ClusterFirst",
    serviceAccountName: "payments",
    serviceAccount: "payments",
    securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
    schedulerName: "default-scheduler",
    tolerations: [
      { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
      { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
    ],
    volumes: [
      { name: "config", configMap: { name: "payments-config", defaultMode: 420 } },
      {
        name: "kube-api-access-x7k2p",
        projected: {
          defaultMode: 420,
          sources: [
            { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
            { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
          ],
        },
      },
    ],
    enableServiceLinks: true,
    preemptionPolicy: "PreemptLowerPriority",
    priority: 0,
  };
  if (initContainers.length > 0) spec.initContainers = initContainers;
  const envelope = {
    uid,
    name: "payments-7c9f8d6b5-x2x9q",
    namespace: "shop",
    userInfo: {
      username: "system:serviceaccount:kube-system:replicaset-controller",
      uid: "b9a7c1f2-3d4e-4f50-8a1b-2c3d4e5f6a7b",
      groups: ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"],
    },
    options: { kind: "CreateOptions", apiVersion: "meta.k8s.io/v1", fieldManager: "kube-controller-manager" },
  };
  const body: JsonObject = {
    metadata: {
      name: "payments-7c9f8d6b5-x2x9q",
      generateName: "payments-7c9f8d6b5-",
      namespace: "shop",
      uid: "0f3e4a1c-2b6d-4c7a-9b8e-0123456789ab",
      creationTimestamp: "2026-11-02T09:14:33Z",
      labels: { "app.kubernetes.io/name": "payments", "app.kubernetes.io/part-of": "shop", "pod-template-hash": "7c9f8d6b5" },
      annotations: {
        "kubectl.kubernetes.io/restartedAt": "2026-11-02T09:10:00Z",
        "prometheus.io/scrape": "true",
        "prometheus.io/port": "9090",
      },
      ownerReferences: [
        {
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          name: "payments-7c9f8d6b5",
          uid: "5d1f0c7e-8a52-4a0e-9c3b-6c1f2e3d4a5b",
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
      managedFields: managedFields(),
    },
    spec,
    status: { phase: "Pending", qosClass: "Burstable" },
  };
  return workloadRequest("", "v1", "Pod", "pods", body, "CREATE", envelope);
}

/** The benchmark's ~5 KB Pod: 3 containers, 2 distinct images (app twice, proxy once). */
export function benchPod(): JsonObject {
  return realisticPodRequest([container("app", APP_IMAGE, 0), container("proxy", PROXY_IMAGE, 1)], [initContainer("migrate", APP_IMAGE)]);
}

/**
 * A Pod of about `targetBytes` bytes: as many containers as it takes, cycling through `images`
 * (few distinct images, so host calls stay = images.length).
 */
export function bigPod(targetBytes: number, images: string[]): JsonObject {
  const perContainer = JSON.stringify(container("c-0000", images[0], 0)).length + 1;
  const count = Math.max(1, Math.round((targetBytes - 3000) / perContainer));
  const containers: JsonObject[] = [];
  for (let i = 0; i < count; i++) containers.push(container(`c-${String(i).padStart(4, "0")}`, images[i % images.length], i));
  return realisticPodRequest(containers);
}

/** Host replies for the benchmark's images: `v1/oci_manifest` answers with the license on the manifest / index. */
export function benchReplies(): Map<string, string> {
  return new Map([
    [APP_IMAGE, recordedManifest("oci_manifest_with_license")],
    [PROXY_IMAGE, recordedManifest("oci_index_with_license")],
  ]);
}

export const LICENSE_KEY = "org.opencontainers.image.licenses";
export const DOI_IMAGE = "docker.io/library/nginx:1.27";
export const DOI_NAME = "docker.io/library/nginx";

/** The platforms of a Docker Official Image such as nginx; each is followed by its attestation entry. */
export const DOI_PLATFORMS: ReadonlyArray<{ os: string; architecture: string; variant?: string }> = [
  { os: "linux", architecture: "amd64" },
  { os: "linux", architecture: "arm", variant: "v5" },
  { os: "linux", architecture: "arm", variant: "v7" },
  { os: "linux", architecture: "arm64", variant: "v8" },
  { os: "linux", architecture: "386" },
  { os: "linux", architecture: "mips64le" },
  { os: "linux", architecture: "ppc64le" },
  { os: "linux", architecture: "s390x" },
];

export function doiPlatformDigest(n: number, kind: "image" | "attestation" = "image"): string {
  return `sha256:${kind === "image" ? "a" : "b"}${n.toString(16).padStart(63, "0")}`;
}

export interface DoiIndexOptions {
  /** the license each platform's index entry declares (no annotation when undefined) */
  descriptorLicense?: (platform: number) => string | undefined;
  /** platforms listed (default DOI_PLATFORMS.length); past DOI_PLATFORMS, linux/<synthetic architectures> */
  platforms?: number;
}

/** Platform `n` of a DOI-shaped index: DOI_PLATFORMS, then synthetic ones. */
export function doiPlatform(n: number): { os: string; architecture: string; variant?: string } {
  return DOI_PLATFORMS[n] ?? { os: "linux", architecture: `arch${n}` };
}

/** A Docker-Official-Image-shaped index: 8 platforms, each with an attestation entry, no index annotations. */
export function doiIndex(options: DoiIndexOptions = {}): string {
  const count = options.platforms ?? DOI_PLATFORMS.length;
  const manifests = Array.from({ length: count }, (_unused, n) => doiPlatform(n)).flatMap((platform, n) => {
    const license = options.descriptorLicense?.(n);
    const annotations: Record<string, string> = { "com.docker.official-images.bashbrew.arch": platform.architecture };
    if (license !== undefined) annotations[LICENSE_KEY] = license;
    return [
      { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: doiPlatformDigest(n), size: 2295, platform, annotations },
      {
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        digest: doiPlatformDigest(n, "attestation"),
        size: 841,
        platform: { architecture: "unknown", os: "unknown" },
        annotations: { "vnd.docker.reference.digest": doiPlatformDigest(n), "vnd.docker.reference.type": "attestation-manifest" },
      },
    ];
  });
  return JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests });
}

/** A platform image manifest whose license annotation is `license` (none when null). */
export function platformManifest(license: string | null): string {
  const m = JSON.parse(recordedManifest("oci_manifest_with_license"));
  if (license === null) delete m.annotations[LICENSE_KEY];
  else m.annotations[LICENSE_KEY] = license;
  return JSON.stringify(m);
}

/** A v1/oci_manifest_config reply whose config label carries `license` (none when null); no manifest annotation. */
export function platformConfig(license: string | null): string {
  const reply = JSON.parse(recordedManifest("manifest_and_config_with_license_label"));
  if (license === null) delete reply.config.config.Labels[LICENSE_KEY];
  else reply.config.config.Labels[LICENSE_KEY] = license;
  delete reply.manifest.annotations?.[LICENSE_KEY];
  return JSON.stringify(reply);
}

/**
 * Replies keyed "<operation> <image>" (v1/oci_manifest keys are the bare image) for DOI_IMAGE
 * answering `index`, and every platform image's manifest and config.
 */
export function doiFixtures(
  index: string,
  manifestLicense: (n: number) => string | null,
  labelLicense: (n: number) => string | null,
): Map<string, string> {
  const replies = new Map<string, string>([[DOI_IMAGE, index]]);
  const platforms = (JSON.parse(index) as { manifests: unknown[] }).manifests.length / 2;
  for (let n = 0; n < platforms; n++) {
    const reference = `${DOI_NAME}@${doiPlatformDigest(n)}`;
    replies.set(reference, platformManifest(manifestLicense(n)));
    replies.set(`v1/oci_manifest_config ${reference}`, platformConfig(labelLicense(n)));
  }
  return replies;
}

export interface ContainerSpec {
  name: string;
  image: string;
  securityContext?: JsonObject;
}

export interface PodOptions {
  containers?: ContainerSpec[];
  initContainers?: ContainerSpec[];
  ephemeralContainers?: ContainerSpec[];
  /** `volumes` entries, e.g. an image volume `{ name, image: { reference, pullPolicy } }` */
  volumes?: JsonObject[];
  securityContext?: JsonObject;
  operation?: string;
}

export function podSpec(options: PodOptions): JsonObject {
  const spec: JsonObject = { containers: options.containers ?? [] };
  if (options.initContainers) spec.initContainers = options.initContainers;
  if (options.ephemeralContainers) spec.ephemeralContainers = options.ephemeralContainers;
  if (options.volumes) spec.volumes = options.volumes;
  if (options.securityContext) spec.securityContext = options.securityContext;
  return spec;
}

/** A minimal AdmissionRequest for a Pod: only the fields given. */
export function podRequest(options: PodOptions): JsonObject {
  return workloadRequest("", "v1", "Pod", "pods", { spec: podSpec(options) }, options.operation);
}

/** An image volume: the OCI image or artifact `reference` mounted as volume `name`. */
export function imageVolume(name: string, reference: string, pullPolicy = "IfNotPresent"): JsonObject {
  return { name, image: { reference, pullPolicy } };
}

/** Who sends an AdmissionRequest and about what; the defaults are a user creating "demo" in "default". */
export interface Envelope {
  uid: string;
  name: string;
  namespace: string;
  userInfo: JsonObject;
  options: JsonObject;
}

const DEFAULT_ENVELOPE: Envelope = {
  uid: "705ab4f5-6393-11e8-b7cc-42010a800002",
  name: "demo",
  namespace: "default",
  userInfo: { username: "alice", uid: "alice-uid", groups: ["system:authenticated"] },
  options: { kind: "CreateOptions", apiVersion: "meta.k8s.io/v1" },
};

/**
 * An AdmissionRequest (admission.k8s.io/v1) for an object of `kind`: `body` holds the object's
 * fields besides apiVersion and kind (metadata replaces the default one).
 */
export function workloadRequest(
  group: string,
  version: string,
  kind: string,
  resource: string,
  body: JsonObject,
  operation = "CREATE",
  envelope: Partial<Envelope> = {},
): JsonObject {
  const { uid, name, namespace, userInfo, options } = { ...DEFAULT_ENVELOPE, ...envelope };
  return {
    uid,
    kind: { group, version, kind },
    resource: { group, version, resource },
    requestKind: { group, version, kind },
    requestResource: { group, version, resource },
    name,
    namespace,
    operation,
    userInfo,
    object: {
      apiVersion: group === "" ? version : `${group}/${version}`,
      kind,
      metadata: { name: "demo", namespace: "default", uid: "7f3e4a1c-1111-4c7a-9b8e-0123456789ab" },
      ...body,
    },
    oldObject: null,
    dryRun: false,
    options,
  };
}
