// `kwhost scaffold manifest` prints what `kwctl scaffold manifest` prints, and the example
// policies in examples/ are what it scaffolds, but for their deliberate differences.

import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { annotate } from "../host/annotate";
import { isValidPolicyTitle, scaffoldManifest } from "../host/scaffold";
import { POLICY_PATH, ROOT } from "./support/workloads";

const ANNOTATED = join(ROOT, "annotated-policy.wasm");
const MODULE_URI = `file://${ANNOTATED}`;

const ONE_RULE = 'rules:\n  - apiGroups: [""]\n    apiVersions: [v1]\n    resources: [pods]\n    operations: [CREATE]\n';

/** policy.wasm annotated with `metadata` (YAML) in a temporary folder. */
function annotatedWith(metadata: string): string {
  const dir = mkdtempSync(join(tmpdir(), "scaffold-"));
  writeFileSync(join(dir, "metadata.yml"), metadata);
  annotate({ wasmPath: POLICY_PATH, metadataPath: join(dir, "metadata.yml"), outputPath: join(dir, "policy.wasm") }, () => {});
  return join(dir, "policy.wasm");
}

describe("kwhost scaffold manifest", () => {
  test("a ClusterAdmissionPolicy for the annotated policy, in kwctl's field order and YAML style", () => {
    const { yaml, warnings } = scaffoldManifest(ANNOTATED, { type: "ClusterAdmissionPolicy" });
    expect(warnings).toEqual([]);
    expect(yaml).toBe(`apiVersion: policies.kubewarden.io/v1
kind: ClusterAdmissionPolicy
metadata:
  annotations:
    io.kubewarden.policy.category: Supply chain
    io.kubewarden.policy.severity: medium
  name: image-metadata-policy
spec:
  module: ${MODULE_URI}
  settings: {}
  rules:
  - apiGroups:
    - ''
    apiVersions:
    - v1
    resources:
    - pods
    - replicationcontrollers
    operations:
    - CREATE
    - UPDATE
  - apiGroups:
    - ''
    apiVersions:
    - v1
    resources:
    - pods/ephemeralcontainers
    operations:
    - UPDATE
  - apiGroups:
    - apps
    apiVersions:
    - v1
    resources:
    - deployments
    - replicasets
    - statefulsets
    - daemonsets
    operations:
    - CREATE
    - UPDATE
  - apiGroups:
    - batch
    apiVersions:
    - v1
    resources:
    - jobs
    - cronjobs
    operations:
    - CREATE
    - UPDATE
  mutating: true
`);
  });

  test("settings and title from the command line; strings quoted only where YAML needs it", () => {
    const { yaml } = scaffoldManifest(`file://${ANNOTATED}`, {
      type: "AdmissionPolicy",
      title: "licenses.acme",
      settingsJson: '{"exemptImages":["*"],"licenses":{"allow":["MIT"]},"tag":"1.0","empty":""}',
    });
    expect(yaml.split("\n").slice(0, 18).join("\n")).toBe(`apiVersion: policies.kubewarden.io/v1
kind: AdmissionPolicy
metadata:
  annotations:
    io.kubewarden.policy.category: Supply chain
    io.kubewarden.policy.severity: medium
  name: licenses.acme
spec:
  module: ${MODULE_URI}
  settings:
    exemptImages:
    - '*'
    licenses:
      allow:
      - MIT
    tag: '1.0'
    empty: ''
  rules:`);
  });

  test("backgroundAudit only when false; no annotations or name when the metadata has none", () => {
    const wasm = annotatedWith(`${ONE_RULE}mutating: false\nbackgroundAudit: false\nexecutionMode: kubewarden-wapc\n`);
    const { yaml } = scaffoldManifest(wasm, { type: "AdmissionPolicy" });
    expect(yaml).toBe(`apiVersion: policies.kubewarden.io/v1
kind: AdmissionPolicy
metadata: {}
spec:
  module: file://${wasm}
  settings: {}
  rules:
  - apiGroups:
    - ''
    apiVersions:
    - v1
    resources:
    - pods
    operations:
    - CREATE
  mutating: false
  backgroundAudit: false
`);
  });

  test("contextAwareResources are left empty unless allowed, with kwctl's warnings", () => {
    const wasm = annotatedWith(`${ONE_RULE}mutating: false\ncontextAwareResources:\n  - apiVersion: v1\n    kind: Namespace\n`);
    const refused = scaffoldManifest(wasm, { type: "ClusterAdmissionPolicy", title: "t" });
    expect(refused.yaml).not.toContain("contextAwareResources");
    expect(refused.warnings[0]).toBe(
      "Policy requires access to Kubernetes resources at evaluation time. For safety reasons, the `contextAwareResources` attribute has been left empty.",
    );
    const allowed = scaffoldManifest(wasm, { type: "ClusterAdmissionPolicy", title: "t", allowContextAware: true });
    expect(allowed.yaml).toContain("  contextAwareResources:\n  - apiVersion: v1\n    kind: Namespace\n");
  });

  test("errors: no metadata, a title that is not an RFC 1123 name, settings that are not a mapping", () => {
    expect(() => scaffoldManifest(POLICY_PATH, { type: "AdmissionPolicy" })).toThrow(
      `No Kubewarden metadata found inside of 'file://${POLICY_PATH}'.\nPolicies can be annotated with the \`kwctl annotate\` command.`,
    );
    expect(() => scaffoldManifest(ANNOTATED, { type: "AdmissionPolicy", title: "Image_Metadata" })).toThrow(
      "Invalid title 'Image_Metadata'. Must conform to RFC 1123: use lowercase alphanumeric chars, '-' or '.', and start/end with an alphanumeric character.",
    );
    expect(() => scaffoldManifest(ANNOTATED, { type: "AdmissionPolicy", settingsJson: "[1]" })).toThrow("the settings must be a mapping");
    for (const good of ["a", "image-metadata", "a.b-c.d0"]) expect(isValidPolicyTitle(good)).toBe(true);
    for (const bad of ["", "-a", "a-", "A", "a_b", "a..b", "x".repeat(64)]) expect(isValidPolicyTitle(bad)).toBe(false);
  });
});

type Rule = { apiGroups: string[]; apiVersions: string[]; resources: string[]; operations: string[] };
type Policy = {
  kind: "ClusterAdmissionPolicy" | "AdmissionPolicy";
  metadata: { name: string; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
};

/** Every (group, version, resource, operation) a rule set matches. */
function matched(rules: Rule[]): Set<string> {
  const out = new Set<string>();
  for (const r of rules)
    for (const g of r.apiGroups)
      for (const v of r.apiVersions) for (const res of r.resources) for (const op of r.operations) out.add(`${g}/${v}/${res}/${op}`);
  return out;
}

describe.each(readdirSync(join(ROOT, "examples")).filter((f) => f.endsWith(".yaml")))("examples/%s", (file) => {
  const example = parse(readFileSync(join(ROOT, "examples", file), "utf8")) as Policy;
  const scaffolded = parse(
    scaffoldManifest(ANNOTATED, { type: example.kind, settingsJson: JSON.stringify(example.spec.settings) }).yaml,
  ) as Policy;

  test("has the scaffolded apiVersion, kind, settings and the policy's annotations", () => {
    expect(example).toMatchObject({ apiVersion: "policies.kubewarden.io/v1", kind: scaffolded.kind });
    expect(example.spec.settings).toEqual(scaffolded.spec.settings);
    if (example.metadata.annotations !== undefined) expect(example.metadata.annotations).toEqual(scaffolded.metadata.annotations);
  });

  test("deliberate differences only: a registry:// module, a name of its own, a narrower rule set, deployment fields", () => {
    expect(example.spec.module).toMatch(/^registry:\/\//);
    expect(isValidPolicyTitle(example.metadata.name)).toBe(true);
    const allowed = matched(scaffolded.spec.rules as Rule[]);
    const used = matched(example.spec.rules as Rule[]);
    expect([...used].filter((m) => !allowed.has(m))).toEqual([]);
    expect(used.has("/v1/pods/ephemeralcontainers/UPDATE")).toBe(true);
    // mutating may be turned off only when the settings do not ask for mutations
    const pins = (example.spec.settings as { pinDigest?: boolean }).pinDigest === true;
    expect(example.spec.mutating).toBe(pins ? true : example.spec.mutating);
    if (pins) expect(scaffolded.spec.mutating).toBe(true);
    const deploymentFields = [
      "mode",
      "failurePolicy",
      "timeoutEvalSeconds",
      "namespaceSelector",
      "objectSelector",
      "matchPolicy",
      "backgroundAudit",
    ];
    const scaffoldedKeys = Object.keys(scaffolded.spec);
    expect(Object.keys(example.spec).filter((k) => !scaffoldedKeys.includes(k) && !deploymentFields.includes(k))).toEqual([]);
  });
});
